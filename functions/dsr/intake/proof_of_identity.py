"""How a request is proved to be the subject's: light enough for the acknowledgement to load."""

from __future__ import annotations

from dsr.core.models import PrivacyRequest
from dsr.policies.proofs import Proof
from dsr.policies.verification import Level, Requirement, load_policy
from dsr.wiring.desk import Desk


def requirement_for(desk: Desk, request: PrivacyRequest) -> Requirement:
    """Without a product login configured, account holders match data points instead."""
    return load_policy().requirement_for(request, account_login=bool(desk.settings.product_login_public_key))


def proof_asked(desk: Desk, request: PrivacyRequest) -> Proof:
    """How the subject shows the request is theirs: an emailed code (with details the company holds,
    where the level asks for them), the product's sign-in, staff's check of an agent's power of
    attorney, or nothing (opting out needs no proof)."""
    if request.agent is not None and request.agent.power_of_attorney:
        return Proof.POWER_OF_ATTORNEY
    level = requirement_for(desk, request).level
    if level is Level.ACCOUNT:
        return Proof.SIGN_IN
    if level is Level.MATCHED:
        return Proof.CODE_AND_DETAILS
    return Proof.NONE if level is Level.NONE else Proof.CODE
