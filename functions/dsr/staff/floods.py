"""Floods: many open requests that look like one campaign, grouped for staff with a count.

Requests for one subject, sent by one authorized agent (by email, with a signed permission), or in
near-identical words, each received within a window of the one before, are put together: staff
see "14 requests for one subject" rather than fourteen lines, and can select the group to act on it
(``bulk_work``). Intake's own limits (per address, per subject, per sender) still refuse the worst
before any of this; a group here is for a person to judge, never acted on by itself. Groups name
no one: the subject is a keyed hash and a body is reduced to a digest.
"""

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta
from enum import StrEnum

from dsr.core.desk_model import DeskModel
from dsr.core.models import PrivacyRequest

WINDOW = timedelta(hours=24)
AT_LEAST = 3
"""A group has at least this many requests, each received within ``WINDOW`` of the one before."""
SHORTEST_BODY = 20
"""Words shorter than this (after folding) are too common to say two requests are one campaign."""


class FloodKind(StrEnum):
    SUBJECT = "subject"
    AGENT = "agent"
    WORDS = "words"


class FloodGroup(DeskModel):
    kind: FloodKind
    count: int
    request_ids: list[str]
    first_received_at: str
    last_received_at: str


def flood_groups(requests: Iterable[PrivacyRequest]) -> list[FloodGroup]:
    """Every flood among ``requests``, largest first."""
    chosen = list(requests)
    groups: list[FloodGroup] = []
    for kind, key in ((FloodKind.SUBJECT, _subject), (FloodKind.AGENT, _agent), (FloodKind.WORDS, _words)):
        groups += _groups_by(chosen, kind, key)
    return sorted(groups, key=lambda group: (-group.count, group.first_received_at))


def _groups_by(
    requests: list[PrivacyRequest], kind: FloodKind, key: Callable[[PrivacyRequest], str | None]
) -> list[FloodGroup]:
    by_key: dict[str, list[PrivacyRequest]] = defaultdict(list)
    for request in requests:
        found = key(request)
        if found:
            by_key[found].append(request)
    groups = []
    for alike in by_key.values():
        alike.sort(key=lambda request: request.received_at)
        run = [alike[0]]
        for request in alike[1:]:  # a run: each received within the window of the one before
            if request.received_at - run[-1].received_at > WINDOW:
                groups += [_group(kind, run)] if len(run) >= AT_LEAST else []
                run = []
            run.append(request)
        groups += [_group(kind, run)] if len(run) >= AT_LEAST else []
    return groups


def _group(kind: FloodKind, requests: list[PrivacyRequest]) -> FloodGroup:
    return FloodGroup(
        kind=kind,
        count=len(requests),
        request_ids=[request.request_id for request in requests],
        first_received_at=requests[0].received_at.isoformat(),
        last_received_at=requests[-1].received_at.isoformat(),
    )


def _subject(request: PrivacyRequest) -> str | None:
    return request.subject_hash


def _agent(request: PrivacyRequest) -> str | None:
    # An agent of the Data Rights Protocol sends many people's requests by design: not a flood.
    if request.agent is not None:
        return "agent:" + hashlib.sha256(request.agent.email.strip().lower().encode()).hexdigest()
    return None


def _words(request: PrivacyRequest) -> str | None:
    """The request's own words folded (case, punctuation, numbers, spacing), as a digest."""
    folded = " ".join(re.sub(r"[\W\d_]+", " ", (request.details or "").lower()).split())
    if len(folded) < SHORTEST_BODY:
        return None
    return hashlib.sha256(folded.encode()).hexdigest()
