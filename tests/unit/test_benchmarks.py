"""The benchmark code measures what it says. Small runs only: these check the figures' making,
never speed (``make bench`` measures at full size)."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks import cost
from benchmarks.__main__ import main
from benchmarks.figures import Figure, markdown_table
from benchmarks.workflow_runs import CallRecord, WorkflowRun, most_at_once, registry_text, sizes_at
from dsr.core.registry import parse_registry
from local_cloud.lambda_bridge import Invocation


def test_the_table_shows_value_baseline_ratio_and_a_missed_target() -> None:
    table = markdown_table(
        [
            Figure("Cold start", "A: import a", 30.0, "ms", "import boto3", 20.0, "at most 1.5 x", True),
            Figure("Cold start", "B: import b", 45.0, "ms", "import boto3", 20.0, "at most 1.5 x", False),
            Figure("Intake", "median latency", 0.5, "ms"),
        ]
    )

    rows = table.splitlines()
    assert rows[2] == "| Cold start | A: import a | 30 ms | import boto3: 20 ms | 1.5 | at most 1.5 x | yes |"
    assert rows[3].endswith("| 2.25 | at most 1.5 x | **no** |")
    assert rows[4] == "| Intake | median latency | 0.5 ms |  |  |  |  |"


def _run(transitions: int, invocations: list[Invocation], calls: dict[tuple[str, str], int]) -> WorkflowRun:
    record = CallRecord(calls=Counter(calls), dynamodb_read_units=40, dynamodb_write_units=80)
    return WorkflowRun(
        systems=20,
        request_id="r",
        approval_to_completion_seconds=1.0,
        states_entered=Counter({"RunSystemTask": transitions}),
        invocations=invocations,
        calls=record,
        api_requests=3,
        status="COMPLETED",
    )


def test_a_run_is_priced_per_service_from_what_it_did() -> None:
    run = _run(
        40,
        [Invocation("RunSystemTaskFunction", None, 99.2, 512)] * 10,
        {
            ("sesv2", "SendEmail"): 3,
            ("s3", "PutObject"): 2,
            ("s3", "GetObject"): 5,
            ("kms", "GenerateMac"): 4,
        },
    )

    dollars = cost.priced(run)

    assert dollars["Step Functions"] == pytest.approx(40 * 0.000025)
    # 100 ms billed (rounded up from 99.2) at half a GB, ten times, and ten requests
    assert dollars["Lambda"] == pytest.approx(10 * 0.0000002 + 10 * 0.1 * 0.5 * 0.0000166667)
    assert dollars["DynamoDB"] == pytest.approx(80 * 0.625e-6 + 40 * 0.125e-6)
    assert dollars["SES"] == pytest.approx(3 * 0.0001)
    assert dollars["S3"] == pytest.approx(2 * 0.000005 + 5 * 0.0000004)
    assert dollars["KMS"] == pytest.approx(4 * 0.000003)
    assert dollars["API Gateway"] == pytest.approx(3 * 3.5e-6)


def test_snapstart_is_priced_by_memory_cached_for_a_month_and_per_restore() -> None:
    memory = {"IntakeApiFunction": 512, "StaffConsoleFunction": 256}
    run = _run(
        10,
        [Invocation("IntakeApiFunction", None, 40.0, 512)] * 2
        + [Invocation("StaffConsoleFunction", None, 2.0, 256)]
        + [Invocation("RunSystemTaskFunction", None, 99.2, 512)] * 5,
        {},
    )

    # Every call to a SnapStart function a restore: two of half a GB, one of a quarter.
    assert cost.snapstart_restores_at_most(run, memory) == pytest.approx(1.25 * 0.0001397998)
    # Three quarters of a GB cached for 730 hours.
    assert cost.snapstart_cache_per_month(memory) == pytest.approx(0.75 * 730 * 3600 * 0.0000015046)
    assert cost.snapstart_cache_per_month(memory) == pytest.approx(2.97, abs=0.01)


def test_the_snapstart_functions_are_read_from_the_template_with_their_memory() -> None:
    memory = cost.snapstart_memory()

    assert memory == {
        "IntakeApiFunction": 512,
        "StaffApiFunction": 512,
        "StaffConsoleFunction": 256,
        "EmailIntakeFunction": 512,
        "AcknowledgeRequestFunction": 512,
        "StartVerificationFunction": 512,
    }


def test_the_benchmark_registry_has_the_number_of_systems_asked_for() -> None:
    registry = parse_registry(registry_text(7))

    assert [s.id for s in registry.systems] == [f"store-{n:02d}" for n in range(1, 8)]
    assert sizes_at(1) == (5, 20, 50)
    assert len(set(sizes_at(0.02))) == 3


def test_an_unknown_benchmark_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--only", "reads,speed"])

    assert "unknown benchmark(s): speed" in capsys.readouterr().err


def test_the_tasks_running_at_once_are_read_from_the_history() -> None:
    def entered(at: int) -> dict[str, object]:
        return {"timestamp": at, "stateEnteredEventDetails": {"name": "RunSystemTask"}}

    def exited(at: int) -> dict[str, object]:
        return {"timestamp": at, "stateExitedEventDetails": {"name": "RunSystemTask"}}

    # Three tasks: the first two overlap, the third starts after both ended
    history = [entered(1), entered(2), exited(3), exited(4), entered(5), exited(6)]

    assert most_at_once(history, "RunSystemTask") == 2
    assert most_at_once(history, "HandOffSystemTask") == 0
