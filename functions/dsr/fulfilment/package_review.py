"""Review before release: an access package held until a reviewer has read it.

Where the deployment asks for it (``REVIEW_ACCESS_PACKAGES``) or a system in the package does
(``review_before_release: true`` in the registry), compiling the results writes no package: the
parts wait in the bucket and the workflow waits with a task token (``AwaitPackageRelease``).
The subject's status page says the package is being prepared; the deadline clock keeps running.
A reviewer (the approver group) reads each system's part record by record, redacts a field or a
whole record on a ground the law allows (``dsr.review.withholding``), and releases the package:
the workflow goes on, and its next step (``build_released``, in the task that compiles results,
which may write packages; the staff API may not) builds the package from the parts less the
redactions, with a statement of what was withheld and why, before the request is closed and the
subject told.

Each redaction and the release are conditional writes (``dsr.storage.package_reviews``) and
audit lines naming the system, the record, the field, the ground and who, never the value. A
release whose resume was interrupted is resumed by releasing again or by the workflow's wait task
delivered again, so a release is never lost; a build that fails is retried by the workflow.
"""

from itertools import islice
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from dsr.core.refusals import NoSuchItemError, StateConflictError
from dsr.core.staff_catalog import staff_text
from dsr.fulfilment.package_building import build_package, exported_systems
from dsr.review.redactions import Redaction, Redactions
from dsr.storage.package_reviews import redaction_key
from dsr.wiring.desk import Desk

logger = Logger(child=True)

GONE_TASK_ERRORS = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})


class NothingHeldError(StateConflictError):
    """The request has no package waiting for review."""

    def __init__(self) -> None:
        super().__init__(staff_text("this request has no access package waiting for review"))


class AlreadyReleasedError(StateConflictError):
    """Somebody released the package first."""

    def __init__(self, released_by: str | None) -> None:
        self.released_by = released_by
        super().__init__(
            staff_text("the access package was already released by %(name)s", name=released_by or "?")
        )

    @property
    def details(self) -> dict[str, Any]:
        return {"released_by": self.released_by}


class AlreadyRedactedError(StateConflictError):
    """The same field, or record, was redacted already."""

    def __init__(self) -> None:
        super().__init__(staff_text("this is redacted already"))


class NoSuchPartError(NoSuchItemError):
    """The redaction names a system, record or field the held package does not have."""


def held_for_review(desk: Desk, exported: list[str]) -> bool:
    """Whether a package of these systems' parts waits for a reviewer before its release."""
    if desk.settings.review_access_packages:
        return True
    return any(s.review_before_release for s in desk.registry.systems if s.id in exported)


def hold(desk: Desk, request_id: str, exported: list[str]) -> None:
    """Keep the parts and tell the subject's page that the package is being prepared."""
    desk.store.set_fields(request_id, {"package_held_at": desk.now().isoformat()})
    desk.audit(request_id, "workflow", "access package held for review", "held", systems=len(exported))


def await_release(desk: Desk, request_id: str, task_token: str) -> None:
    """Keep the workflow's token until a reviewer releases the package. Delivered again after the
    release, it finishes the release (if it was interrupted) and answers the fresh token."""
    respond_by = desk.store.get(request_id).respond_by
    if desk.store.hold_package(request_id, task_token, desk.now(), respond_by):
        desk.audit(request_id, "workflow", "package review requested", "waiting for a reviewer")
        return
    task = desk.store.package_review(request_id) or {}
    _resume(desk, request_id, {**task, "task_token": task_token})


def held_records(desk: Desk, request_id: str, system_id: str) -> list[Any]:
    """One system's part as it was exported, for the reviewer (staff only, never logged)."""
    _held_task(desk, request_id)
    if system_id not in _held_systems(desk, request_id):
        raise NoSuchPartError(staff_text("the held package has no part from %(system)s", system=system_id))
    return list(desk.packages.part_records(request_id, system_id))


