"""The sample events in events/ run through their functions as API Gateway would deliver them."""

from __future__ import annotations

import json
from pathlib import Path

from dsr.wiring.desk import Desk
from local_cloud.cloud import LocalCloud

EVENTS = Path(__file__).resolve().parents[2] / "events" / "intake_api"


def test_the_sample_submission_event_records_a_request(cloud: LocalCloud, desk: Desk) -> None:
    event = json.loads((EVENTS / "submit_request.json").read_text())

    response = cloud.invoke("IntakeApiFunction", event)

    assert response["statusCode"] == 201
    receipt = json.loads(response["body"])
    record = desk.store.get(receipt["request_id"])
    assert [t.value for t in record.request_types] == ["access", "erasure"]
    assert record.jurisdiction == "UK"  # inferred from country GB


def test_the_sample_invalid_event_gets_every_problem_named(cloud: LocalCloud, desk: Desk) -> None:
    event = json.loads((EVENTS / "submit_invalid_request.json").read_text())

    response = cloud.invoke("IntakeApiFunction", event)

    assert response["statusCode"] == 422
    problems = {".".join(map(str, e["loc"][1:])): e["msg"] for e in json.loads(response["body"])["detail"]}
    assert set(problems) == {"request_types", "subject.email", "colour"}
    assert all(problems.values())
    assert desk.store.open_requests() == []
