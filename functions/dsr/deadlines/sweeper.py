"""The scheduled sweep: start what never started, end waits whose time has run out, and watch the
requests' deadlines."""

from datetime import timedelta

from aws_lambda_powertools import Logger

from dsr.core.desk_model import DeskModel
from dsr.core.models import Status
from dsr.deadlines.watch_report import WatchReport
from dsr.fulfilment import handoffs
from dsr.intake.submission import start_workflow
from dsr.policies import retention as records
from dsr.verification import identity_checks as verification
from dsr.wiring.desk import Desk

logger = Logger(child=True)

START_GRACE = timedelta(minutes=2)


class SweepReport(DeskModel):
    unstarted_requests_read: int
    executions_started: int
    verification_windows_closed: int = 0
    hand_offs_timed_out: int = 0
    hand_offs_reminded: int = 0
    hand_offs_holding_closing: int = 0
    identities_reduced: int = 0
    deadlines: WatchReport | None = None


def sweep(desk: Desk, *, watch_clock: bool = True) -> SweepReport:
    """Everything the schedule does: start what never started, close verification windows, remind
    those a task was handed to, apply the silence rule to hand-offs nobody answered in time (end
    them failed, or hold the request open and alert staff), and, unless
    ``watch_clock`` is False, remind staff of deadlines, escalate overdue requests and let go of
    the identities of requests closed for good (last, so a failure there holds up nothing else)."""
    report = reconcile(desk)
    closed = verification.expire_windows(desk)
    hand_offs = handoffs.sweep_hand_offs(desk)
    deadlines = _watch_deadlines(desk) if watch_clock else None
    reduced = records.reduce_due_identities(desk) if watch_clock else 0
    return report.model_copy(
        update={
            "verification_windows_closed": closed,
            "hand_offs_timed_out": hand_offs.timed_out,
            "hand_offs_reminded": hand_offs.reminded,
            "hand_offs_holding_closing": hand_offs.holding,
            "identities_reduced": reduced,
            "deadlines": deadlines,
        }
    )


def reconcile(desk: Desk) -> SweepReport:
    """Requests recorded but never started (the start failed at intake) are started now.

    Only requests whose start was not recorded are read (the index's ``UNSTARTED`` partition),
    never the open requests that started. The execution is named by the request id, so a request
    started meanwhile is not started twice.
    """
    unstarted = desk.store.unstarted_before(desk.now() - START_GRACE)
    started = 0
    for request_id, request in unstarted:
        if request is not None and request.status is Status.RECEIVED and request.workflow_started_at is None:
            started += start_workflow(desk, request_id)
        else:  # started meanwhile, closed, or never written (the submission was refused)
            desk.store.forget_unstarted(request_id)
    logger.info("reconciled", unstarted_requests=len(unstarted), started=started)
    return SweepReport(unstarted_requests_read=len(unstarted), executions_started=started)


def _watch_deadlines(desk: Desk) -> WatchReport:
    """The hourly part. The watch, with the notices and appeals it reads, is loaded by the first
    sweep that watches: the five-minute sweeps never do."""
    from dsr.deadlines import watch as deadline_watch  # noqa: PLC0415 - see the docstring

    return deadline_watch.watch(desk)
