"""The local cloud runs each function as Lambda does: one event at a time per environment."""

import json
import threading
from datetime import date
from typing import Any

import pytest

from local_cloud.lambda_bridge import LambdaBridge, LocalCloudStoppedError, StateMachineLambda
from local_cloud.template import FunctionSpec

HOLD = threading.Event()
ENTERED: list[str] = []
ENTERED_SIGNAL = threading.Condition()


def held_handler(event: dict[str, Any], _context: object) -> str:
    """Records that it started, then waits until the test lets it go."""
    with ENTERED_SIGNAL:
        ENTERED.append(event["name"])
        ENTERED_SIGNAL.notify_all()
    assert HOLD.wait(timeout=10), "the test never released the handler"
    return event["name"]


def _bridge(*logical_ids: str) -> LambdaBridge:
    functions = {
        logical_id: FunctionSpec(logical_id, f"{__name__}.held_handler", {}, 128, 30)
        for logical_id in logical_ids
    }
    return LambdaBridge(
        functions, {logical_id: f"arn:aws:lambda:::function:{logical_id}" for logical_id in functions}
    )


def _entered_count(at_least: int, within: float) -> int:
    with ENTERED_SIGNAL:
        ENTERED_SIGNAL.wait_for(lambda: len(ENTERED) >= at_least, timeout=within)
        return len(ENTERED)


def _reset() -> None:
    HOLD.clear()
    with ENTERED_SIGNAL:
        ENTERED.clear()


def test_a_function_takes_its_second_event_only_after_the_first_has_finished() -> None:
    _reset()
    bridge = _bridge("CallbackFunction")
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda n=name: results.append(bridge.invoke("CallbackFunction", {"name": n})))
        for name in ("first", "second")
    ]
    for thread in threads:
        thread.start()
    try:
        assert _entered_count(1, within=5) == 1
        # The second event must not start while the first is still running (its module state,
        # such as the resolver's current event, belongs to the first).
        assert _entered_count(2, within=0.3) == 1
    finally:
        HOLD.set()
        for thread in threads:
            thread.join(timeout=10)
    assert sorted(results) == ["first", "second"]
    assert len(ENTERED) == 2


def test_different_functions_still_run_side_by_side() -> None:
    _reset()
    bridge = _bridge("IntakeFunction", "CallbackFunction")
    threads = [
        threading.Thread(target=bridge.invoke, args=(logical_id, {"name": logical_id}))
        for logical_id in ("IntakeFunction", "CallbackFunction")
    ]
    for thread in threads:
        thread.start()
    try:
        assert _entered_count(2, within=5) == 2
    finally:
        HOLD.set()
        for thread in threads:
            thread.join(timeout=10)


def failing_handler(event: dict[str, Any], _context: object) -> str:
    raise ValueError(event["name"])


def test_every_run_is_recorded_with_its_function_outcome_duration_and_memory() -> None:
    _reset()
    HOLD.set()
    functions = {
        "CallbackFunction": FunctionSpec("CallbackFunction", f"{__name__}.held_handler", {}, 128, 30),
        "FailingFunction": FunctionSpec("FailingFunction", f"{__name__}.failing_handler", {}, 512, 30),
    }
    bridge = LambdaBridge(functions, {name: f"arn:aws:lambda:::function:{name}" for name in functions})

    bridge.invoke("CallbackFunction", {"name": "first"})
    with pytest.raises(ValueError, match="second"):
        bridge.invoke("FailingFunction", {"name": "second"})

    ran, failed = list(bridge.invocations)
    assert (ran.function, ran.error, ran.memory_mb) == ("CallbackFunction", None, 128)
    assert (failed.function, failed.error, failed.memory_mb) == ("FailingFunction", "ValueError", 512)
    assert ran.milliseconds > 0 and failed.milliseconds > 0


def waiting_handler(event: dict[str, Any], _context: object) -> None:
    threading.Event().wait(event["seconds"])


