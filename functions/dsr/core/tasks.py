"""What the state machine hands each task: ids and small summaries, never personal data."""

from enum import StrEnum

from pydantic import ConfigDict, Field

from dsr.core.actions import Action
from dsr.core.desk_model import DeskModel


class Outcome(StrEnum):
    """How the state machine ends a request, as it hands the close task (``dsr.closing.closing``)."""

    COMPLETED = "completed"
    PARTIAL = "partial"
    DENIED = "denied"
    UNVERIFIABLE = "unverifiable"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RequestTask(DeskModel):
    model_config = ConfigDict(extra="ignore")

    request_id: str = Field(pattern=r"^[0-9a-f-]{36}$")


class CompileTask(RequestTask):
    released: bool = False
    """Build the access package a reviewer released (``dsr.fulfilment.package_review``)."""


class WaitingTask(RequestTask):
    task_token: str = Field(min_length=1)


class SystemTaskInput(RequestTask):
    system_id: str
    action: Action


class FailedSystemTask(SystemTaskInput):
    error: str = ""
    cause: str = ""


class CloseTask(RequestTask):
    outcome: Outcome
    reason: str | None = None
    error: str | None = None
    cause: str | None = None


class HandOffTaskInput(SystemTaskInput):
    task_token: str = Field(min_length=1)
