"""The status callbacks' handler keeps each agent's statuses in stream order: once a record's
callback fails, the later records of the batch are reported failed without being sent, so the
stream delivers them again after it, never before."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import process_partial_response

from agent_status_callbacks import app


def _record(sequence: str) -> dict[str, Any]:
    return {
        "eventID": sequence,
        "eventName": "MODIFY",
        "eventSource": "aws:dynamodb",
        "dynamodb": {"SequenceNumber": sequence, "NewImage": {"sk": {"S": "REQUEST"}}},
    }


def test_records_after_a_failed_one_are_failed_unsent(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []

    def deliver(_desk: object, _old: object, new: dict[str, Any]) -> bool:
        sent.append(new["sk"])
        if len(sent) == 2:
            raise RuntimeError("the agent answered 500")
        return True

    monkeypatch.setattr(app.status_callbacks, "deliver_change", deliver)
    monkeypatch.setattr(app, "desk_from_environment", lambda: None)
    event = {"Records": [_record(str(n)) for n in (1, 2, 3, 4)]}

    answer = process_partial_response(event, app.record_handler, app.processor, None)

    assert len(sent) == 2  # the third and fourth were not sent
    assert [failure["itemIdentifier"] for failure in answer["batchItemFailures"]] == ["2", "3", "4"]
    # The next batch starts afresh
    sent.clear()
    again = process_partial_response({"Records": [_record("5")]}, app.record_handler, app.processor, None)
    assert again["batchItemFailures"] == [] and len(sent) == 1
