"""Status callbacks to authorized agents (Data Rights Protocol 1.0, 2.03 and 3.08).

Every change of a request item arrives from the requests table's stream, old and new image; the
event source mapping's filter lets through only requests of the ``drp`` channel. A change is sent
when what the agent is told changes (``TOLD_FIELDS``: its state, reason, expected date, the
reason for an extension, the verification and results links): a request's creation is sent too (``open``),
and a write that changes nothing the agent sees (a step marker, a date the agent is not told)
is not. The object sent is the one the status endpoint answers (``current_exercise_status``).

The callback goes to the ``status_callback`` the request kept, checked against the agent's hosts
when the request came in: POSTed once per attempt as JSON, with a short timeout, never following a
redirect elsewhere, and the answer's body discarded unread (2.03.1). It is not signed: the
protocol asks the business to sign nothing. Each attempt is a line in the request's audit trail
(the state sent and the HTTP code, nothing personal). An attempt that fails raises, so the stream
delivers the change again (the event source mapping's retries, then its on-failure queue).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from dsr.agents.exercise_status import ExerciseStatus, current_exercise_status, exercise_status
from dsr.core.models import Channel, PrivacyRequest
from dsr.wiring.desk import Desk

CALLBACK_TIMEOUT_SECONDS = 5.0
AUDIT_ACTOR = "desk"
AUDIT_ACTION = "drp status callback"
TOLD_FIELDS = (
    "status",
    "reason",
    "expected_by",
    "processing_details",
    "user_verification_url",
    "results_url",
)
"""What a change is told for: the state and its reason, the expected date and why it moved, and
the links the agent gives the person. A record-keeping date set after closing is not a change."""
_STAND_IN_FOR_COMPARING = "compared"  # the same on both sides of a comparison
_ALLOWED_SCHEMES = frozenset({"https", "http"})  # http only ever where the desk let it in (loopback, locally)


class CallbackFailedError(RuntimeError):
    """The agent's endpoint did not take the status (not a 2xx, or no answer): delivered again."""

    def __init__(self, request_id: str, http_status: int | None) -> None:
        self.request_id = request_id
        self.http_status = http_status
        answered = f"answered HTTP {http_status}" if http_status is not None else "did not answer"
        super().__init__(f"the status callback of request {request_id} {answered}")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed attempt: the status goes to the host checked at intake, nowhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def request_from_image(image: Mapping[str, Any] | None) -> PrivacyRequest | None:
    """The request a stream image holds (already read from DynamoDB's types), if it holds one."""
    if not image:
        return None
    return PrivacyRequest.model_validate(dict(image))


def agent_sees_a_change(
    old: PrivacyRequest | None, new: PrivacyRequest, *, public_base_url: str, now: datetime
) -> bool:
    """Whether the agent's view of the request differs between the two images: the status object
    each gives, as of the same moment. A request without a callback address has nobody to tell."""
    if new.channel is not Channel.DRP or new.protocol_agent is None or not new.protocol_agent.status_callback:
        return False
    if old is None:
        return True

    # The same stand-in for the status token on both sides: whether the person must still verify
    # is part of the status (need_user_verification), the token itself never changes.
    def seen(request: PrivacyRequest) -> dict[str, Any]:
        status = exercise_status(
            request, public_base_url=public_base_url, now=now, status_token=_STAND_IN_FOR_COMPARING
        ).as_drp()
        return {name: status.get(name) for name in TOLD_FIELDS}

    return seen(old) != seen(new)


def post_status(url: str, status: ExerciseStatus, *, timeout: float = CALLBACK_TIMEOUT_SECONDS) -> int | None:
    """POST the status object; the HTTP code the agent answered (None: no answer). The answer's
    body is not read."""
    if urlsplit(url).scheme not in _ALLOWED_SCHEMES:
        return None
    body = json.dumps(status.as_drp()).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    opener = urllib.request.build_opener(_NoRedirects())
    try:
        with opener.open(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)
    except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException):
        return None


def deliver_change(
    desk: Desk, old_image: Mapping[str, Any] | None, new_image: Mapping[str, Any] | None
) -> bool:
    """Tell the request's agent of the change, if the agent would see one: True once sent; False
    when there was nothing to send. Raises ``CallbackFailedError`` when the agent did not take it."""
    new = request_from_image(new_image)
    if new is None:
        return False
    old = request_from_image(old_image)
    if not agent_sees_a_change(old, new, public_base_url=desk.settings.public_base_url, now=desk.now()):
        return False
    link = new.protocol_agent
    if link is None or link.status_callback is None:  # checked above; for the type checker
        return False
    status = current_exercise_status(desk, new)
    http_status = post_status(link.status_callback, status)
    delivered = http_status is not None and 200 <= http_status < 300
    desk.audit(
        new.request_id,
        AUDIT_ACTOR,
        AUDIT_ACTION,
        "delivered" if delivered else "failed",
        agent_id=link.agent_id,
        status=status.status.value,
        reason=status.reason.value if status.reason else None,
        http_status=http_status,
    )
    if not delivered:
        raise CallbackFailedError(new.request_id, http_status)
    return True
