"""Identity claims an authorized agent verified count toward a request's level as the policy's
``authorized_agents`` rules say: the email level takes the agent's verified email; the matched
level also needs the claimed phone and postal code to match the company's records; otherwise
the person is emailed a code as anyone else."""

from __future__ import annotations

from typing import Any

from dsr.core.models import Channel, NewRequest
from dsr.core.protocol_agents import ProtocolAgentLink
from dsr.intake.submission import submit
from dsr.policies.verification import Level, load_policy
from dsr.verification import identity_checks as verification
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow

GRACE = "grace@example.org"  # holds an account in the accounts store: phone (202) 555-0143, 94105


def _from_agent(
    desk: DeskInMemory, workflow: RecordedWorkflow, verified: list[str], **subject: Any
) -> tuple[str, str]:
    new = NewRequest.model_validate(
        {"request_types": ["erasure"], "subject": {"email": GRACE, **subject}, "jurisdiction": "US-CA"}
    )
    link = ProtocolAgentLink(
        agent_id="TEST_AGENT", exercise="deletion", regime="ccpa", verified_claims=verified
    )
    request_id = submit(desk, new, Channel.DRP, protocol_agent=link).request_id
    token = workflow.hand_out_token()
    verification.begin(desk, request_id, token)
    return request_id, token


def _coded(outbox: RecordedMailer, request_id: str) -> bool:
    return any(
        message.request_id == request_id and "verification code" in message.body for message in outbox.sent
    )


GRACES_ADDRESS = {"street": "1 Market St", "city": "San Francisco", "postal_code": "94105", "country": "US"}


def test_every_level_has_an_agent_rule_with_its_reason() -> None:
    rules = load_policy().authorized_agents
    assert set(rules) == {Level.EMAIL, Level.MATCHED, Level.ACCOUNT}
    assert all(len(rule.reason) > 40 for rule in rules.values())


def test_a_verified_email_and_matching_claims_verify_a_deletion_without_asking_the_person(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, accounts: list[dict[str, Any]]
) -> None:
    request_id, token = _from_agent(
        desk, workflow, ["email"], phone="+12025550143", postal_address=GRACES_ADDRESS
    )

    assert workflow.resumed[token]["verified"] is True
    assert not _coded(outbox, request_id)
    trail = [(e.actor, e.action, e.outcome) for e in desk.store.events(request_id)]
    assert ("agent TEST_AGENT", "verification attempt", "verified") in trail


def test_claims_that_do_not_match_our_records_leave_the_person_to_confirm(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, accounts: list[dict[str, Any]]
) -> None:
    request_id, token = _from_agent(desk, workflow, ["email"], phone="+12025550199")

    assert token not in workflow.resumed
    assert _coded(outbox, request_id)


def test_an_email_the_agent_did_not_verify_counts_for_nothing(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, accounts: list[dict[str, Any]]
) -> None:
    request_id, token = _from_agent(
        desk, workflow, ["phone_number"], phone="+12025550143", postal_address=GRACES_ADDRESS
    )

    assert token not in workflow.resumed
    assert _coded(outbox, request_id)
