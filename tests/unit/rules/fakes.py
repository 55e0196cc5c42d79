"""What the rules reach beyond the requests table, kept in memory: the workflow engine and the
mailer. Each refuses what the real one refuses, so a rule that misuses it fails here too."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from botocore.exceptions import ClientError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _aws_error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class RecordedWorkflow:
    """Step Functions as the rules see it (``dsr.core.workflow.WorkflowEngine``'s operations):
    the executions started, and the waiting tasks the state machine handed a token to. Like
    Step Functions, it refuses a token it never handed out (``InvalidToken``) and one already
    answered (``TaskTimedOut``: the task is gone)."""

    def __init__(self) -> None:
        self.started: dict[str, dict[str, Any]] = {}
        self.stopped: dict[str, str] = {}
        self.waiting: set[str] = set()
        self.resumed: dict[str, dict[str, Any]] = {}
        self.failed: dict[str, tuple[str, str]] = {}

    def hand_out_token(self) -> str:
        """A task token, as the state machine gives a task it waits on."""
        token = f"token-{uuid.uuid4()}"
        self.waiting.add(token)
        return token

    def start(self, request_id: str, payload: dict[str, Any]) -> bool:
        if request_id in self.started:
            return False
        self.started[request_id] = payload
        return True

    def start_named(self, name: str, payload: dict[str, Any]) -> None:
        if name in self.started:
            raise _aws_error("ExecutionAlreadyExists", f"Execution Already Exists: {name}", "StartExecution")
        self.started[name] = payload

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        self._answer(task_token, "SendTaskSuccess")
        self.resumed[task_token] = output

    def fail(self, task_token: str, error: str, cause: str) -> None:
        self._answer(task_token, "SendTaskFailure")
        self.failed[task_token] = (error, cause)

    def stop(self, request_id: str, cause: str) -> bool:
        if request_id not in self.started or request_id in self.stopped:
            return False
        self.stopped[request_id] = cause
        return True

    def _answer(self, task_token: str, operation: str) -> None:
        if task_token in self.resumed or task_token in self.failed:
            raise _aws_error("TaskTimedOut", "Provided task does not exist anymore", operation)
        if task_token not in self.waiting:
            raise _aws_error("InvalidToken", "Invalid token", operation)
        self.waiting.discard(task_token)


class SentMessage(NamedTuple):
    to: str
    subject: str
    body: str
    request_id: str
    language: str | None = None
    html: str | None = None


class RecordedMailer:
    """The outbox: what the desk sent, in order. Like SES, it refuses an address that is not one."""

    def __init__(self) -> None:
        self.sent: list[SentMessage] = []

    def send(
        self,
        to: str,
        subject: str,
        body: str,
        request_id: str,
        *,
        language: str | None = None,
        html: str | None = None,
        attachments: Sequence[Any] = (),
    ) -> str:
        if not EMAIL.match(to):
            raise _aws_error("BadRequestException", f"Illegal address: {to!r}", "SendEmail")
        self.sent.append(SentMessage(to, subject, body, request_id, language, html))
        return f"message-{len(self.sent)}"

    def to(self, address: str) -> list[SentMessage]:
        return [message for message in self.sent if message.to == address]


class StoppedClock:
    """Time that moves only when the test moves it."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> None:
        self._now += by
