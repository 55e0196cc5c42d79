"""Each kind of refusal is answered with one status wherever it is raised (dsr.web.http_errors), with
its sentence and what the caller needs beside it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from dsr.appeals import appeals
from dsr.deadlines import clock_pauses, extensions
from dsr.fulfilment import handoffs, reruns
from dsr.review import approval
from dsr.staff.auth import ForbiddenError, NotSignedInError
from dsr.storage.store import AmbiguousReferenceError, RequestNotFoundError
from dsr.web.http_errors import answer_refusals

REQUEST_ID = "0f0e0d0c-0b0a-4908-8706-050403020100"

REFUSALS: list[tuple[Exception, int, dict[str, Any]]] = [
    (NotSignedInError("sign in as staff to use this API"), 401, {}),
    (ForbiddenError("this action needs the privacy-approver group"), 403, {}),
    (approval.SelfReviewError("you triaged this erasure; another staff member must decide it"), 403, {}),
    (appeals.SameDeciderError("ann refused the request; someone else must answer the appeal"), 403, {}),
    (RequestNotFoundError(REQUEST_ID), 404, {}),
    (handoffs.HandOffNotWaitingError("crm erasure was not handed off"), 404, {}),
    (
        handoffs.HandOffAnsweredError("crm erasure was answered already", decided_by="bob"),
        409,
        {"decided_by": "bob"},
    ),
    (approval.NothingToDecideError(REQUEST_ID), 409, {}),
    (approval.DecisionConflictError("bob"), 409, {"decided_by": "bob"}),
    (approval.TriageConflictError("bob"), 409, {"triaged_by": "bob"}),
    (approval.FourEyesError("an erasure is decided only after another staff member has triaged it"), 409, {}),
    (reruns.NothingToRerunError(REQUEST_ID), 409, {}),
    (extensions.ExtensionRefusedError("CA-CPRA allows no extension"), 409, {}),
    (appeals.NoOpenAppealError(REQUEST_ID), 409, {}),
    (clock_pauses.NotWaitingError("the clock is not paused for this request"), 409, {}),
    (
        AmbiguousReferenceError("0f0e0d0c", [REQUEST_ID, REQUEST_ID[:-1] + "1"]),
        409,
        {"request_ids": [REQUEST_ID, REQUEST_ID[:-1] + "1"]},
    ),
]


def _answer_to(error: Exception) -> dict[str, Any]:
    app = APIGatewayRestResolver()
    answer_refusals(app)

    @app.get("/refused")
    def refused() -> None:
        raise error

    event = {"httpMethod": "GET", "path": "/refused", "resource": "/refused", "requestContext": {}}
    return app.resolve(event, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("error", "status", "details"), REFUSALS, ids=lambda value: type(value).__name__)
def test_a_refusal_is_answered_with_its_kinds_status_its_sentence_and_its_details(
    error: Exception, status: int, details: dict[str, Any]
) -> None:
    answer = _answer_to(error)
    assert answer["statusCode"] == status
    assert json.loads(answer["body"]) == {"message": str(error), **details}


def test_the_sentences_staff_read_say_what_is_wrong_not_an_id() -> None:
    assert str(approval.NothingToDecideError(REQUEST_ID)) == "this request is not waiting for a decision"
    assert str(reruns.NothingToRerunError(REQUEST_ID)) == "this request has no failed systems to re-run"
    assert str(appeals.NoOpenAppealError(REQUEST_ID)) == "this request has no appeal waiting for an answer"
    assert str(RequestNotFoundError(REQUEST_ID)) == f"no request {REQUEST_ID}"
