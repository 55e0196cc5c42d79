"""The rules of what a subject does through the public API and its pages, written once in the
desk for both: when the status page offers the code form, how a download link maps to what the
subject is told, what the token opens, and the checks a code and an appeal go through."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from dsr.appeals import appeals
from dsr.closing import downloads
from dsr.closing.downloads import Download, DownloadExpiredError, NothingToDownloadError, Window
from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.intake import throttling
from dsr.intake.status_tokens import NO_MATCH, NoMatchingRequestError, request_for_holder
from dsr.notices.public_views import shows_code_form
from dsr.policies.proofs import Proof
from dsr.verification import identity_checks as verification
from dsr.verification.identity_checks import VerificationOutcome
from dsr.web import subject_actions
from dsr.web.subject_actions import UnreadableStatementError
from dsr.wiring.desk import Desk

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
REQUEST_ID = "0b7c6a52-3f0e-4d1c-9a2b-5e6f7a8b9c0d"
WELL_FORMED_TOKEN = "A" * 43
NO_DESK: Any = SimpleNamespace()  # the download is found without one (``downloads.find`` stands in)


def _request(status: Status) -> PrivacyRequest:
    return PrivacyRequest(
        request_id=str(uuid.uuid4()),
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email="ada@example.com"),
        relationship=Relationship.CUSTOMER_CONTACT,
        jurisdiction="UK",
        channel=Channel.WEB,
        status=status,
        received_at=NOW,
        respond_by=NOW + timedelta(days=30),
        watch_at=NOW + timedelta(days=30),
    )


def _desk(*, token_matches: bool, request: PrivacyRequest | None) -> Any:
    """A desk whose keyed hashes say ``token_matches`` and whose store holds ``request``."""
    return SimpleNamespace(
        hasher=SimpleNamespace(matches=lambda _message, _digest: token_matches),
        store=SimpleNamespace(find=lambda _request_id: request),
        now=lambda: NOW,
    )


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("proof", list(Proof))
def test_the_code_form_shows_while_a_request_waits_for_a_code_it_asked_for(
    status: Status, proof: Proof
) -> None:
    waiting = status in (Status.RECEIVED, Status.VERIFYING)
    asks_a_code = proof in (Proof.CODE, Proof.CODE_AND_DETAILS)

    assert shows_code_form(_request(status), proof) is (waiting and asks_a_code)


def test_the_status_token_opens_the_request_and_nothing_else_tells_whether_it_exists() -> None:
    request = _request(Status.VERIFYING)

    assert (
        request_for_holder(_desk(token_matches=True, request=request), REQUEST_ID, WELL_FORMED_TOKEN)
        is request
    )
    for desk, token in (
        (_desk(token_matches=False, request=request), WELL_FORMED_TOKEN),
        (_desk(token_matches=True, request=None), WELL_FORMED_TOKEN),
        (_desk(token_matches=True, request=request), "not-a-token"),
    ):
        with pytest.raises(NoMatchingRequestError) as refused:
            request_for_holder(desk, REQUEST_ID, token)
        assert str(refused.value) == NO_MATCH


@pytest.mark.parametrize(
    ("window", "until", "refused"),
    [
        (Window.NOTHING, None, NothingToDownloadError),
        (Window.CLOSED, NOW - timedelta(minutes=1), DownloadExpiredError),
        (Window.OPEN, None, DownloadExpiredError),
    ],
)
def test_a_download_link_outside_its_window_says_why(
    monkeypatch: pytest.MonkeyPatch, window: Window, until: datetime | None, refused: type[Exception]
) -> None:
    found = Download(REQUEST_ID, WELL_FORMED_TOKEN, window, until)
    monkeypatch.setattr(downloads, "find", lambda _desk, _request_id, _token: found)

    with pytest.raises(refused):
        downloads.open_download(NO_DESK, REQUEST_ID, WELL_FORMED_TOKEN)


def test_a_download_link_opens_within_its_window_and_a_wrong_token_matches_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = Download(REQUEST_ID, WELL_FORMED_TOKEN, Window.OPEN, NOW + timedelta(days=1))
    monkeypatch.setattr(downloads, "find", lambda _desk, _request_id, token: found if token else None)

    assert downloads.open_download(NO_DESK, REQUEST_ID, WELL_FORMED_TOKEN) is found
    with pytest.raises(NoMatchingRequestError):
        downloads.open_download(NO_DESK, REQUEST_ID, "")


@pytest.fixture
def code_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What confirming a code did, in order: the rate limit, then each code checked."""
    done: list[str] = []
    monkeypatch.setattr(throttling, "enforce", lambda *_args, **_kwargs: done.append("rate limit"))

    def submit_code(_desk: Any, _request_id: str, code: str, _points: Any) -> VerificationOutcome:
        done.append(f"code {code}")
        return VerificationOutcome.VERIFIED

    monkeypatch.setattr(verification, "submit_code", submit_code)
    return done


