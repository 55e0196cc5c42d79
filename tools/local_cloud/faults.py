"""A fault switch for the local cloud: make the Nth call to an AWS operation fail.

``cloud.faults.fail("sesv2", "SendEmail", "throttle", nth=1, times=2)`` makes the next call to
SES's SendEmail and the one after it fail as if throttled, from any function. A fault stands for
a failure that outlasted the SDK's own retries: the caller sees the ``ClientError`` (or, for
``timeout``, the ``ReadTimeoutError``) that it would see in AWS. Every fault that fired is listed
in ``injected``, so a test can show it happened.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from botocore.exceptions import ReadTimeoutError

FaultKind = Literal["throttle", "server_error", "timeout"]

_ERRORS: dict[str, tuple[int, str, str]] = {
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
    "server_error": (500, "InternalServerError", "The service had an internal error"),
}


@dataclass
class _Rule:
    service: str
    operation: str
    kind: FaultKind
    first: int
    last: int
    where: Callable[[Mapping[str, Any]], bool] | None = None
    seen: int = 0

    def matches(self, service: str, operation: str, body: Mapping[str, Any]) -> bool:
        if (self.service, self.operation) != (service, operation) or self.seen >= self.last:
            return False
        return self.where is None or self.where(body)


@dataclass
class _Response:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


class FaultSwitch:
    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self.injected: list[tuple[str, str, str]] = []

    def fail(
        self,
        service: str,
        operation: str,
        kind: FaultKind = "server_error",
        *,
        nth: int = 1,
        times: int = 1,
        where: Callable[[Mapping[str, Any]], bool] | None = None,
    ) -> None:
        """Calls ``nth`` to ``nth + times - 1`` (counted from now) of ``service.operation`` fail;
        with ``where``, only calls whose JSON body it accepts are counted (a table's, say).
        ``service`` is the SDK's name for it in event names: dynamodb, sesv2, sfn, sns, s3, kms."""
        if nth < 1 or times < 1:
            raise ValueError("nth and times count from 1")
        with self._lock:
            self._rules.append(_Rule(service, operation, kind, nth, nth + times - 1, where))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def on_before_call(
        self, event_name: str, params: Mapping[str, Any] | None = None, **_kwargs: Any
    ) -> tuple[_Response, dict[str, Any]] | None:
        """botocore ``before-call`` hook: a response that makes the client raise, or None."""
        _, service, operation = event_name.split(".", 2)
        body = _json_body(params)
        with self._lock:
            rule = next((r for r in self._rules if r.matches(service, operation, body)), None)
            if rule is None:
                return None
            rule.seen += 1
            if rule.seen < rule.first:
                return None
            self.injected.append((service, operation, rule.kind))
        if rule.kind == "timeout":
            raise ReadTimeoutError(endpoint_url=f"https://{service}.local")
        status, code, message = _ERRORS[rule.kind]
        parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
        return _Response(status), parsed


def _json_body(params: Mapping[str, Any] | None) -> Mapping[str, Any]:
    raw = (params or {}).get("body") or b"{}"
    try:
        parsed = json.loads(raw)
    except (ValueError, TypeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}