def test_a_run_records_the_processor_time_its_thread_used_apart_from_waiting() -> None:
    functions = {
        "WaitingFunction": FunctionSpec("WaitingFunction", f"{__name__}.waiting_handler", {}, 128, 30)
    }
    bridge = LambdaBridge(functions, {name: f"arn:aws:lambda:::function:{name}" for name in functions})

    bridge.invoke("WaitingFunction", {"seconds": 0.2})

    (waited,) = bridge.invocations
    assert waited.milliseconds >= 200
    assert 0 <= waited.cpu_milliseconds < waited.milliseconds / 2


def echo_handler(event: dict[str, Any], _context: object) -> dict[str, Any]:
    return {"echo": event, "when": date(2026, 1, 2)}


class _LambdaService:
    """Stands in for Lambda's own answer to a function the template does not declare."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def invoke(self, *, FunctionName: str, Payload: bytes, **_: Any) -> dict[str, Any]:  # noqa: N803
        self.asked.append(FunctionName)
        return {"StatusCode": 404, "FunctionError": "ResourceNotFoundException"}


def test_the_state_machine_reaches_a_function_as_lambda_answers_invoke() -> None:
    functions = {
        "EchoFunction": FunctionSpec("EchoFunction", f"{__name__}.echo_handler", {}, 128, 30),
        "FailingFunction": FunctionSpec("FailingFunction", f"{__name__}.failing_handler", {}, 128, 30),
    }
    arns = {name: f"arn:aws:lambda:us-east-1:123456789012:function:{name}" for name in functions}
    bridge = LambdaBridge(functions, arns)
    service = _LambdaService()
    lambda_service = StateMachineLambda(bridge, service)

    answered = lambda_service.invoke(FunctionName=arns["EchoFunction"], Payload=b'{"request_id": "r-1"}')
    qualified = lambda_service.invoke(FunctionName=f"{arns['EchoFunction']}:$LATEST", Payload=b"{}")
    failed = lambda_service.invoke(FunctionName="FailingFunction", Payload=b'{"name": "broken"}')
    elsewhere = lambda_service.invoke(FunctionName="NotInTheTemplate", Payload=b"{}")

    # The event arrives as JSON read afresh, and the result goes back as JSON (dates as text).
    assert answered["StatusCode"] == 200 and "FunctionError" not in answered
    assert json.loads(answered["Payload"].read()) == {"echo": {"request_id": "r-1"}, "when": "2026-01-02"}
    assert json.loads(qualified["Payload"].read())["echo"] == {}  # a version or alias names it too
    # A function that raises is a function error with Lambda's error document, not an exception.
    assert failed["FunctionError"] == "Unhandled"
    document = json.loads(failed["Payload"].read())
    assert (document["errorType"], document["errorMessage"]) == ("ValueError", "broken")
    # A function the template does not declare is Lambda's to answer.
    assert service.asked == ["NotInTheTemplate"] and elsewhere["FunctionError"] == "ResourceNotFoundException"
    assert [run.function for run in bridge.invocations] == ["EchoFunction", "EchoFunction", "FailingFunction"]


def test_a_closed_bridge_lets_the_run_under_way_finish_and_refuses_new_ones() -> None:
    _reset()
    bridge = _bridge("HandOffFunction")
    results: list[str] = []
    running = threading.Thread(
        target=lambda: results.append(bridge.invoke("HandOffFunction", {"name": "under way"}))
    )
    running.start()
    assert _entered_count(1, within=5) == 1
    closing = threading.Thread(
        target=lambda: results.append(f"still running: {bridge.close(wait_seconds=10)}")
    )
    closing.start()
    HOLD.set()
    closing.join(timeout=10)
    running.join(timeout=10)

    assert sorted(results) == ["still running: 0", "under way"]
    with pytest.raises(
        LocalCloudStoppedError, match="HandOffFunction was invoked after the local cloud stopped"
    ):
        bridge.invoke("HandOffFunction", {"name": "too late"})
    assert ENTERED == ["under way"]
