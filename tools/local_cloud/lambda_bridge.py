"""Runs Lambda functions in-process with the handler that template.yaml names for each: answers
Invoke from the emulated state machine directly (``StateMachineLambda``) and from any boto3
client through a ``before-send`` hook."""

from __future__ import annotations

import importlib
import io
import json
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from botocore.awsrequest import AWSResponse

from local_cloud.iam import RolePolicy, acting_as
from local_cloud.template import FunctionSpec

Handler = Callable[[Any, Any], Any]


@dataclass
class LambdaContext:
    """The parts of the Lambda context that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_seconds * 1000


class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Any:
        yield self.getvalue()


@dataclass
class Invocation:
    """One run of a function, by the state machine or through the local API."""

    function: str
    error: str | None
    milliseconds: float = 0.0
    """How long the handler ran (what Lambda bills, before rounding up to the millisecond)."""
    memory_mb: int = 0
    cpu_milliseconds: float = 0.0
    """Processor time the handler's thread used meanwhile: on the local cloud, where functions
    share one process, the rest of ``milliseconds`` went to other threads or to waiting."""
    ended_at: float = 0.0
    """When the handler returned or raised, by ``time.perf_counter``."""


class LocalCloudStoppedError(RuntimeError):
    """A function was invoked after its local cloud stopped (a workflow step still under way)."""


class LambdaBridge:
    def __init__(
        self,
        functions: dict[str, FunctionSpec],
        arns: dict[str, str],
        roles: dict[str, RolePolicy] | None = None,
    ) -> None:
        self._functions = functions
        # Each function's own role: every AWS call its handler makes is checked against it
        # (local_cloud.iam). Without roles (a bridge for one unit test), calls go unchecked.
        self.roles = roles or {}
        if roles is not None and set(functions) - set(roles):
            raise ValueError(f"no role for {', '.join(sorted(set(functions) - set(roles)))}")
        self._by_name = {}
        for logical_id, arn in arns.items():
            self._by_name[arn] = logical_id
            self._by_name[arn.rsplit(":", 1)[-1]] = logical_id
            self._by_name[logical_id] = logical_id
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()
        # A Lambda execution environment runs one event at a time, and handlers rely on it: the
        # API resolvers, the idempotency layer and the logger keep the current event in module
        # state. Every function here shares one process, so each runs its events one by one,
        # as a function with a single warm environment would. (Re-entrant: a handler that
        # reaches itself again on its own thread goes on rather than waiting forever.)
        self._one_at_a_time = {logical_id: threading.RLock() for logical_id in functions}
        # The latest runs, for tests and benchmarks (bounded: `make run` may go on for days).
        self.invocations: deque[Invocation] = deque(maxlen=100_000)
        # A fault switch for tests and demonstrations: given the function and its event, an
        # exception to raise instead of running the handler, or None.
        self.fault: Callable[[str, Any], Exception | None] = lambda _function, _event: None
        # Invocations under way, and whether the cloud has stopped taking new ones (``close``).
        self._running = threading.Condition()
        self._in_flight = 0
        self._closed = False

    def handler(self, logical_id: str) -> Handler:
        with self._lock:
            if logical_id not in self._handlers:
                module_name, _, attribute = self._functions[logical_id].handler.rpartition(".")
                self._handlers[logical_id] = getattr(importlib.import_module(module_name), attribute)
            return self._handlers[logical_id]

    def invoke(self, function: str, event: Any) -> Any:
        """Run a function directly, as Lambda would; exceptions propagate."""
        logical_id = self._by_name[_unqualified(function)]
        spec = self._functions[logical_id]
        context = LambdaContext(
            function_name=logical_id,
            memory_limit_in_mb=spec.memory_mb,
            invoked_function_arn=function,
            timeout_seconds=spec.timeout_seconds,
        )
        with self._running:
            if self._closed:
                raise LocalCloudStoppedError(f"{logical_id} was invoked after the local cloud stopped")
            self._in_flight += 1
        try:
            return self._run(logical_id, spec, context, event)
        finally:
            with self._running:
                self._in_flight -= 1
                self._running.notify_all()

    def close(self, wait_seconds: float) -> int:
        """Take no more invocations, and wait up to ``wait_seconds`` for those under way to end,
        so none of them reaches past the stopped cloud; the number still running after that."""
        with self._running:
            self._closed = True
            self._running.wait_for(lambda: self._in_flight == 0, timeout=wait_seconds)
            return self._in_flight

    def _run(self, logical_id: str, spec: FunctionSpec, context: LambdaContext, event: Any) -> Any:
        injected = self.fault(logical_id, event)
        if injected is not None:
            self.invocations.append(Invocation(logical_id, type(injected).__name__, 0.0, spec.memory_mb))
            raise injected
        handler = self.handler(logical_id)
        with self._one_at_a_time[logical_id], acting_as(self.roles.get(logical_id)):
            started, cpu_started = time.perf_counter(), time.thread_time()
            error: str | None = None
            try:
                return handler(event, context)
            except Exception as raised:
                error = type(raised).__name__
                raise
            finally:
                cpu_milliseconds = (time.thread_time() - cpu_started) * 1000
                ended_at = time.perf_counter()
                self.invocations.append(
                    Invocation(
                        logical_id,
                        error,
                        (ended_at - started) * 1000,
                        spec.memory_mb,
                        cpu_milliseconds,
                        ended_at,
                    )
                )

    def knows(self, function: str) -> bool:
        return _unqualified(function) in self._by_name

    def answer(self, function: str, payload: bytes | None) -> tuple[bytes, bool]:
        """Run a function on a JSON payload as Lambda's Invoke does: the result as JSON, and
        whether the function raised (then the body is Lambda's error document)."""
        event = json.loads(payload or b"null")
        try:
            return json.dumps(self.invoke(function, event), default=str).encode(), False
        except Exception as error:  # reported to the caller as Lambda reports it
            document = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_exception(error)[-5:],
            }
            return json.dumps(document).encode(), True

    def on_before_send(self, request: Any, **_: Any) -> AWSResponse | None:
        """botocore ``before-send.lambda.Invoke`` hook."""
        name = unquote(request.url.split("/functions/", 1)[1].split("/", 1)[0])
        if not self.knows(name):
            return None
        body, failed = self.answer(name, request.body)
        headers = {"X-Amz-Executed-Version": "$LATEST"}
        if failed:
            headers["X-Amz-Function-Error"] = "Unhandled"
        return AWSResponse(request.url, 200, headers, _Body(body))  # type: ignore[arg-type]


