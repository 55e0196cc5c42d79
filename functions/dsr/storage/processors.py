"""What the desk keeps of processors: the subject request ids it gave them, their pinned
certificates, and the callbacks already acted on."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from dsr.storage.dynamo import Repository, write_if
from dsr.storage.keys import callback_key, certificate_key, subject_request_key

CALLBACK_MEMORY_SECONDS = 90 * 24 * 3600


class SubjectRequestLink(NamedTuple):
    """What one subject request id sent to a processor stands for."""

    request_id: str
    system_id: str
    action: str


class PinnedCertificate(NamedTuple):
    """The certificate a processor's callbacks must be signed with, and the domain it names."""

    domain: str
    pem: str


class ProcessorRecords(Repository):
    def map_subject_request(
        self, subject_request_id: str, request_id: str, system_id: str, action: str
    ) -> bool:
        """Tie a processor's subject request id to one (request, system, action), before it is sent.
        True if it is (now) tied to exactly these; False if the id belongs to something else."""
        key = subject_request_key(subject_request_id)
        mine = {"request_id": request_id, "system_id": system_id, "action": action}
        if write_if(
            self._table.put_item, Item={**key, **mine}, ConditionExpression="attribute_not_exists(pk)"
        ):
            return True
        held = self._table.get_item(Key=key, ConsistentRead=True).get("Item") or {}
        return all(held.get(name) == value for name, value in mine.items())

    def subject_request(self, subject_request_id: str) -> SubjectRequestLink | None:
        """The (request, system, action) a processor's subject request id was given for."""
        key = subject_request_key(subject_request_id)
        item = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        if item is None:
            return None
        return SubjectRequestLink(str(item["request_id"]), str(item["system_id"]), str(item["action"]))

    def pin_certificate(self, system_id: str, domain: str, pem: str, at: datetime) -> None:
        self._table.put_item(
            Item={
                **certificate_key(system_id),
                "domain": domain,
                "pem": pem,
                "fetched_at": at.isoformat(),
            }
        )

    def pinned_certificate(self, system_id: str) -> PinnedCertificate | None:
        item = self._table.get_item(Key=certificate_key(system_id), ConsistentRead=True).get("Item")
        return PinnedCertificate(str(item["domain"]), str(item["pem"])) if item else None

    def first_delivery(self, fingerprint: str, at: datetime) -> bool:
        """Remember a callback's fingerprint; False if the same bytes were delivered before."""
        return write_if(
            self._table.put_item,
            Item={
                **callback_key(fingerprint),
                "received_at": at.isoformat(),
                "expires_at": int(at.timestamp()) + CALLBACK_MEMORY_SECONDS,
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    def forget_delivery(self, fingerprint: str) -> None:
        """A callback that could not be acted on is forgotten, so its redelivery is acted on."""
        self._table.delete_item(Key=callback_key(fingerprint))
