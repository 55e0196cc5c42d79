"""The link a person answers a handed-off task through: a vendor, a customer's administrators, or
whoever else a hand-off route waits on (``HandOffRoute.waits_on_a_person``).

A link names one task and one holder (the vendor; for customers, each customer told), and
nothing else: ``/answer/<request>/<system>/<action>?for=<holder>&key=<secret>``. No personal data
is in it. The secret is a keyed hash (HMAC in KMS, the identity key) of the task, the holder and
the attempt, so the ask and every reminder of it carry the same link while a re-run (a new
attempt) makes a new one; the task keeps only the SHA-256 of the secret, and a link is checked
against it in constant time, without KMS.

A link works until the answer-by time plus :data:`GRACE` (an answer typed on the last afternoon
still counts when the sweeper has not yet run), or while the task waits where silence keeps the
request open (:data:`HOLDING`), and answers once: afterwards it says who answered
and when. A link that is not the desk's (a changed secret, request, system, action or holder) is
"not valid" and tells nothing about any task.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, NamedTuple
from urllib.parse import quote, urlencode

from dsr.core.actions import Action
from dsr.core.registry_stores import HandOffRoute
from dsr.notices.handoff_notices import AnswerLink
from dsr.storage.keys import hand_off_stage
from dsr.wiring.desk import Desk

if TYPE_CHECKING:
    from dsr.core.registry import SystemEntry

GRACE: Final = timedelta(days=2)
"""How long after the answer-by time a link still opens its page."""
HOLDING: Final = timedelta(days=365)
"""A task whose silence rule is ``block_closing`` waits past its date, as long as its execution may
(``dsr.fulfilment.fulfilment.HOLDING_WAIT_SECONDS``): its link, sent again with each reminder,
stays open as long, until it is answered."""


def open_until(route: HandOffRoute, answer_by: datetime) -> datetime:
    """When the link of a task answerable by ``answer_by`` stops opening its page."""
    return answer_by + (HOLDING if route.when_silent == "block_closing" else GRACE)


SOLE_HOLDER: Final = "owner"
"""The holder of the one link of a route that asks one party (a vendor)."""

_SECRET_SPELLING: Final = re.compile(r"[A-Za-z0-9_-]{43}")
_HOLDER_SPELLING: Final = re.compile(r"[A-Za-z0-9._-]{1,128}")
"""A holder is an id (a customer's), never an address."""


class LinkRefusal(StrEnum):
    """Why a link does not open its task."""

    NOT_VALID = "not valid"
    EXPIRED = "expired"
    ANSWERED = "answered"


class LinkRefusedError(LookupError):
    """The link does not open its task: ``refusal`` says why; for an answered task, who answered
    (``answered_by``, as :func:`answered_by_words` puts it for the owner) and when."""

    def __init__(
        self, refusal: LinkRefusal, answered_by: str | None = None, answered_at: datetime | None = None
    ) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.answered_by = answered_by
        self.answered_at = answered_at


class OwnerTask(NamedTuple):
    """A task, as the holder of its link reaches it."""

    request_id: str
    system: SystemEntry
    route: HandOffRoute
    action: Action
    holder: str
    answer_by: datetime
    several_holders: bool


def answer_link(
    desk: Desk, request_id: str, system_id: str, action: Action, holder: str = SOLE_HOLDER
) -> AnswerLink:
    """The link ``holder`` answers the waiting task through: the one function every message that
    asks (or reminds) calls. Keeps the hash of its secret on the task; the same link each time
    for one attempt. Raises LookupError when no task waits there."""
    stage = hand_off_stage(system_id, action.value)
    task = desk.store.get_task(request_id, stage)
    if task is None or not _HOLDER_SPELLING.fullmatch(holder):
        raise LookupError(f"no task of {system_id} {action.value} waits on {holder}")
    secret = _secret(desk, request_id, stage, holder=holder, attempt=int(task.get("attempt", 1)))
    if not desk.store.keep_link(request_id, stage, holder, _hash(secret)):
        raise LookupError(f"{system_id} {action.value} does not wait on a person")
    route = desk.registry.system(system_id).store
    answer_by = datetime.fromisoformat(str(task["answer_by"]))
    until = open_until(route, answer_by) if isinstance(route, HandOffRoute) else answer_by + GRACE
    return AnswerLink(link_url(desk, request_id, system_id, action, holder=holder, secret=secret), until)


def link_url(desk: Desk, request_id: str, system_id: str, action: Action, *, holder: str, secret: str) -> str:
    path = "/".join(quote(part, safe="") for part in (request_id, system_id, action.value))
    return f"{desk.settings.public_base_url}/answer/{path}?" + urlencode({"for": holder, "key": secret})


def _secret(desk: Desk, request_id: str, stage: str, *, holder: str, attempt: int) -> str:
    mac = desk.hasher.digest(f"owner-link:{request_id}:{stage}:{holder}:{attempt}")
    return base64.urlsafe_b64encode(base64.b64decode(mac)).decode().rstrip("=")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_task(
    desk: Desk, request_id: str, system_id: str, action: str, *, holder: str, key: str
) -> OwnerTask:
    """The task the link names, while it waits for this holder's answer; otherwise
    ``LinkRefusedError``: not valid, expired, or answered (with who and when)."""
    system, route, task = _linked_task(desk, request_id, system_id, action, holder=holder, key=key)
    answer_by = datetime.fromisoformat(str(task["answer_by"]))
    if desk.now() > open_until(route, answer_by):
        raise LinkRefusedError(LinkRefusal.EXPIRED)
    own = (task.get("holder_answers") or {}).get(holder)
    if own is not None:
        raise LinkRefusedError(LinkRefusal.ANSWERED, "you", datetime.fromisoformat(str(own["at"])))
    if task.get("decided_at"):
        decided_by = str(task.get("decided_by", ""))
        answered_by = answered_by_words(decided_by, route.answerer(holder))
        raise LinkRefusedError(
            LinkRefusal.ANSWERED, answered_by, datetime.fromisoformat(str(task["decided_at"]))
        )
    return OwnerTask(
        request_id=request_id,
        system=system,
        route=route,
        action=Action(action),
        holder=holder,
        answer_by=answer_by,
        several_holders=holder != SOLE_HOLDER,
    )


def _linked_task(
    desk: Desk, request_id: str, system_id: str, action: str, *, holder: str, key: str
) -> tuple[SystemEntry, HandOffRoute, dict[str, Any]]:
    """The system and the task, when the key is the one kept for this holder of this task."""
    not_valid = LinkRefusedError(LinkRefusal.NOT_VALID)
    if not (_SECRET_SPELLING.fullmatch(key) and _HOLDER_SPELLING.fullmatch(holder)):
        raise not_valid
    if action not in {a.value for a in Action}:
        raise not_valid
    try:
        system = desk.registry.system(system_id)
    except KeyError:
        raise not_valid from None
    route = system.store
    if not isinstance(route, HandOffRoute) or not route.waits_on_a_person:
        raise not_valid
    task = desk.store.get_task(request_id, hand_off_stage(system_id, action))
    kept = str(((task or {}).get("links") or {}).get(holder, ""))
    # Compared in constant time, and compared even when nothing is kept (against nothing).
    if not hmac.compare_digest(_hash(key), kept) or task is None:
        raise not_valid
    return system, route, dict(task)


def answered_by_words(decided_by: str, holder_actor: str) -> str:
    """Who answered, as the link's holder is told: themselves, the desk's staff on their behalf,
    the desk itself (no answer came in time), or (for customers) the last of the customers told."""
    if decided_by == holder_actor:
        return "you"
    if decided_by.startswith("staff:"):
        return "staff"
    if decided_by.startswith("customer:"):
        return "customers"
    return "desk"
