"""Carrying the request out: plan the systems, run each one, compile what they returned.

Each system task ends in an outcome, recorded on the request under ``SYS#<system>#<action>``:

- ``done``: carried out; ``records`` says how many records it touched;
- ``nothing_found``: the system holds nothing of the subject's (or, for a correction, none of the
  fields the subject asked to correct: ``not_held`` names them);
- ``exempt``: the law keeps the records; what was done instead (``carried_out``), the ``reason``
  and the ``citation`` are recorded and told to the subject;
- ``failed``: an error, after the workflow's retries; staff may re-run it;
- ``waiting``: handed to someone else (a subprocessor, a vendor, a customer) who has not answered.

What goes back to the state machine stays small: ids, the status and a count.
"""

from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from pydantic import Field

from dsr.connectors.base import Connector, IdentityUnavailableError, Subject, is_safe_key_segment
from dsr.connectors.selection import connector_for
from dsr.core.actions import ACTIONS_FOR_REQUEST_TYPE, Action
from dsr.core.desk_model import DeskModel
from dsr.core.models import PrivacyRequest, RequestForSystems, RequestType, Status, normalized_phone
from dsr.core.registry import (
    AnonymizeSpec,
    HandOffRoute,
    OpenDsrProcessor,
    S3Bucket,
    SystemEntry,
    SystemRegistry,
    VendorByEmail,
)
from dsr.fulfilment.outcomes import SUCCESSFUL_OUTCOMES, Carried, OutcomeStatus, record_outcome
from dsr.storage.outcomes import StoredOutcome
from dsr.wiring.desk import Desk

logger = Logger(child=True)

ACCOUNT_VERIFIED_LEVEL = "account"


class Route(StrEnum):
    CARRY_OUT = "carry_out"
    """The desk's own connector does it, now."""
    HAND_OFF = "hand_off"
    """A processor, vendor or customer does it; the task waits for their answer."""


class SystemTask(DeskModel):
    system_id: str
    action: Action
    route: Route = Route.CARRY_OUT
    wait_seconds: int = Field(default=0, description="how long a hand-off may wait, as a backstop")


ANSWER_GRACE_SECONDS = 2 * 24 * 3600
"""The state machine's own timeout on a hand-off comes this long after the sweeper's, which ends
the wait by the desk's clock; it only matters if the sweeper stopped running."""


