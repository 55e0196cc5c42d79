"""An owner's answer to a handed-off task, given through their link (dsr.fulfilment.owner_links).

The answer is one of done (with a record count; for an export, the uploaded export, which becomes
the system's part of the access package), nothing found, exempt (with the reason) or failed (with
what went wrong). It goes through ``handoffs.settle``, the conditional write that decides once,
recorded in the audit trail with who gave it (``vendor:<name>``, ``customer:<id>``).

Where several were asked (each customer holding the person), each answers once through their own
link, and the task settles with the last answer, combined: any failed is failed (staff must look,
and a re-run asks again); else any done is done, with the records summed; else any exempt is
exempt; else nothing found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from dsr.core.actions import Action
from dsr.core.staff_catalog import staff_text
from dsr.fulfilment import handoffs
from dsr.fulfilment.carrying_out import in_package
from dsr.fulfilment.outcomes import Carried, OutcomeStatus
from dsr.fulfilment.owner_links import LinkRefusal, LinkRefusedError, OwnerTask
from dsr.fulfilment.owner_uploads import records_of
from dsr.wiring.desk import Desk

OWNER_ANSWERS = (OutcomeStatus.DONE, OutcomeStatus.NOTHING_FOUND, OutcomeStatus.EXEMPT, OutcomeStatus.FAILED)
_NOTE_LIMIT = 500
_MOST_RECORDS = 10_000_000


class IncompleteAnswerError(ValueError):
    """The answer lacks what it needs (a reason, an upload, a count): the message says what."""


class OwnerAnswer(NamedTuple):
    status: OutcomeStatus
    records: int = 0
    note: str = ""
    upload: bytes | None = None


def read_answer(fields: Mapping[str, str], upload: bytes | None) -> OwnerAnswer:
    """The answer a form sent: ``IncompleteAnswerError`` when it chose none, or a count is not one."""
    chosen = fields.get("answer", "")
    if chosen not in {status.value for status in OWNER_ANSWERS}:
        raise IncompleteAnswerError(staff_text("Choose one of the answers."))
    count = fields.get("records", "").strip()
    if count and not count.isdigit():
        raise IncompleteAnswerError(staff_text("Give the number of records, 0 or more."))
    return OwnerAnswer(OutcomeStatus(chosen), int(count or 0), fields.get("note", ""), upload)


def give_answer(desk: Desk, task: OwnerTask, answer: OwnerAnswer) -> Carried:
    """Record the holder's answer; what the task came to (for several holders, this holder's own
    answer until the last one answers). ``IncompleteAnswerError`` for an answer that lacks what it
    needs, ``UnacceptableUploadError`` for an upload refused, ``LinkRefusedError`` (answered) when
    another answer came first."""
    carried = _checked(task, answer)
    if task.action is Action.EXPORT and carried.status is OutcomeStatus.DONE and answer.upload is not None:
        carried = carried._replace(records=_keep_export(desk, task, records_of(answer.upload)))
    actor = task.route.answerer(task.holder)
    # As every hand-off answer: staff see who confirmed, and the subject is told they did.
    carried = carried._replace(detail={**carried.detail, "confirmed_by": actor})
    if task.several_holders:
        return _one_of_several(desk, task, carried, actor)
    if carried.status is OutcomeStatus.DONE and task.action is Action.EXPORT:
        carried = in_package(carried)
    if not handoffs.settle(desk, task.request_id, task.system.id, task.action, carried=carried, actor=actor):
        raise LinkRefusedError(LinkRefusal.ANSWERED, "someone else")
    _audit(desk, task, carried, actor)
    return carried


def _audit(desk: Desk, task: OwnerTask, carried: Carried, actor: str) -> None:
    """The trail's line for an answer taken, with who gave it."""
    desk.audit(
        task.request_id,
        actor,
        f"{task.action.value} answered through its link",
        carried.status.value,
        system=task.system.id,
        records=carried.records,
    )


