"""Subprocessors over OpenDSR: asking one to act for a request, and reading its signed answers.

Asking (``prepare`` then ``submit``, inside the hand-off task):

1. One subject request id per (request, system, action), random, tied to them in DynamoDB with a
   conditional write *before* anything is sent; a retry or a re-run reuses it, so the processor
   never gets two requests for one task.
2. Discovery: the processor must say it accepts the request type for the identity we send; the
   certificate its discovery document names is fetched and pinned for the system.
3. A re-run first asks the processor about the request it already has (``GET``): a completed one
   is answered at once, one still in progress keeps waiting, an unknown one is created again.

Answers come back as signed callbacks: see ``processor_callbacks``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from dsr.core.actions import Action
from dsr.core.models import PrivacyRequest, RequestType
from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import OpenDsrProcessor
from dsr.fulfilment.carrying_out import in_package
from dsr.fulfilment.opendsr import (
    IdentityFormat,
    ProcessingStatus,
    Regulation,
    RequestStatus,
    SubjectIdentity,
    SubjectRequestType,
    build_request,
    hash_identity,
    new_subject_request_id,
)
from dsr.fulfilment.opendsr_client import OpenDsrClient, ProcessorError, TransientProcessorError
from dsr.fulfilment.outcomes import Carried, OutcomeStatus
from dsr.storage.keys import hand_off_stage

if TYPE_CHECKING:
    from dsr.wiring.desk import Desk

logger = Logger(child=True)


def client_for(route: OpenDsrProcessor, environment: Mapping[str, str] | None = None) -> OpenDsrClient:
    return OpenDsrClient(route.resolved_base_url(os.environ if environment is None else environment))


def callback_url(desk: Desk, system_id: str) -> str:
    return f"{desk.settings.public_base_url}/opendsr/callbacks/{system_id}"


def subject_request_type(request: PrivacyRequest, action: Action) -> SubjectRequestType:
    if action is Action.ERASE:
        return SubjectRequestType.ERASURE
    if action is Action.EXPORT:
        if RequestType.PORTABILITY in request.request_types:
            return SubjectRequestType.PORTABILITY
        return SubjectRequestType.ACCESS
    raise ProcessorError(None, f"OpenDSR carries access, portability and erasure, not {action.value}")


def regulation_of(request: PrivacyRequest) -> Regulation:
    """US state laws are sent as CCPA, the nearest the protocol names; every other law as GDPR."""
    return Regulation.CCPA if request.jurisdiction.startswith("US-") else Regulation.GDPR


# --- asking -------------------------------------------------------------------------------------


def prepare(
    desk: Desk, request_id: str, system: SystemEntry, action: Action, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The subject request id, tied to this task before it is sent; nothing for other routes."""
    if not isinstance(system.store, OpenDsrProcessor):
        return {}
    subject_request_id = str(fields.get("subject_request_id") or new_subject_request_id())
    if not desk.store.map_subject_request(subject_request_id, request_id, system.id, action.value):
        raise RuntimeError("a subject request id collided with another task's")  # a UUIDv4 collision
    return {"subject_request_id": subject_request_id}


def submit(
    desk: Desk, request: PrivacyRequest, system: SystemEntry, action: Action, fields: Mapping[str, Any]
) -> Carried | None:
    """Send the request to the processor (or, on a re-run, ask where it stands). None: wait for
    the callback. Raises ``TransientProcessorError`` for the state machine to retry."""
    route = route_of(system)
    client = client_for(route)
    discovery = client.discover()
    request_type = subject_request_type(request, action)
    identity_format = IdentityFormat(route.identity_format)
    identity = SubjectIdentity(
        identity_type="email",
        identity_value=hash_identity(str(request.subject.email), identity_format),
        identity_format=identity_format,
    )
    if not discovery.supports(request_type, identity):
        raise ProcessorError(
            None, f"{route.domain} does not accept {request_type.value} by {identity_format.value} email"
        )
    desk.store.pin_certificate(system.id, route.domain, client.certificate().decode("ascii"), desk.now())
    subject_request_id = str(fields["subject_request_id"])
    known = _known_status(client, subject_request_id)
    if known is not None and known.request_status is ProcessingStatus.COMPLETED:
        return completed_outcome(desk, request.request_id, system, action, known.results_url)
    if known is not None and known.request_status is ProcessingStatus.CANCELLED:
        # A cancelled request cannot be sent again under its id: a new one, tied first.
        subject_request_id = _new_id_for(desk, request.request_id, system, action)
        known = None
    if known is None:
        outgoing = build_request(
            subject_request_id,
            request_type,
            str(request.subject.email),
            regulation_of(request),
            callback_url(desk, system.id),
            submitted_time=desk.now(),
            identity_format=identity_format,
        )
        known = client.create(outgoing)
    desk.audit(
        request.request_id,
        f"system:{system.id}",
        f"{action.value} sent to processor",
        str(known.request_status.value if known.request_status else "pending"),
        processor=route.domain,
        subject_request_id=subject_request_id,
    )
    return None


def _known_status(client: OpenDsrClient, subject_request_id: str) -> RequestStatus | None:
    """What the processor says about a request we may have sent before; None if it has none."""
    try:
        return client.status(subject_request_id)
    except ProcessorError as error:
        if error.status_code == 404:
            return None
        raise


def _new_id_for(desk: Desk, request_id: str, system: SystemEntry, action: Action) -> str:
    subject_request_id = new_subject_request_id()
    if not desk.store.map_subject_request(subject_request_id, request_id, system.id, action.value):
        raise RuntimeError("a subject request id collided with another task's")
    desk.store.attach_subject_request(request_id, hand_off_stage(system.id, action.value), subject_request_id)
    return subject_request_id


def route_of(system: SystemEntry) -> OpenDsrProcessor:
    if not isinstance(system.store, OpenDsrProcessor):
        raise TypeError(f"system {system.id} is not an OpenDSR processor")
    return system.store


MAX_RESULT_RECORDS = 10_000


def completed_outcome(
    desk: Desk, request_id: str, system: SystemEntry, action: Action, results_url: str | None
) -> Carried:
    """A processor says it is done: for an export, its results join the subject's package. Results
    that cannot be read end the task failed with the reason (a processor that is down raises
    ``TransientProcessorError``, so its callback is redelivered later)."""
    route = route_of(system)
    detail = {"confirmed_by": route.domain}
    if action is not Action.EXPORT or not results_url:
        return Carried(OutcomeStatus.DONE, 0, detail)
    try:
        records = _records_in(client_for(route).results(results_url))
    except TransientProcessorError:
        raise
    except (ProcessorError, ValueError) as error:
        reason = (
            error.message if isinstance(error, ProcessorError) else "results are not JSON or not on its host"
        )
        return Carried(
            OutcomeStatus.FAILED, 0, {"error": f"{route.domain} results could not be read: {reason}"}
        )
    count = desk.packages.put_part(request_id, system.id, iter(records))
    return in_package(Carried(OutcomeStatus.DONE if count else OutcomeStatus.NOTHING_FOUND, count, detail))


def _records_in(document: bytes) -> list[dict[str, Any]]:
    """A processor's results as records: a JSON list is one record per item, anything else one."""
    parsed = json.loads(document)
    items = parsed if isinstance(parsed, list) else [parsed]
    return [item if isinstance(item, dict) else {"value": item} for item in items[:MAX_RESULT_RECORDS]]
