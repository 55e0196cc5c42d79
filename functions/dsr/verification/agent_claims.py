"""Identity claims an authorized agent verified (Data Rights Protocol 1.0, 3.04), counted toward
the level a request needs as ``config/verification.yaml`` (``authorized_agents``) says: at the
email level, the agent's verified email is the proof; at the matched level, it stands for the
code and the phone and postal code it sent must match the company's records, as many as the type
needs; at the account level, and whenever the claims fall short, the person confirms directly
on the request's own page (the agent is told ``need_user_verification``)."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from dsr.core.models import PrivacyRequest
from dsr.policies.verification import Level, Requirement, load_policy
from dsr.wiring.desk import Desk

logger = Logger(child=True)


def claimed_data_points(request: PrivacyRequest) -> dict[str, str]:
    """The data points the agent's claims give (as the subject would type them)."""
    address = request.subject.postal_address
    found = {"phone": request.subject.phone, "postal_code": address.postal_code if address else None}
    return {name: value for name, value in found.items() if value}


def _claims_suffice(desk: Desk, request: PrivacyRequest, requirement: Requirement) -> str | None:
    """The rule's reason when the agent's claims meet ``requirement``; None when the person must."""
    link = request.protocol_agent
    rule = load_policy().authorized_agents.get(requirement.level)
    if (
        link is None
        or rule is None
        or rule.accepts == "person_confirms"
        or "email" not in link.verified_claims
    ):
        return None
    if rule.accepts == "agent_verified_email_and_matching_claims":
        from dsr.verification.data_points import count_matches, excluded_points  # noqa: PLC0415 - this level's path only
        from dsr.verification.identity_checks import held_data_points  # noqa: PLC0415 - it calls this module

        source = load_policy().data_points
        region = request.subject.postal_address.country if request.subject.postal_address else request.country
        matched = count_matches(
            claimed_data_points(request),
            held_data_points(desk, request),
            source,
            excluded=excluded_points(request.corrections, source),
            region=region,
        )
        if matched < requirement.data_points:
            return None
    return rule.reason


def verified_by_agent(desk: Desk, request: PrivacyRequest, requirement: Requirement, task_token: str) -> bool:
    """Resume the request, verified, when its agent's claims meet the level; False (nothing done)
    when the person must still confirm, or staff must check a power of attorney."""
    if requirement.level is Level.NONE or (request.agent is not None and request.agent.power_of_attorney):
        return False
    reason = _claims_suffice(desk, request, requirement)
    link = request.protocol_agent
    if reason is None or link is None:
        return False
    from dsr.verification.identity_checks import resume_or_link  # noqa: PLC0415 - it calls this module

    desk.store.set_fields(request.request_id, {"verification_level": requirement.level.value})
    desk.audit(
        request.request_id,
        f"agent {link.agent_id}",
        "verification attempt",
        "verified",
        level=requirement.level.value,
        path="the agent's verified claims",
        claims=",".join(link.verified_claims),
        rule=reason[:200],
    )
    logger.info("verified by the agent's claims", request_id=request.request_id, agent_id=link.agent_id)
    resume_or_link(desk, request.request_id, task_token, requirement.level.value)
    return True