def _keep_export(desk: Desk, task: OwnerTask, records: list[dict[str, Any]]) -> int:
    """The uploaded records as the system's part of the access package (KMS-encrypted, as every
    part); where several holders answer, added to what the others uploaded. The count kept."""
    earlier: list[dict[str, Any]] = []
    if task.several_holders and _others_uploaded(desk, task):
        earlier = list(desk.packages.part_records(task.request_id, task.system.id))
    desk.packages.put_part(task.request_id, task.system.id, iter([*earlier, *records]))
    return len(records)


def _others_uploaded(desk: Desk, task: OwnerTask) -> bool:
    kept = desk.store.get_task(task.request_id, handoffs.stage(task.system.id, task.action)) or {}
    answers: Mapping[str, Any] = kept.get("holder_answers") or {}
    return any(a.get("status") == OutcomeStatus.DONE.value for a in answers.values())


def _checked(task: OwnerTask, answer: OwnerAnswer) -> Carried:
    if answer.status not in OWNER_ANSWERS:
        raise IncompleteAnswerError(staff_text("Choose one of the answers."))
    note = answer.note.strip()[:_NOTE_LIMIT]
    detail: dict[str, str] = {"answer_note": note} if note else {}
    if answer.status is OutcomeStatus.EXEMPT:
        if not note:
            raise IncompleteAnswerError(staff_text("Give the reason the data is exempt."))
        detail["reason"] = note
    if answer.status is OutcomeStatus.FAILED:
        if not note:
            raise IncompleteAnswerError(staff_text("Say what went wrong."))
        detail["error"] = note
    records = 0
    if answer.status is OutcomeStatus.DONE:
        if task.action is Action.EXPORT and not answer.upload:
            raise IncompleteAnswerError(staff_text("Upload the export: it is what the person asked for."))
        if not 0 <= answer.records <= _MOST_RECORDS:
            raise IncompleteAnswerError(staff_text("Give the number of records, 0 or more."))
        records = answer.records
    return Carried(answer.status, records, detail)


def _one_of_several(desk: Desk, task: OwnerTask, carried: Carried, actor: str) -> Carried:
    """Keep this holder's answer; the last holder's answer settles the task with them all."""
    stage = handoffs.stage(task.system.id, task.action)
    kept = {
        "status": carried.status.value,
        "records": carried.records,
        "note": carried.detail.get("answer_note", ""),
        "at": desk.now().isoformat(),
    }
    after = desk.store.record_holder_answer(task.request_id, stage, task.holder, kept)
    if after is None:
        raise LinkRefusedError(LinkRefusal.ANSWERED, "someone else")
    _audit(desk, task, carried, actor)
    asked = set((after.get("links") or {}).keys())
    answers: Mapping[str, Any] = after.get("holder_answers") or {}
    if not asked <= set(answers):
        return carried
    combined = combine(task.action, list(answers.values()))
    who = ", ".join(task.route.answerer(holder) for holder in sorted(answers))
    combined = combined._replace(detail={**combined.detail, "confirmed_by": who[:500]})
    handoffs.settle(desk, task.request_id, task.system.id, task.action, carried=combined, actor=actor)
    return combined


def combine(action: Action, answers: list[Mapping[str, Any]]) -> Carried:
    """Several holders' answers as the task's one: any failed → failed; else any done → done
    (records summed); else any exempt → exempt; else nothing found."""
    statuses = [OutcomeStatus(str(a["status"])) for a in answers]
    notes = "; ".join(str(a.get("note", "")) for a in answers if a.get("note"))[:_NOTE_LIMIT]
    detail = {"answers": str(len(answers))}
    if OutcomeStatus.FAILED in statuses:
        return Carried(OutcomeStatus.FAILED, 0, {**detail, "error": notes or "a holder could not act"})
    if OutcomeStatus.DONE in statuses:
        total = sum(int(a.get("records", 0) or 0) for a in answers if a["status"] == OutcomeStatus.DONE.value)
        done = Carried(OutcomeStatus.DONE, total, detail)
        return in_package(done) if action is Action.EXPORT else done
    if OutcomeStatus.EXEMPT in statuses:
        return Carried(OutcomeStatus.EXEMPT, 0, {**detail, "reason": notes})
    return Carried(OutcomeStatus.NOTHING_FOUND, 0, detail)
