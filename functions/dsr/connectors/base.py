"""Connectors find one subject in one kind of store and carry out an action there.

Every change is idempotent: carried out twice, it changes the records once, and the second time
finds nothing left to erase (0 records) or writes the same values again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, Protocol

from dsr.core.keyed_hash import normalized_email
from dsr.core.registry_stores import FlagValue, Replacement

__all__ = [
    "SAFE_KEY_SEGMENT",
    "Connector",
    "FlagValue",
    "IdentityUnavailableError",
    "Record",
    "Replacement",
    "SaasError",
    "StoreLayoutError",
    "Subject",
    "is_safe_key_segment",
]

Record = dict[str, Any]

SAFE_KEY_SEGMENT = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What an identity must look like to be put into an S3 key or prefix: no slash, no dot, no
wildcard, never empty, so that a value cannot reach above or beside the subject's own prefix."""


def is_safe_key_segment(value: object) -> bool:
    return isinstance(value, str) and SAFE_KEY_SEGMENT.fullmatch(value) is not None


class Subject(NamedTuple):
    """Who a connector looks for. Only identities the desk has verified belong here."""

    email: str
    account_id: str | None = None
    """Set only when the product vouched for the account (the subject signed in)."""
    resolved_account_ids: tuple[str, ...] = ()
    """Accounts our own records tie to the verified email (resolved before fan-out)."""

    @classmethod
    def of(cls, subject: Subject | str) -> Subject:
        """A bare string is an email address (how verification asks for the held data points)."""
        return subject if isinstance(subject, Subject) else cls(email=subject)

    @property
    def normalized_email(self) -> str:
        return normalized_email(self.email)

    @property
    def email_hash(self) -> str:
        """SHA-256 hex of the trimmed, lower-cased address: how object keys name a subject."""
        return hashlib.sha256(self.normalized_email.encode("utf-8")).hexdigest()

    def email_spellings(self) -> list[str]:
        """The address as given and in its normalized form: stores compare keys exactly."""
        return list(dict.fromkeys([self.email, self.normalized_email]))

    def account_ids(self) -> list[str]:
        """Every account id the subject may be found by: vouched for, then resolved."""
        vouched = [self.account_id] if self.account_id else []
        return list(dict.fromkeys([*vouched, *self.resolved_account_ids]))

    def holds(self, value: object) -> bool:
        return isinstance(value, str) and normalized_email(value) == self.normalized_email


class IdentityUnavailableError(LookupError):
    """The store finds people by an identity this request has not verified (an account id), or
    one that cannot name an S3 prefix safely."""


class SaasError(RuntimeError):
    """A SaaS tool refused a request or could not be reached; the message names the tool, the
    request as its definition declares it (``find.request``, ``actions.erase.steps.0``) and the
    status, never a value of the person's."""

    def __init__(self, tool: str, where: str, status: int | None, detail: str = "") -> None:
        answered = f"answered {status}" if status is not None else "did not answer"
        super().__init__(f"{tool}: {where} {answered}{f' ({detail})' if detail else ''}")
        self.status = status


class StoreLayoutError(ValueError):
    """An object is not laid out as the registry says (a CSV column missing, say)."""


class Connector(Protocol):
    def export(self, subject: Subject | str) -> Iterator[Record]:
        """Every record that holds the subject, streamed."""
        ...

    def delete(self, subject: Subject) -> int:
        """Remove every record that holds the subject; the number removed."""
        ...

    def anonymize(self, subject: Subject, replacements: Mapping[str, Replacement]) -> int:
        """Replace the named values the subject's records hold; the number of records changed."""
        ...

    def correct(self, subject: Subject, values: Mapping[str, str]) -> int:
        """Write corrected values into the attributes the records already hold; records changed."""
        ...

    def set_fields(self, subject: Subject, fields: Mapping[str, FlagValue]) -> int:
        """Record a restriction, objection or opt-out on every record; the number marked."""
        ...
