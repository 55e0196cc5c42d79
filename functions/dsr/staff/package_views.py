"""A held access package as its reviewer sees it in the console: which systems' parts it holds
(with their record counts), the redactions made so far (never the values), the grounds to choose
from, and one part's records on demand."""

from typing import Any

from dsr.core.desk_model import DeskModel
from dsr.core.models import Status
from dsr.core.staff_catalog import staff_text
from dsr.fulfilment import package_review
from dsr.fulfilment.package_building import exported_systems
from dsr.policies.request_deadlines import local_day
from dsr.review.withholding import STAFF_LABELS, WithholdingGround
from dsr.wiring.desk import Desk


class HeldPart(DeskModel):
    system_id: str
    name: str
    records: int


class Ground(DeskModel):
    code: WithholdingGround
    label: str


class HeldRedaction(DeskModel):
    system_id: str
    record: int
    field: str | None
    ground: str
    by: str
    at: str


class HeldPackage(DeskModel):
    request_id: str
    held_at: str | None
    released_by: str | None
    released_at: str | None
    respond_by: str
    parts: list[HeldPart]
    redactions: list[HeldRedaction]
    grounds: list[Ground]


class HeldEntry(DeskModel):
    """One package waiting for review, as the console lists it."""

    request_id: str
    held_at: str | None
    respond_by: str
    respond_on: str
    """The legal response day, where the request's law counts days."""
    legal_days_left: int


class HeldPartRecords(DeskModel):
    system_id: str
    records: list[Any]


def held_package(desk: Desk, request_id: str) -> HeldPackage:
    """The package waiting for review (or released): NothingHeldError when there is none."""
    task = desk.store.package_review(request_id)
    if task is None:
        raise package_review.NothingHeldError()
    request = desk.store.get(request_id)
    outcomes = desk.store.system_outcomes(request_id)
    exported = set(exported_systems(outcomes))
    counts = {o.system_id: int(o.records or 0) for o in outcomes if o.system_id in exported}
    return HeldPackage(
        request_id=request_id,
        held_at=str(task.get("held_at") or "") or None,
        released_by=str(task.get("released_by") or "") or None,
        released_at=str(task.get("decided_at") or "") or None,
        respond_by=request.respond_by.isoformat(),
        parts=[
            HeldPart(system_id=s.id, name=str(s.name), records=counts.get(s.id, 0))
            for s in desk.registry.systems
            if s.id in exported
        ],
        redactions=[HeldRedaction(**r) for r in package_review.redactions_of(task)],
        grounds=[Ground(code=code, label=staff_text(STAFF_LABELS[code])) for code in WithholdingGround],
    )


def held_packages(desk: Desk) -> list[HeldEntry]:
    """Every package waiting for review, the nearest legal date first."""
    today_of = desk.now()
    listed = []
    for request_id in desk.store.held_packages():
        request = desk.store.find(request_id)
        task = desk.store.package_review(request_id) or {}
        if request is None or task.get("decided_at") or request.status is not Status.IN_PROGRESS:
            continue  # released, or the wait ended (timed out: the request failed)
        respond_on = local_day(request.jurisdiction, request.respond_by)
        listed.append(
            HeldEntry(
                request_id=request_id,
                held_at=str(task.get("held_at") or "") or None,
                respond_by=request.respond_by.isoformat(),
                respond_on=respond_on.isoformat(),
                legal_days_left=(respond_on - local_day(request.jurisdiction, today_of)).days,
            )
        )
    return listed


def held_part(desk: Desk, request_id: str, system_id: str) -> HeldPartRecords:
    return HeldPartRecords(
        system_id=system_id, records=package_review.held_records(desk, request_id, system_id)
    )