def task_for(system: SystemEntry, action: Action) -> SystemTask:
    if not system.hands_off:
        return SystemTask(system_id=system.id, action=action)
    days = system.store.answer_within_days if isinstance(system.store, HandOffRoute) else 14
    return SystemTask(
        system_id=system.id,
        action=action,
        route=Route.HAND_OFF,
        wait_seconds=days * 24 * 3600 + ANSWER_GRACE_SECONDS,
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


# ------------------------------------------------------------------------------ planning


def planned_tasks(registry: SystemRegistry, request_types: Iterable[RequestType]) -> list[SystemTask]:
    """Every system and action the request types need, in registry order."""
    actions = list(dict.fromkeys(ACTIONS_FOR_REQUEST_TYPE[t] for t in request_types))
    return [
        task_for(system, action)
        for system in registry.systems
        for action in actions
        if system.supports(action)
    ]


def plan(desk: Desk, request_id: str) -> Plan:
    """Choose, from the registry, every system and action the request needs."""
    request = desk.store.transition(
        request_id, [Status.AWAITING_APPROVAL, Status.IN_PROGRESS], Status.IN_PROGRESS
    )
    resolve_identities(desk, request)
    supported = desk.registry.supported_actions()
    not_covered = [t.value for t in request.request_types if ACTIONS_FOR_REQUEST_TYPE[t] not in supported]
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


# ------------------------------------------------------------------------------ carrying out


# S3's code when the expected owner is not the bucket's owner (dsr.connectors.owned_bucket).
ACCESS_DENIED = "AccessDenied"


def refused_bucket(system: SystemEntry, error: ClientError) -> str | None:
    """What to tell staff when S3 refused a call to the system's bucket; None for other errors."""
    store = system.store
    if not isinstance(store, S3Bucket) or error.response.get("Error", {}).get("Code") != ACCESS_DENIED:
        return None
    owner = f"account {store.owner_account}" if store.owner_account else "the desk's own account"
    return (
        f"system {system.id}: S3 refused access to bucket {store.bucket} (AccessDenied). The registry "
        f"expects it to be owned by {owner} (owner_account in systems.yaml); if it is, the "
        "function's role may not use the bucket"
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


def run_system_task(desk: Desk, request_id: str, task: SystemTask) -> SystemResult:
    """Carry out one action in one system and record the outcome on the request."""
    request = desk.store.get_for_systems(request_id)
    system = desk.registry.system(task.system_id)
    try:
        carried = carry_out(desk, request, system, task.action)
    except IdentityUnavailableError as missing:
        carried = Carried(OutcomeStatus.FAILED, 0, {"error": str(missing)})
    except ClientError as error:
        # Refused for the bucket's owner or the role's permissions: retrying changes neither.
        refusal = refused_bucket(system, error)
        if refusal is None:
            raise
        carried = Carried(OutcomeStatus.FAILED, 0, {"error": refusal})
    record_outcome(desk, request_id, system.id, task.action, carried)
    logger.info(
        "system task finished",
        request_id=request_id,
        system_id=system.id,
        action=task.action.value,
        status=carried.status.value,
        records=carried.records,
    )
    return SystemResult(
        system_id=system.id, action=task.action, status=carried.status, records=carried.records
    )


def carry_out(desk: Desk, request: RequestForSystems, system: SystemEntry, action: Action) -> Carried:
    connector = connector_for(desk, system)
    subject = subject_of(request)
    exemption = system.exemption_for(action)
    if exemption is not None:
        detail = {"reason": exemption.reason, "citation": exemption.citation}
        if exemption.instead is not None:
            count = _anonymizing(exemption.instead)(connector, subject)
            detail |= {"carried_out": "anonymized", "anonymized": ",".join(exemption.instead.fields)}
        else:
            count = sum(1 for _ in connector.export(subject))
            detail["carried_out"] = "kept unchanged"
        if not count:
            return Carried(OutcomeStatus.NOTHING_FOUND, 0)
        return Carried(OutcomeStatus.EXEMPT, count, detail)
    if action is Action.EXPORT:
        count = desk.packages.put_part(request.request_id, system.id, connector.export(subject))
        return in_package(_counted(count))
    if action is Action.RECTIFY:
        return _rectify(connector, subject, system, request)
    return _counted(_change_for(system, action)(connector, subject))


ConnectorChange = Callable[[Connector, Subject], int]


def _change_for(system: SystemEntry, action: Action) -> ConnectorChange:
    """Erase (delete or anonymize), restrict, object or opt out: what to ask of the connector."""
    if action is Action.ERASE and system.actions.erase is not None:
        anonymization = system.actions.erase.anonymization
        return _anonymizing(anonymization) if anonymization else _deleting
    flags = system.actions.flags(action)
    if flags is None:
        raise ValueError(f"system {system.id} does not declare {action.value}")
    return lambda connector, subject: connector.set_fields(subject, flags.set_fields)


def _deleting(connector: Connector, subject: Subject) -> int:
    return connector.delete(subject)


def _anonymizing(spec: AnonymizeSpec) -> ConnectorChange:
    return lambda connector, subject: connector.anonymize(subject, spec.fields)


def _rectify(
    connector: Connector, subject: Subject, system: SystemEntry, request: RequestForSystems
) -> Carried:
    """Write each correction this system maps; report the fields it does not hold."""
    mapping = system.actions.rectify.fields if system.actions.rectify else {}
    values: dict[str, str] = {}
    not_held: list[str] = []
    for correction in request.corrections:
        name = correction_field_name(correction.field)
        if name in mapping:
            values[mapping[name]] = _stored_form(name, correction.corrected_value, request)
        else:
            not_held.append(name)
    detail = {"not_held": ",".join(sorted(set(not_held)))} if not_held else {}
    if not values:
        return Carried(OutcomeStatus.NOTHING_FOUND, 0, detail)
    count = connector.correct(subject, values)
    if not count:
        return Carried(OutcomeStatus.NOTHING_FOUND, 0)  # no record of theirs here at all
    detail["corrected"] = ",".join(sorted(name for name in mapping if mapping[name] in values))
    return Carried(OutcomeStatus.DONE, count, detail)


def _stored_form(field_name: str, value: str, request: RequestForSystems) -> str:
    """Phones are stored in E.164, as intake stores them; a number that cannot be read is
    written as the subject gave it."""
    if field_name != "phone":
        return value
    address = request.subject.postal_address
    try:
        return normalized_phone(value, address.country if address else request.country)
    except ValueError:
        return value


def correction_field_name(field_name: str) -> str:
    """``Postal address`` and ``postal-address`` are the registry's ``postal_address``."""
    return "_".join(field_name.strip().lower().replace("-", " ").split())


def in_package(carried: Carried) -> Carried:
    """Mark an export whose records are now a part of the subject's package."""
    if carried.status is OutcomeStatus.DONE:
        return carried._replace(detail={**carried.detail, "in_package": "true"})
    return carried


def _counted(count: int) -> Carried:
    return Carried(OutcomeStatus.DONE if count else OutcomeStatus.NOTHING_FOUND, count)


def record_system_failure(desk: Desk, request_id: str, task: SystemTask, error: str) -> SystemResult:
    """A system task that failed after its retries: recorded, so staff can re-run just that one."""
    desk.store.put_system_outcome(
        request_id,
        task.system_id,
        task.action.value,
        {"status": OutcomeStatus.FAILED.value, "error": error[:500], "finished_at": desk.now().isoformat()},
        desk.audit_event(
            request_id, f"system:{task.system_id}", task.action.value, "failed", error=error[:200]
        ),
    )
    return SystemResult(system_id=task.system_id, action=task.action, status=OutcomeStatus.FAILED, records=0)


# ------------------------------------------------------------------------------ compiling


def compile_results(desk: Desk, request_id: str) -> Compiled:
    """Gather the outcomes; for an access request, build the package the subject downloads.

    Nothing found and exempt are successes: the system was asked and answered. Failed and waiting
    are not (yet)."""
    request = desk.store.get(request_id)
    outcomes = desk.store.system_outcomes(request_id)
    succeeded = [o for o in outcomes if _status_of(o) in SUCCESSFUL_OUTCOMES]
    unfinished = [o for o in outcomes if _status_of(o) not in SUCCESSFUL_OUTCOMES]
    # Only parts the desk holds: an export a vendor or a customer answered themselves is not here.
    exported = [
        o.system_id
        for o in succeeded
        if o.action == Action.EXPORT.value and _status_of(o) is OutcomeStatus.DONE and o.get("in_package")
    ]
    package_key = None
    if exported:
        # The counts the completion email gives, so the package and the email agree
        records = {
            o.system_id: o.records or 0
            for o in succeeded
            if o.action == Action.EXPORT.value and o.system_id in exported
        }
        found_nothing = {
            o.system_id
            for o in succeeded
            if o.action == Action.EXPORT.value and _status_of(o) is OutcomeStatus.NOTHING_FOUND
        }
        header: dict[str, Any] = {
            "reference": request_id,
            "received_at": request.received_at.isoformat(),
            "generated_at": desk.now().isoformat(),
            "systems": {
                s.id: {"name": s.name, "categories": s.categories, "records": records[s.id]}
                for s in desk.registry.systems
                if s.id in exported
            },
            "nothing_found": {s.id: s.name for s in desk.registry.systems if s.id in found_nothing},
        }
        package_key = desk.packages.compile(request_id, exported, header)
        readable_key = desk.packages.compile_readable(request_id, exported, header)
        desk.store.set_fields(request_id, {"package_key": package_key, "readable_package_key": readable_key})
    outcome = "partial" if unfinished else "completed"
    desk.audit(
        request_id,
        "workflow",
        "compile results",
        outcome,
        succeeded=len(succeeded),
        failed=len(unfinished),
        package=bool(package_key),
    )
    return Compiled(
        outcome=outcome, succeeded=len(succeeded), failed=len(unfinished), package_key=package_key
    )


# ------------------------------------------------------------------------------ telling the subject

_DONE_WORDS = {
    Action.EXPORT: "copied into your download",
    Action.ERASE: "deleted",
    Action.RECTIFY: "corrected",
    Action.RESTRICT: "marked so that we only store {them} and do not otherwise use {them}",
    Action.OBJECT: "marked so that we no longer use {them} for our legitimate interests",
    Action.OPT_OUT: "opted out",
}
_ACTION_NAMES = {
    Action.EXPORT: "copy",
    Action.ERASE: "deletion",
    Action.RECTIFY: "correction",
    Action.RESTRICT: "restriction",
    Action.OBJECT: "objection",
    Action.OPT_OUT: "opt-out",
}


def outcome_lines(desk: Desk, request_id: str) -> list[str]:
    """One plain-English line per system and action: what was done, found, kept or not yet done.
    Names systems, counts and field names, never a personal value."""
    systems = {system.id: system for system in desk.registry.systems}
    lines = []
    for outcome in desk.store.system_outcomes(request_id):
        system_id = outcome.system_id
        system = systems.get(system_id)
        try:
            action = Action(outcome.action)
        except ValueError:
            continue
        described = {**outcome.fields, "handed_to": handed_to(system) if system else ""}
        lines.append(f"{system.name if system else system_id}: {describe_outcome(action, described)}")
    return lines


def _processor_name(system_name: str) -> str:
    """``Marketing email (our email provider)`` names its processor in brackets: ``our email
    provider``; a name without brackets is said whole. Never the processor's domain."""
    inner = system_name.rpartition("(")[2].removesuffix(")").strip()
    return inner if system_name.endswith(")") and inner else f"the provider of {system_name}"


def handed_to(system: SystemEntry) -> str:
    """Whom a system's tasks are passed to, as the subject is told (empty for the desk's own)."""
    store = system.store
    if isinstance(store, OpenDsrProcessor):
        return _processor_name(system.name)
    if isinstance(store, VendorByEmail):
        return store.vendor
    if isinstance(store, HandOffRoute):
        return "the customers whose CRM holds your details"
    return ""


def describe_outcome(action: Action, outcome: dict[str, Any]) -> str:
    """What the subject is told of one system's outcome for one action (after its name)."""
    status = _status_of(outcome)
    records = int(outcome.get("records", 0) or 0)
    describe = _DESCRIBERS.get(status, _describe_unfinished)
    return describe(action, records, outcome)


def _describe_done(action: Action, records: int, outcome: dict[str, Any]) -> str:
    confirmed_by = str(outcome.get("confirmed_by", ""))
    if confirmed_by and not (action is Action.EXPORT and outcome.get("in_package")):
        to = str(outcome.get("handed_to") or "those who hold it")
        if action is Action.EXPORT:  # what they hold is theirs to send: it is not in the download
            return (
                f"we asked {to} for a copy of the personal data they hold about you, and they "
                "confirmed they have answered; that copy is not part of your download."
            )
        return f"we passed on the {_ACTION_NAMES[action]} to {to}, and they confirmed it was carried out."
    text = f"{_records(records)} {_DONE_WORDS[action].format(them='it' if records == 1 else 'them')}"
    if action is Action.RECTIFY and outcome.get("corrected"):
        text += f" ({_fields(outcome['corrected'])})"
    return text + _not_held_note(outcome) + "."


def _describe_nothing_found(action: Action, records: int, outcome: dict[str, Any]) -> str:
    if action is Action.RECTIFY and outcome.get("not_held"):
        return f"we do not hold {_fields(outcome['not_held'])} here, so there was nothing to correct."
    return "we found no personal data about you here."


def _describe_exempt(action: Action, records: int, outcome: dict[str, Any]) -> str:
    because = (
        f"because {_sentence(str(outcome.get('reason', '')))}"
        f" ({outcome.get('citation', 'no citation recorded')})"
    )
    if action is Action.EXPORT:
        return f"{_records(records)} withheld from your copy {because}."
    kept = f"we keep {_records(records)} {because}"
    if outcome.get("carried_out") == "anonymized":
        removed = _fields(str(outcome.get("anonymized", ""))) or "identifying details"
        return f"{kept}, with your {removed} removed from them."
    return f"{kept}; the {_ACTION_NAMES[action]} was not carried out here."


def _describe_unfinished(action: Action, records: int, outcome: dict[str, Any]) -> str:
    if _status_of(outcome) is OutcomeStatus.WAITING:
        to = f" to {outcome['waiting_on']}" if outcome.get("waiting_on") else ""
        return (
            f"the {_ACTION_NAMES[action]} has been passed on{to} and we are waiting for it to be confirmed."
        )
    return f"the {_ACTION_NAMES[action]} is not yet done; our team is on it."


_DESCRIBERS: dict[OutcomeStatus | None, Callable[[Action, int, dict[str, Any]], str]] = {
    OutcomeStatus.DONE: _describe_done,
    OutcomeStatus.NOTHING_FOUND: _describe_nothing_found,
    OutcomeStatus.EXEMPT: _describe_exempt,
}


def _records(count: int) -> str:
    return "1 record" if count == 1 else f"{count} records"


def _fields(names: str) -> str:
    """``name,postal_address`` reads ``name and postal address``."""
    words = [name.replace("_", " ") for name in names.split(",") if name]
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _not_held_note(outcome: dict[str, Any]) -> str:
    not_held = outcome.get("not_held")
    return f"; {_fields(not_held)} not held here" if not_held else ""


def _sentence(reason: str) -> str:
    reason = reason.strip().rstrip(".")
    if not reason:
        return "the law requires it"
    starts_a_sentence = len(reason) > 1 and reason[1].islower()  # "Tax law ...", not "IRS ..."
    return reason[0].lower() + reason[1:] if starts_a_sentence else reason


def _status_of(outcome: StoredOutcome | Mapping[str, Any]) -> OutcomeStatus | None:
    try:
        return OutcomeStatus(str(outcome.get("status")))
    except ValueError:
        return None
