"""The scheduled sweep over open requests. Today: start any request whose execution never started."""

from __future__ import annotations

from datetime import timedelta

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from dsr import verification
from dsr.desk import Desk
from dsr.intake import start_workflow
from dsr.models import Status

logger = Logger(child=True)

START_GRACE = timedelta(minutes=2)


class SweepReport(BaseModel):
    open_requests_read: int
    executions_started: int
    verification_windows_closed: int = 0


def sweep(desk: Desk) -> SweepReport:
    """Everything the schedule does: start what never started, close verification windows."""
    report = reconcile(desk)
    closed = verification.expire_windows(desk)
    return report.model_copy(update={"verification_windows_closed": closed})


def reconcile(desk: Desk) -> SweepReport:
    """Requests recorded but never started (the start failed at intake) are started now.

    The execution is named by the request id, so a request started meanwhile is not started twice.
    """
    cutoff = desk.now() - START_GRACE
    waiting = desk.store.open_requests()
    started = 0
    for request in waiting:
        if (
            request.status is Status.RECEIVED
            and request.workflow_started_at is None
            and request.received_at <= cutoff
            and start_workflow(desk, request.request_id)
        ):
            started += 1
    logger.info("reconciled", open_requests=len(waiting), started=started)
    return SweepReport(open_requests_read=len(waiting), executions_started=started)
