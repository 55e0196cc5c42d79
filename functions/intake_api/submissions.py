"""Submitting a request from the API or the form, recorded once however often it is sent.

A repeated submission with the same key gets the first answer for 24 hours; the same key with a
different body is refused rather than answered with the wrong receipt. The key is bound to the
caller's address (as a keyed hash) as well: another caller who learns or guesses a key and the
body sent with it makes a submission of their own, and never gets the first caller's receipt
and status token. The API's key is its Idempotency-Key header; the form's is the hidden key the
form was shown with, together with what was typed, so that a form sent again after a change is
a request of its own.
"""

import hashlib
import os
import uuid
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from dsr.core.models import NewRequest
from dsr.web import subject_actions
from dsr.wiring.desk import desk_from_environment
from intake_api.answers import browser_language, global_privacy_control, source_address
from intake_api.schemas import SubmittedRequest

metrics = Metrics()

KEYED_SUBMISSIONS = uuid.UUID("8d3c1f52-6a0e-4b7c-9f1d-2e5a7b9c0d14")
"""Namespace of the request ids named by a submission's key and the body sent with it."""
IDEMPOTENCY = IdempotencyConfig(
    event_key_jmespath="[key, caller]",
    payload_validation_jmespath="body_hash",
    expires_after_seconds=24 * 3600,
)
LONGEST_KEY = 200


def body_hash(event: BaseProxyEvent) -> str:
    return hashlib.sha256((event.body or "").encode()).hexdigest()


def form_key(hidden_key: str, event: BaseProxyEvent) -> str:
    """The form's key: the one it was shown with, and what was sent with it (empty without one)."""
    return f"form:{hidden_key[:100]}:{body_hash(event)}" if hidden_key else ""


def submit(new_request: NewRequest, event: BaseProxyEvent, key: str) -> dict[str, Any]:
    """The receipt (``SubmittedRequest``) of the request, recorded once for each ``key`` (none
    when empty)."""
    desk = desk_from_environment()
    caller = subject_actions.caller_key(desk, source_address(event))
    gpc = global_privacy_control(event)
    language = browser_language(event)
    if not key:
        return _recorded(new_request, caller, gpc, language=language)
    submission = {
        "key": key[:LONGEST_KEY],
        "caller": caller,
        "body_hash": body_hash(event),
        "gpc": gpc,
        "language": language,
        "request": new_request.model_dump(mode="json"),
    }
    receipt: dict[str, Any] = submit_once()(submission=submission)
    return receipt


def submit_once() -> Any:
    import boto3  # noqa: PLC0415 - as the desk does, on first use rather than at import

    desk_from_environment()  # on a cold start, this makes the default session
    return _submit_once_with(boto3.DEFAULT_SESSION)


@lru_cache(maxsize=1)
def _submit_once_with(session: Any) -> Any:
    """One idempotent submitter per boto3 default session: for the life of a Lambda environment,
    and anew each time the local cloud starts. Its client comes from that session rather than the
    new session the persistence layer would otherwise make (about 100 ms of a cold start)."""
    persistence = DynamoDBPersistenceLayer(
        table_name=os.environ["IDEMPOTENCY_TABLE"], boto3_client=session.client("dynamodb")
    )

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="submission", config=IDEMPOTENCY, persistence_store=persistence
    )
    def submit_once(submission: dict[str, Any]) -> dict[str, Any]:
        # The same key and body name the same request, so a retry after a failure midway (the
        # request stored, the rest not) finds it and finishes it rather than making a second.
        named_by = f"{submission['key']}\n{submission['caller']}\n{submission['body_hash']}"
        return _recorded(
            NewRequest.model_validate(submission["request"]),
            submission["caller"],
            submission["gpc"],
            str(uuid.uuid5(KEYED_SUBMISSIONS, named_by)),
            language=submission.get("language"),
        )

    return submit_once


def _recorded(
    new_request: NewRequest,
    caller: str,
    gpc: bool,
    request_id: str | None = None,
    *,
    language: str | None = None,
) -> dict[str, Any]:
    desk = desk_from_environment()
    receipt = subject_actions.submit(
        desk,
        new_request,
        caller=caller,
        global_privacy_control=gpc,
        request_id=request_id,
        browser_language=language,
    )
    metrics.add_metric(name="RequestsReceived", unit=MetricUnit.Count, value=1)
    return SubmittedRequest(
        request_id=receipt.request_id,
        status=receipt.status.value,
        respond_by=receipt.respond_on.isoformat(),
        status_token=receipt.status_token,
        status_url=desk.status_url(receipt.request_id, receipt.status_token),
    ).model_dump()
