"""A store whose credentials cannot be read fails its task at once, telling staff which secret to
create or grant, rather than being retried as if the next attempt could read it."""

from __future__ import annotations

import pytest

from dsr.core.actions import Action
from dsr.core.models import Channel, NewRequest
from dsr.fulfilment.carrying_out import run_system_task
from dsr.fulfilment.fulfilment import SystemTask
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.intake.submission import submit
from dsr.review.approval import StaffDecision, await_review, decide
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedWorkflow


def _approved_access(desk: DeskInMemory, workflow: RecordedWorkflow) -> str:
    new = NewRequest.model_validate({"request_types": ["access"], "subject": {"email": "ada@example.com"}})
    request_id = submit(desk, new, Channel.WEB).request_id
    await_review(desk, request_id, workflow.hand_out_token())
    decide(desk, request_id, StaffDecision(decision="approve"), "approver@desk.example")
    return request_id


def _error_of(desk: DeskInMemory, request_id: str, system_id: str) -> str:
    outcome = next(o.fields for o in desk.store.system_outcomes(request_id) if o.system_id == system_id)
    assert outcome["status"] == OutcomeStatus.FAILED.value
    return str(outcome["error"])


def test_a_saas_tool_whose_secret_is_not_there_fails_naming_the_secret_and_the_definition(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved_access(desk, workflow)

    result = run_system_task(desk, request_id, SystemTask(system_id="card-payments", action=Action.EXPORT))

    assert result.status is OutcomeStatus.FAILED
    assert _error_of(desk, request_id, "card-payments") == (
        "system card-payments: Secrets Manager would not give the secret privacy-desk/saas/stripe "
        "(the stripe definition's auth.secret): ResourceNotFoundException. Create the secret, or let "
        "the function's role read it and its key (see the README's deployment steps)"
    )


def test_a_database_whose_secret_is_not_there_fails_naming_the_variable_that_names_it(
    desk: DeskInMemory, workflow: RecordedWorkflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "CRM_DATABASE_SECRET_ARN",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:privacy-desk/crm-database-AbCdEf",
    )
    request_id = _approved_access(desk, workflow)

    result = run_system_task(desk, request_id, SystemTask(system_id="crm-database", action=Action.EXPORT))

    assert result.status is OutcomeStatus.FAILED
    error = _error_of(desk, request_id, "crm-database")
    assert error.startswith(
        "system crm-database: Secrets Manager would not give the secret named by CRM_DATABASE_SECRET_ARN "
        "(the database's credentials): ResourceNotFoundException."
    ), error