def redact(desk: Desk, request_id: str, redaction: Redaction, staff_member: str) -> None:
    """Withhold one field of a record, or a whole record, on a ground, once, while held."""
    _held_task(desk, request_id)
    if redaction.system_id not in _held_systems(desk, request_id):
        raise NoSuchPartError(
            staff_text("the held package has no part from %(system)s", system=redaction.system_id)
        )
    records = desk.packages.part_records(request_id, redaction.system_id)
    record = next(islice(records, redaction.record, None), None)
    if record is None:
        raise NoSuchPartError(staff_text("that part has no record %(record)s", record=redaction.record))
    if redaction.field is not None and not (isinstance(record, dict) and redaction.field in record):
        raise NoSuchPartError(staff_text("that record has no field %(field)s", field=redaction.field))
    stored = {
        **redaction.model_dump(mode="json", exclude_none=True),
        "by": staff_member,
        "at": desk.now().isoformat(),
    }
    if not desk.store.add_redaction(request_id, stored):
        if (desk.store.package_review(request_id) or {}).get("decided_at"):
            raise NothingHeldError()
        raise AlreadyRedactedError()
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "package redacted",
        redaction.ground.value,
        system_id=redaction.system_id,
        record=redaction.record,
        field=redaction.field,
        whole_record=redaction.field is None,
    )


def take_back(desk: Desk, request_id: str, redaction: Redaction, staff_member: str) -> None:
    """Undo one redaction while the package is held."""
    _held_task(desk, request_id)
    key = redaction_key(redaction.system_id, redaction.record, redaction.field)
    if not desk.store.remove_redaction(request_id, key):
        if (desk.store.package_review(request_id) or {}).get("decided_at"):
            raise NothingHeldError()
        raise NoSuchPartError(staff_text("there is no such redaction"))
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "package redaction taken back",
        redaction.ground.value,
        system_id=redaction.system_id,
        record=redaction.record,
        field=redaction.field,
    )


def release(desk: Desk, request_id: str, staff_member: str) -> int:
    """Release the held package, once, and let the workflow go on to build it; the number of
    redactions it will apply. A release recorded whose resume did not happen is resumed; one the
    workflow has is refused and changes nothing."""
    task = desk.store.package_review(request_id)
    if task is None:
        raise NothingHeldError()
    if task.get("resumed_at"):
        raise AlreadyReleasedError(str(task.get("released_by") or "") or None)
    if not task.get("decided_at"):
        if not desk.store.release_package(request_id, staff_member, desk.now()):
            current = desk.store.package_review(request_id) or {}
            raise AlreadyReleasedError(str(current.get("released_by") or "") or None)
        # Read again: the redactions as they stood when the release was recorded, and no later
        # one can be added (each is conditional on the package not being released).
        task = desk.store.package_review(request_id) or {}
        desk.audit(
            request_id,
            f"staff:{staff_member}",
            "package released",
            "released",
            redactions=len(task.get("redactions") or {}),
        )
    _resume(desk, request_id, task)
    return len(task.get("redactions") or {})


def build_released(desk: Desk, request_id: str) -> str | None:
    """The workflow's step after the release: the package built from the parts less the
    redactions recorded when it was released (the same package however often it runs)."""
    task = desk.store.package_review(request_id)
    if task is None or not task.get("decided_at"):
        raise NothingHeldError()
    package_key = build_package(desk, request_id, Redactions.recorded(task.get("redactions")))
    desk.store.package_compiled(request_id, desk.now())
    desk.audit(
        request_id,
        "workflow",
        "released package built",
        "built",
        redactions=len(task.get("redactions") or {}),
    )
    return package_key


def redactions_of(task: dict[str, Any]) -> list[dict[str, Any]]:
    """The task's redactions as staff see them (who, when, what, why; never a value), in order."""
    found = [
        {
            "system_id": str(item["system_id"]),
            "record": int(item["record"]),
            "field": str(item["field"]) if item.get("field") else None,
            "ground": str(item["ground"]),
            "by": str(item.get("by") or ""),
            "at": str(item.get("at") or ""),
        }
        for item in (task.get("redactions") or {}).values()
    ]
    return sorted(found, key=lambda r: (r["system_id"], r["record"], r["field"] or ""))


def _resume(desk: Desk, request_id: str, task: dict[str, Any]) -> None:
    """Answer the workflow's token with the release, once it is recorded."""
    token = task.get("task_token")
    if not task.get("decided_at") or not token:
        return
    try:
        desk.workflow.resume(str(token), {"released_by": str(task.get("released_by") or "")})
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in GONE_TASK_ERRORS:
            raise
        logger.warning("package review task no longer waits on its token", request_id=request_id)
    desk.store.package_resumed(request_id, desk.now())


def _held_task(desk: Desk, request_id: str) -> dict[str, Any]:
    task = desk.store.package_review(request_id)
    if task is None or task.get("decided_at"):
        raise NothingHeldError()
    return task


def _held_systems(desk: Desk, request_id: str) -> list[str]:
    return exported_systems(desk.store.system_outcomes(request_id))