def _unqualified(function: str) -> str:
    """A function's name or ARN without a version or alias: ``...:function:Name:live`` (an
    alias, as callers of a function published behind one name it), ``...:function:Name:$LATEST``
    or ``Name:live``."""
    parts = function.split(":")
    if len(parts) == 8 and parts[5] == "function":
        return ":".join(parts[:7])
    if len(parts) == 2:
        return parts[0]
    return function


class StateMachineLambda:
    """The Lambda service as the emulated state machine reaches it: ``invoke`` runs the function
    through the bridge and answers as Lambda's Invoke does, without a round trip through a boto3
    client. In AWS, Step Functions calls Lambda from its own fleet; here that call would be
    serialized, signed, stubbed and parsed again in the one process every task shares, for each
    task the Map runs."""

    def __init__(self, bridge: LambdaBridge, client: Any, role: RolePolicy | None = None) -> None:
        self._bridge = bridge
        self._client = client  # for a function the template does not declare: Lambda's own answer
        self._role = role  # the state machine's own role, which its Lambda tasks invoke with

    def invoke(self, *, FunctionName: str, Payload: bytes | None = None, **rest: Any) -> dict[str, Any]:  # noqa: N803 - boto3's names
        if self._role is not None:
            self._role.check("lambda", "Invoke", "lambda:InvokeFunction", FunctionName)
        if not self._bridge.knows(FunctionName):
            return self._client.invoke(FunctionName=FunctionName, Payload=Payload or b"", **rest)  # type: ignore[no-any-return]
        body, failed = self._bridge.answer(FunctionName, Payload)
        response: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": _Body(body)}
        if failed:
            response["FunctionError"] = "Unhandled"
        return response
