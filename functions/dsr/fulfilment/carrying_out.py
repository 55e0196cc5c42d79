"""Carrying out one system task through the desk's own connector, and recording its outcome.

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

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from dsr.connectors.base import Connector, IdentityUnavailableError, SaasError, StoreLayoutError, Subject
from dsr.connectors.selection import connector_for
from dsr.core.actions import Action
from dsr.core.identities import normalized_phone
from dsr.core.models import RequestForSystems
from dsr.core.registry import AnonymizeSpec, SystemEntry
from dsr.core.registry_stores import S3Bucket, SaasStore, SqlStore
from dsr.fulfilment.fulfilment import SystemResult, SystemTask, subject_of
from dsr.fulfilment.outcomes import SUCCESSFUL_OUTCOMES, Carried, OutcomeStatus, record_outcome
from dsr.wiring.desk import Desk

if TYPE_CHECKING:
    from dsr.core.tasks import SystemTaskInput

logger = Logger(child=True)

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


# Secrets Manager's codes for a secret that is not there, not the function's, or not decryptable.
SECRET_UNREADABLE = frozenset({"ResourceNotFoundException", "AccessDeniedException", "DecryptionFailure"})


def unreadable_secret(system: SystemEntry, error: ClientError) -> str | None:
    """What to tell staff when the system's credentials could not be read; None for other errors."""
    code = error.response.get("Error", {}).get("Code", "")
    if error.operation_name != "GetSecretValue" or code not in SECRET_UNREADABLE:
        return None
    store = system.store
    if isinstance(store, SaasStore):
        which = f"the secret {store.definition().auth.secret} (the {store.tool} definition's auth.secret)"
    elif isinstance(store, SqlStore):
        which = f"the secret named by {store.secret_arn_env} (the database's credentials)"
    else:
        which = "the system's credentials"
    return (
        f"system {system.id}: Secrets Manager would not give {which}: {code}. Create the secret, "
        "or let the function's role read it and its key (see the README's deployment steps)"
    )


def naming_the_system(system: SystemEntry, error: Exception) -> str:
    """The error as staff read it: which system, if the message does not say so already."""
    message = str(error)
    return message if message.startswith("system ") else f"system {system.id}: {message}"


def run_task_of_workflow(desk: Desk, event: SystemTaskInput) -> dict[str, Any]:
    """One system task of the workflow (a Map item) carried out, answered as the state machine
    takes it back. The functions that run system tasks differ only in the layers they ship."""
    task = SystemTask(system_id=event.system_id, action=event.action)
    return run_system_task(desk, event.request_id, task).model_dump(mode="json")


def run_system_task(desk: Desk, request_id: str, task: SystemTask) -> SystemResult:
    """Carry out one action in one system and record the outcome on the request."""
    request = desk.store.get_for_systems(request_id)
    system = desk.registry.system(task.system_id)
    try:
        carried = _copy_not_made(desk, request_id, system, task.action) or carry_out(
            desk, request, system, task.action
        )
    except (IdentityUnavailableError, StoreLayoutError, SaasError) as unusable:
        # Retrying finds the same identities, the same store and the same refusal (a SaaS tool's
        # names the request as declared and the status, never a value of the person's).
        carried = Carried(OutcomeStatus.FAILED, 0, {"error": naming_the_system(system, unusable)})
    except ClientError as error:
        # Refused for the bucket's owner, the role's permissions or a secret that is not there:
        # retrying changes none of them.
        refusal = refused_bucket(system, error) or unreadable_secret(system, error)
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


def _copy_not_made(desk: Desk, request_id: str, system: SystemEntry, action: Action) -> Carried | None:
    """An erasure waits for the system's copy when the request asked for one too: the exports run
    first, and a system whose export failed is not erased, or a re-run would have nothing left
    to copy. Its erasure fails with the export, and re-running failed systems does both, in order."""
    if action is not Action.ERASE:
        return None
    copy = desk.store.system_outcome(request_id, system.id, Action.EXPORT.value)
    if copy is None or copy.status in SUCCESSFUL_OUTCOMES:
        return None
    return Carried(
        OutcomeStatus.FAILED,
        0,
        {
            "error": f"system {system.id}: not erased, because its records could not be copied for "
            "the access request first (the export failed); once the export can run, re-run failed "
            "systems: the copy is made, then the erasure"
        },
    )


def carry_out(desk: Desk, request: RequestForSystems, system: SystemEntry, action: Action) -> Carried:
    connector = connector_for(desk, system, action.value)
    subject = subject_of(request)
    exemption = system.exemption_for(action)
    if exemption is not None:
        detail = {"reason": str(exemption.reason), "citation": str(exemption.citation)}
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
        return _with_rows_by_table(connector, _rectify(connector, subject, system, request))
    return _with_rows_by_table(connector, _counted(_change_for(system, action)(connector, subject)))


def _with_rows_by_table(connector: Connector, carried: Carried) -> Carried:
    """A connector that reaches several tables (a database) says how many rows of each the
    change affected: recorded beside the total, as ``rows_by_table`` (``accounts=1,invoices=3``).
    Rows an erasure kept with columns anonymized (invoices the law keeps) are told apart: the
    ``records`` deleted, and ``kept_anonymized`` rows with the ``anonymized`` columns."""
    rows: dict[str, int] | None = getattr(connector, "rows_by_table", None)
    if not rows:
        return _with_rows_by_object(connector, carried)
    detail = {**carried.detail, "rows_by_table": ",".join(f"{t}={n}" for t, n in rows.items())}
    kept: dict[str, tuple[int, list[str]]] = getattr(connector, "kept_anonymized", None) or {}
    kept_rows = sum(count for count, _ in kept.values())
    if not kept_rows:
        return carried._replace(detail=detail)
    columns = sorted({column for _, names in kept.values() for column in names})
    detail |= {"kept_anonymized": str(kept_rows), "anonymized": ",".join(columns)}
    return carried._replace(records=carried.records - kept_rows, detail=detail)


MAX_OBJECTS_LISTED = 50


def _with_rows_by_object(connector: Connector, carried: Carried) -> Carried:
    """A connector that rewrites objects of many people's rows (a data lake) says how many of the
    subject's rows each object held: ``objects`` and ``rows_by_object`` (``key=2,key=1``, the
    first MAX_OBJECTS_LISTED keys), never a value."""
    rows: dict[str, int] | None = getattr(connector, "rows_by_object", None)
    if not rows:
        return carried
    listed = ",".join(f"{key}={count}" for key, count in sorted(rows.items())[:MAX_OBJECTS_LISTED])
    return carried._replace(detail={**carried.detail, "objects": str(len(rows)), "rows_by_object": listed})


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