def test_a_code_that_is_not_six_digits_is_a_wrong_code_and_no_attempt(code_checks: list[str]) -> None:
    desk = _desk(token_matches=True, request=_request(Status.VERIFYING))

    for code in ("12345", "1234567", "12a456", ""):
        outcome = subject_actions.confirm_with_code(desk, REQUEST_ID, code, {}, caller="caller")
        assert outcome is VerificationOutcome.REJECTED
    assert (
        subject_actions.confirm_with_code(desk, REQUEST_ID, "123456", {}, caller="c")
        is VerificationOutcome.VERIFIED
    )

    assert code_checks == ["rate limit"] * 5 + ["code 123456"]


def test_the_status_pages_code_is_checked_only_for_the_token_holder_after_the_rate_limit(
    code_checks: list[str],
) -> None:
    desk = _desk(token_matches=False, request=_request(Status.VERIFYING))

    with pytest.raises(NoMatchingRequestError):
        subject_actions.confirm_with_code(desk, REQUEST_ID, "123456", {}, caller="c", token=WELL_FORMED_TOKEN)

    assert code_checks == ["rate limit"]


def test_details_are_asked_for_by_name_in_the_api_and_below_on_the_page() -> None:
    listed = (("phone", "Phone number"), ("postal_code", "Postcode"))

    api = subject_actions.details_problem(VerificationOutcome.DETAILS_MISSING, 2, listed)
    on_the_page = subject_actions.details_problem(VerificationOutcome.DETAILS_MISMATCHED, 1)

    assert api == (
        "Your code is right, but to protect your data we also need 2 of these details, as we hold them: "
        "Phone number (phone); Postcode (postal_code)."
    )
    assert on_the_page == (
        "Your code is right, but fewer than 1 of the details you gave match what we hold. "
        "Check them and send the code again with 1 of the details below, as we hold them."
    )


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("", "Tell us why you disagree with our decision."),
        ("x" * 4001, "Your reasons are longer than 4000 characters; shorten them."),
    ],
)
def test_an_appeal_without_reasons_or_with_too_many_is_not_lodged(
    monkeypatch: pytest.MonkeyPatch, statement: str, problem: str
) -> None:
    lodged: list[str] = []
    monkeypatch.setattr(appeals, "lodge", lambda *args, **_kwargs: lodged.append(args[1]))
    desk = _desk(token_matches=True, request=_request(Status.DENIED))

    with pytest.raises(UnreadableStatementError) as refused:
        subject_actions.appeal(desk, REQUEST_ID, WELL_FORMED_TOKEN, statement)

    assert str(refused.value) == problem
    assert lodged == []


def test_an_appeal_is_checked_against_the_token_before_its_reasons() -> None:
    desk = _desk(token_matches=False, request=_request(Status.DENIED))

    with pytest.raises(NoMatchingRequestError):
        subject_actions.appeal(desk, REQUEST_ID, WELL_FORMED_TOKEN, "")


def test_the_status_address_is_made_in_one_place_with_its_token_quoted() -> None:
    desk: Any = SimpleNamespace(settings=SimpleNamespace(public_base_url="https://privacy.example.com"))

    status_url = Desk.status_url(desk, REQUEST_ID, "a+b/c=")

    assert status_url == f"https://privacy.example.com/status/{REQUEST_ID}?token=a%2Bb%2Fc%3D"
