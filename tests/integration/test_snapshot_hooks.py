"""SnapStart's before-snapshot hooks load what each function's first event needs: a function
resumed from its snapshot imports nothing more on its first event (each in a fresh interpreter,
the hooks run as Lambda runs them; see snapshot_harness)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks import snapstart
from benchmarks.first_events import Services, api_event, moto_over_http
from benchmarks.snapstart import APPROVER, EVENTS

# One worker runs every test here: they share the module's moto server and first events.
pytestmark = pytest.mark.xdist_group("snapshot-hooks")


@pytest.fixture(scope="module")
def services() -> Iterator[Services]:
    with moto_over_http() as served:
        yield served


@pytest.fixture(scope="module")
def submitted(services: Services) -> dict[str, Any]:
    """A subject's submission, the intake function's first event; the request it recorded."""
    body = {"request_types": ["access"], "subject": {"email": "ada@example.com"}, "jurisdiction": "UK"}
    runs = services.first_events("IntakeApiFunction", [api_event("POST", "/requests", "/requests", body)])
    return {"runs": runs, "request_id": json.loads(runs.runs[0]["answer"]["body"])["request_id"]}


def _imports_nothing_more(function: str, runs: Any) -> None:
    assert runs.hooks >= 1, f"{function} registered no before-snapshot hook"
    for number, run in enumerate(runs.runs, start=1):
        assert not run["imported"], f"{function}'s event {number} imported {run['imported']}"
        assert not run["built"], f"{function}'s event {number} built the models {run['built']}"


def test_the_intake_api_answers_its_first_submission_with_everything_loaded(
    submitted: dict[str, Any],
) -> None:
    runs = submitted["runs"]
    assert runs.runs[0]["answer"]["statusCode"] == 201
    _imports_nothing_more("IntakeApiFunction", runs)


def test_the_intake_api_answers_its_other_first_calls_with_everything_loaded(
    services: Services, submitted: dict[str, Any]
) -> None:
    request_id = submitted["request_id"]
    code = {"code": "000000", "data_points": {"phone": "020 7946 0018"}}

    for event in (
        api_event("GET", "/privacy-request", "/privacy-request"),
        api_event("GET", "/openapi.json", "/openapi.json"),
        api_event(
            "POST",
            "/requests/{request_id}/verification",
            f"/requests/{request_id}/verification",
            code,
            source_ip="203.0.113.9",
        ),
    ):
        runs = services.first_events("IntakeApiFunction", [event])

        assert runs.runs[0]["answer"]["statusCode"] < 500, event["path"]
        _imports_nothing_more("IntakeApiFunction", runs)


def test_the_workflow_tasks_a_subject_waits_on_have_everything_loaded(
    services: Services, submitted: dict[str, Any]
) -> None:
    request_id = submitted["request_id"]

    acknowledged = services.first_events("AcknowledgeRequestFunction", [{"request_id": request_id}])
    waiting = services.first_events(
        "StartVerificationFunction", [{"request_id": request_id, "task_token": "token-1"}]
    )

    assert acknowledged.runs[0]["answer"] == {"sent": True}
    assert waiting.runs[0]["answer"] == {"waiting_for": "subject"}
    _imports_nothing_more("AcknowledgeRequestFunction", acknowledged)
    _imports_nothing_more("StartVerificationFunction", waiting)


def test_the_staff_api_and_console_answer_their_first_calls_with_everything_loaded(
    services: Services, submitted: dict[str, Any]
) -> None:
    request_id = submitted["request_id"]

    staff = services.first_events(
        "StaffApiFunction",
        [
            api_event("GET", "/staff/requests", "/staff/requests", claims=APPROVER),
            api_event(
                "GET", "/staff/requests/{request_id}", f"/staff/requests/{request_id}", claims=APPROVER
            ),
        ],
    )
    console = services.first_events(
        "StaffConsoleFunction",
        [
            api_event("GET", "/console", "/console"),
            api_event("GET", "/console/{asset}", "/console/console.js"),
        ],
    )

    assert [run["answer"]["statusCode"] for run in staff.runs + console.runs] == [200, 200, 200, 200]
    _imports_nothing_more("StaffApiFunction", staff)
    _imports_nothing_more("StaffConsoleFunction", console)


def test_email_intake_takes_its_first_message_with_everything_loaded(services: Services) -> None:
    event = json.loads((EVENTS / "email_intake" / "ses_receipt.json").read_text())
    message_id = event["Records"][0]["ses"]["mail"]["messageId"]
    services.client("s3").put_object(
        Bucket=services.template.physical_name("InboundMailBucket"),
        Key=f"inbound/{message_id}",
        Body=(EVENTS / "email_intake" / "access_request.eml").read_bytes(),
    )

    runs = services.first_events("EmailIntakeFunction", [event])

    assert runs.runs[0]["answer"]["outcomes"][0]["disposition"] == "request"
    _imports_nothing_more("EmailIntakeFunction", runs)


def test_the_benchmark_times_each_first_event_resumed_and_cold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapstart, "MIN_ROUNDS", 1)

    figures = snapstart.run(0.02)

    assert [f.measure.split(":")[0] for f in figures] == list(snapstart.FUNCTIONS)
    for figure in figures:
        # Resumed, the import and the loading are in the snapshot: the first event alone is left.
        assert 0 < figure.value < figure.baseline_value, figure.measure
        assert figure.detail["imported_by_the_first_event"] == [], figure.measure
