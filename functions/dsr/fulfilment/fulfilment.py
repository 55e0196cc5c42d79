"""Carrying the request out, first step: the system tasks a request's types ask of the registry's
systems, split into what the desk's own connectors do now and what is handed to someone else, and
the account ids our own records tie to the subject. Running each task is
``dsr.fulfilment.carrying_out``'s; compiling what they returned is ``dsr.fulfilment.results``'.

What goes back to the state machine stays small: ids, the status and a count.
"""

from collections.abc import Iterable
from enum import StrEnum

from aws_lambda_powertools import Logger
from pydantic import Field

from dsr.connectors.base import Subject, is_safe_key_segment
from dsr.connectors.selection import connector_for
from dsr.core.actions import ACTIONS_FOR_REQUEST_TYPE, ONLY_AUTOMATED_DECISION_SYSTEMS, Action
from dsr.core.desk_model import DeskModel
from dsr.core.models import PrivacyRequest, RequestForSystems, RequestType, Status
from dsr.core.registry import SystemEntry, SystemRegistry
from dsr.core.registry_stores import HandOffRoute
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.wiring.desk import Desk

logger = Logger(child=True)


ACCOUNT_VERIFIED_LEVEL = "account"


class Route(StrEnum):
    CARRY_OUT = "carry_out"
    """The desk's own connector does it, now."""
    HAND_OFF = "hand_off"
    """A processor, vendor or customer does it; the task waits for their answer."""


class Worker(StrEnum):
    """Which function carries out a task of the desk's own: the state machine chooses by it."""

    CONNECTORS = "connectors"
    """RunSystemTaskFunction: tables and line-by-line objects, with the shared layer alone."""
    DATA_LAKE = "data_lake"
    """RunDataLakeTaskFunction: Parquet, with pyarrow in a layer of its own (too large to share)."""


DATA_LAKE_KINDS = frozenset({"s3_parquet"})


class SystemTask(DeskModel):
    system_id: str
    action: Action
    route: Route = Route.CARRY_OUT
    worker: Worker = Worker.CONNECTORS
    wait_seconds: int = Field(default=0, description="how long a hand-off may wait, as a backstop")


ANSWER_GRACE_SECONDS = 2 * 24 * 3600
"""The state machine's own timeout on a hand-off comes this long after the sweeper's, which ends
the wait by the desk's clock; it only matters if the sweeper stopped running."""


HOLDING_WAIT_SECONDS = 365 * 24 * 3600
"""A task whose silence rule is ``block_closing`` waits as long as an execution can live (a
Standard workflow's year): its date passing must not end it, only an answer does."""


def task_for(system: SystemEntry, action: Action) -> SystemTask:
    if not system.hands_off:
        worker = Worker.DATA_LAKE if system.store.kind in DATA_LAKE_KINDS else Worker.CONNECTORS
        return SystemTask(system_id=system.id, action=action, worker=worker)
    days = system.store.answer_within_days if isinstance(system.store, HandOffRoute) else 14
    holds = isinstance(system.store, HandOffRoute) and system.store.when_silent == "block_closing"
    return SystemTask(
        system_id=system.id,
        action=action,
        route=Route.HAND_OFF,
        wait_seconds=HOLDING_WAIT_SECONDS if holds else days * 24 * 3600 + ANSWER_GRACE_SECONDS,
    )


class Plan(DeskModel):
    """The desk's own exports run before its own changes, so an erasure in the same request
    cannot pre-empt the copy; then what others hold is handed to them. Each list is one Map in
    the state machine, so no item pays for a state that chooses its route."""

    exports: list[SystemTask]
    changes: list[SystemTask]
    hand_offs: list[SystemTask] = []
    not_covered: list[str]


class SystemResult(DeskModel):
    system_id: str
    action: Action
    status: OutcomeStatus
    records: int


class Compiled(DeskModel):
    outcome: str
    succeeded: int
    failed: int
    package_key: str | None
    held_for_review: bool = False
    """The access package waits for a reviewer's release (``dsr.review.package_review``)."""


# ------------------------------------------------------------------------------ planning


