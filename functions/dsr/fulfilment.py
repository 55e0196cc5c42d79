"""Carrying the request out: plan the systems, run each one, compile what they returned."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from dsr.connectors import Connector
from dsr.connectors.dynamodb import DynamoDbConnector
from dsr.connectors.s3_jsonl import S3JsonLinesConnector
from dsr.desk import Desk
from dsr.models import Status
from dsr.registry import ACTIONS_FOR_REQUEST_TYPE, Action, DynamoDbStore, SystemEntry

logger = Logger(child=True)


class SystemTask(BaseModel):
    system_id: str
    action: Action


class Plan(BaseModel):
    """Exports run before changes, so an erasure in the same request cannot pre-empt the copy."""

    exports: list[SystemTask]
    changes: list[SystemTask]
    not_covered: list[str]


class SystemResult(BaseModel):
    system_id: str
    action: Action
    status: str
    records: int


class Compiled(BaseModel):
    outcome: str
    succeeded: int
    failed: int
    package_key: str | None


def plan(desk: Desk, request_id: str) -> Plan:
    """Choose, from the registry, every system and action the request needs."""
    request = desk.store.transition(
        request_id, [Status.AWAITING_APPROVAL, Status.IN_PROGRESS], Status.IN_PROGRESS
    )
    actions = list(
        dict.fromkeys(
            ACTIONS_FOR_REQUEST_TYPE[t] for t in request.request_types if t in ACTIONS_FOR_REQUEST_TYPE
        )
    )
    not_covered = [t.value for t in request.request_types if t not in ACTIONS_FOR_REQUEST_TYPE]
    tasks = [
        SystemTask(system_id=system.id, action=action)
        for system in desk.registry.systems
        for action in actions
        if action in system.actions
    ]
    desk.audit(
        request_id,
        "workflow",
        "plan systems",
        f"{len(tasks)} system tasks",
        systems=",".join(sorted({t.system_id for t in tasks})),
        not_covered=",".join(not_covered) or None,
    )
    return Plan(
        exports=[t for t in tasks if t.action is Action.EXPORT],
        changes=[t for t in tasks if t.action is not Action.EXPORT],
        not_covered=not_covered,
    )


def connector_for(desk: Desk, system: SystemEntry) -> Connector:
    if isinstance(system.store, DynamoDbStore):
        return DynamoDbConnector(desk.dynamodb.Table(system.store.table), system.store)
    return S3JsonLinesConnector(desk.s3, system.store)


def run_system_task(desk: Desk, request_id: str, task: SystemTask) -> SystemResult:
    """Carry out one action in one system and record the outcome on the request."""
    request = desk.store.get(request_id)
    system = desk.registry.system(task.system_id)
    connector = connector_for(desk, system)
    identity = str(request.subject.email)
    if task.action is Action.EXPORT:
        count = desk.packages.put_part(request_id, system.id, connector.export(identity))
    elif task.action is Action.ERASE:
        count = connector.erase(identity)
    else:
        count = connector.opt_out(identity, system.actions[Action.OPT_OUT].set_fields)
    result = SystemResult(system_id=system.id, action=task.action, status="done", records=count)
    desk.store.put_system_outcome(
        request_id,
        system.id,
        task.action.value,
        {"status": "done", "records": count, "finished_at": desk.now().isoformat()},
    )
    desk.audit(
        request_id,
        f"system:{system.id}",
        task.action.value,
        "done",
        records=count,
    )
    return result


def record_system_failure(desk: Desk, request_id: str, task: SystemTask, error: str) -> SystemResult:
    """A system task that failed after its retries: recorded, so staff can re-run just that one."""
    desk.store.put_system_outcome(
        request_id,
        task.system_id,
        task.action.value,
        {"status": "failed", "error": error[:500], "finished_at": desk.now().isoformat()},
    )
    desk.audit(request_id, f"system:{task.system_id}", task.action.value, "failed", error=error[:200])
    return SystemResult(system_id=task.system_id, action=task.action, status="failed", records=0)


def compile_results(desk: Desk, request_id: str) -> Compiled:
    """Gather the outcomes; for an access request, build the package the subject downloads."""
    request = desk.store.get(request_id)
    outcomes = desk.store.system_outcomes(request_id)
    done = [o for o in outcomes if o.get("status") == "done"]
    failed = [o for o in outcomes if o.get("status") != "done"]
    exported = [_system_of(o) for o in done if _action_of(o) == Action.EXPORT.value]
    package_key = None
    if exported:
        header: dict[str, Any] = {
            "reference": request_id,
            "received_at": request.received_at.isoformat(),
            "generated_at": desk.now().isoformat(),
            "systems": {
                s.id: {"name": s.name, "categories": s.categories}
                for s in desk.registry.systems
                if s.id in exported
            },
        }
        package_key = desk.packages.compile(request_id, exported, header)
        desk.store.set_fields(request_id, {"package_key": package_key})
    outcome = "partial" if failed else "completed"
    desk.audit(
        request_id,
        "workflow",
        "compile results",
        outcome,
        succeeded=len(done),
        failed=len(failed),
        package=bool(package_key),
    )
    return Compiled(outcome=outcome, succeeded=len(done), failed=len(failed), package_key=package_key)


def _system_of(outcome: dict[str, Any]) -> str:
    return str(outcome["sk"]).split("#")[1]


def _action_of(outcome: dict[str, Any]) -> str:
    return str(outcome["sk"]).split("#")[2]