def planned_tasks(registry: SystemRegistry, request_types: Iterable[RequestType]) -> list[SystemTask]:
    """Every system and action the request types need, in registry order. A type answered
    without systems (a third-party list, a profiling review) asks nothing of them; a request for
    information about automated decisions asks for a copy from the systems that make them only."""
    kinds = [t for t in request_types if t in ACTIONS_FOR_REQUEST_TYPE]
    everywhere = {ACTIONS_FOR_REQUEST_TYPE[t] for t in kinds if t not in ONLY_AUTOMATED_DECISION_SYSTEMS}
    actions = list(dict.fromkeys(ACTIONS_FOR_REQUEST_TYPE[t] for t in kinds))
    return [
        task_for(system, action)
        for system in registry.systems
        for action in actions
        if system.supports(action) and (action in everywhere or system.automated_decisions is not None)
    ]


def not_covered_types(registry: SystemRegistry, request_types: Iterable[RequestType]) -> list[str]:
    """The request types no system in the registry can carry out (none, for those answered
    without systems)."""
    supported = registry.supported_actions()
    return [
        t.value
        for t in request_types
        if t in ACTIONS_FOR_REQUEST_TYPE
        and (
            ACTIONS_FOR_REQUEST_TYPE[t] not in supported
            or (t in ONLY_AUTOMATED_DECISION_SYSTEMS and not registry.automated_decision_systems())
        )
    ]


def plan(desk: Desk, request_id: str) -> Plan:
    """Choose, from the registry, every system and action the request needs."""
    request = desk.store.transition(
        request_id, [Status.AWAITING_APPROVAL, Status.IN_PROGRESS], Status.IN_PROGRESS
    )
    resolve_identities(desk, request)
    not_covered = not_covered_types(desk.registry, request.request_types)
    tasks = planned_tasks(desk.registry, request.request_types)
    desk.audit(
        request_id,
        "workflow",
        "plan systems",
        f"{len(tasks)} system tasks",
        systems=",".join(sorted({t.system_id for t in tasks})),
        not_covered=",".join(not_covered) or None,
    )
    return split_plan(tasks, not_covered)


def split_plan(tasks: list[SystemTask], not_covered: list[str]) -> Plan:
    """The desk's own exports first; then its own changes; then everything handed to others. A
    processor or vendor orders its own copy and deletion, and waiting weeks for their answers
    must not hold up the desk's own erasures."""
    own = [t for t in tasks if t.route is Route.CARRY_OUT]
    return Plan(
        exports=[t for t in own if not t.action.changes_data],
        changes=[t for t in own if t.action.changes_data],
        hand_offs=[t for t in tasks if t.route is Route.HAND_OFF],
        not_covered=not_covered,
    )


def subject_of(request: RequestForSystems) -> Subject:
    """The identities a connector may look for: the verified email, the account id only when the
    product vouched for it (a subject's own claim to an account id finds nothing), and the account
    ids resolved from our records of that email."""
    verified_account = request.verification_level == ACCOUNT_VERIFIED_LEVEL
    return Subject(
        email=str(request.subject.email),
        account_id=request.subject.account_id if verified_account else None,
        resolved_account_ids=tuple(request.resolved_account_ids),
    )


MAX_RESOLVED_IDENTIFIERS = 20


def resolve_identities(desk: Desk, request: PrivacyRequest) -> list[str]:
    """Identity enrichment: the account ids our own records tie to the verified email (the
    systems that ``provides`` them), stored on the request so that systems keyed by account find
    the subject too, in this run and any re-run. Only ids, never read from what the subject typed;
    a value that is not a plain id (a slash, say) is left out, since ids may name object keys."""
    subject = subject_of(request)
    found: dict[str, None] = dict.fromkeys(request.resolved_account_ids)
    unusable = 0
    for system in desk.registry.systems:
        attribute = system.provides.get("account_id")
        if attribute is None:
            continue
        for record in connector_for(desk, system).export(subject):
            value = record.get(attribute)
            if value in (None, ""):
                continue
            if not is_safe_key_segment(value):
                unusable += 1
            elif len(found) < MAX_RESOLVED_IDENTIFIERS:
                found[str(value)] = None
    resolved = list(found)
    if resolved != request.resolved_account_ids or unusable:
        desk.store.set_fields(request.request_id, {"resolved_account_ids": resolved})
        left_out = f", {unusable} left out (not a plain id)" if unusable else ""
        desk.audit(
            request.request_id, "workflow", "resolve identities", f"{len(resolved)} account ids{left_out}"
        )
    return resolved
