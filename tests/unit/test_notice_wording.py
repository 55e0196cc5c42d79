"""What people read in the desk's emails: one date format, and each sentence true to the request."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dsr.core.actions import Action
from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.core.readable_dates import day_text, utc_moment_text
from dsr.core.registry import load_registry
from dsr.fulfilment import fulfilment, hand_off_words
from dsr.fulfilment.results import describe_outcome
from dsr.notices.handoff_notices import _ASKED_FOR, AnswerLink, customer_notification, vendor_instructions
from dsr.notices.package_page import _record_html
from dsr.notices.public_views import subject_view
from dsr.notices.subject_notices import (
    ComplaintInvitation,
    acknowledgement,
    completion,
    denial,
    extension,
    unverifiable,
)
from dsr.policies.appeal_rules import complaint_routes
from dsr.policies.proofs import Proof
from dsr.web.page_markup import readable_date
from dsr.web.pages import status_page

RECEIVED = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
DUE = datetime(2027, 1, 5, 23, 0, tzinfo=UTC)  # 5 January in the EU, where the due day ends
LINK = AnswerLink(
    "https://desk.example/answer/r/s/export?for=owner&key=k", datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
)
LEADING_ZERO_DATE = re.compile(
    r"\b0\d (January|February|March|April|May|June|July|August|September|"
    r"October|November|December) \d{4}"
)


def _request(*types: RequestType) -> PrivacyRequest:
    return PrivacyRequest(
        request_id="8d5bd9a4-3f0e-4a57-9e55-0c7f1f0e2a11",
        request_types=list(types),
        subject=SubjectIdentity(email="ada@example.com", name="Ada Lovelace"),
        relationship=Relationship.OTHER,
        jurisdiction="UK",
        channel=Channel.WEB,
        status=Status.IN_PROGRESS,
        received_at=RECEIVED,
        respond_by=DUE,
    )


def test_every_email_and_page_writes_a_date_the_same_way_without_a_leading_zero() -> None:
    request = _request(RequestType.ACCESS)
    answer_by = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    bodies = [
        acknowledgement(request, "https://desk.example/status/x").body,
        extension(request, "archives").body,
        vendor_instructions(
            request, Action.EXPORT, "Helpline", answer_by, "privacy@desk.example", link=LINK
        ).body,
        customer_notification(
            request, Action.EXPORT, "Northwind", answer_by, "privacy@desk.example", link=LINK
        ).body,
        completion(request, "What we did:", "https://desk.example/download/x", answer_by).body,
    ]

    assert "by 5 January 2027 at the latest" in bodies[0]
    assert "By when: 5 December 2026 at the latest" in bodies[2]
    assert "answer by 5 December 2026" in bodies[3]
    assert "until 5 December 2026, 12:00 UTC" in bodies[4]
    assert not [body for body in bodies if LEADING_ZERO_DATE.search(body)]
    assert day_text(date(2027, 1, 5)) == "5 January 2027"
    assert utc_moment_text(datetime(2027, 1, 5, 9, 7, tzinfo=UTC)) == "5 January 2027, 09:07 UTC"
    assert ">5 January 2027</time>" in readable_date("2027-01-05")


def test_the_customers_are_told_what_the_person_asked_for_in_the_persons_voice() -> None:
    request = _request(RequestType.ACCESS)
    body = customer_notification(
        request, Action.EXPORT, "Northwind", RECEIVED + timedelta(days=14), "privacy@desk.example", link=LINK
    ).body

    assert "They asked for a copy of their personal data." in body
    assert "send us a copy" not in body


@pytest.mark.parametrize("action", [a for a in Action if a in _ASKED_FOR])
def test_what_the_person_asked_for_reads_as_a_sentence(action: Action) -> None:
    body = customer_notification(
        _request(RequestType.ACCESS),
        action,
        "Northwind",
        RECEIVED + timedelta(days=14),
        "privacy@desk.example",
        link=LINK,
    ).body
    [sentence] = [line for line in body.splitlines() if line.startswith("They asked for ")]
    assert not sentence.startswith(("They asked for that", "They asked for no longer")), sentence


def test_the_completion_email_says_what_happened_to_a_copy_asked_of_others() -> None:
    by_vendor = {"status": "done", "records": 0, "confirmed_by": "staff:analyst@desk.example"}
    copy = describe_outcome(Action.EXPORT, {**by_vendor, "handed_to": "Helpline Outsourcing Ltd"})
    deletion = describe_outcome(Action.ERASE, {**by_vendor, "handed_to": "Helpline Outsourcing Ltd"})
    restricted = describe_outcome(Action.RESTRICT, {"status": "done", "records": 1})

    assert "passed on the copy" not in copy
    assert copy.startswith("we asked Helpline Outsourcing Ltd for a copy of the personal data they hold")
    assert "not part of your download" in copy
    assert deletion == (
        "we passed on the deletion to Helpline Outsourcing Ltd, and they confirmed it was carried out."
    )
    assert restricted == "1 record marked so that we only store it and do not otherwise use it."


def test_what_a_request_asked_for_reads_as_a_sentence() -> None:
    opt_outs = acknowledgement(
        _request(RequestType.MARKETING_OPT_OUT, RequestType.SALE_SHARING_OPT_OUT), "https://desk.example/s"
    ).body
    two = acknowledgement(_request(RequestType.ACCESS, RequestType.ERASURE), "https://desk.example/s").body

    assert "request for an end to our marketing to you and an end to any sale or sharing" in opt_outs
    assert "request for that" not in opt_outs
    assert "request for a copy of your personal data and deletion of your personal data." in two


def test_a_refusal_says_so_in_its_subject_line() -> None:
    refused = denial(_request(RequestType.ERASURE), "A legal hold applies.")

    assert refused.subject == "Your privacy request 8d5bd9a4: we cannot carry it out"


def test_the_acknowledgement_promises_a_code_only_when_the_request_is_proved_by_one() -> None:
    request = _request(RequestType.ACCESS)
    by_code = acknowledgement(request, "https://status", Proof.CODE).body
    assert "we will send you a code" in by_code
    with_details = acknowledgement(request, "https://status", Proof.CODE_AND_DETAILS).body
    assert "we will send you a code" in with_details
    assert "details we hold about you" in with_details
    for proof, promised in (
        (Proof.SIGN_IN, "link to sign in"),
        (Proof.POWER_OF_ATTORNEY, "power of attorney your agent sent"),
        (Proof.NONE, "you do not need to do anything more"),
    ):
        body = acknowledgement(request, "https://status", proof).body
        assert "code" not in body, proof
        assert promised in body, proof


def test_the_status_page_says_what_the_request_waits_for_and_the_matched_form_asks_to_confirm_it_is_you() -> (
    None
):
    request = _request(RequestType.ERASURE).model_copy(update={"status": Status.VERIFYING})
    view = subject_view(request, proof=Proof.SIGN_IN)
    page = status_page(view, token="t", show_code_form=False, proof=Proof.SIGN_IN)
    assert "Waiting for you to sign in to your account" in page
    assert "confirm your email address" not in page.lower()
    matched = status_page(
        subject_view(request, proof=Proof.CODE_AND_DETAILS),
        token="t",
        show_code_form=True,
        data_points=[("phone", "Phone number")],
        data_points_needed=1,
        proof=Proof.CODE_AND_DETAILS,
    )
    assert "<h2>Confirm it is you</h2>" in matched
    assert '<button type="submit">Confirm</button>' in matched
    assert "Waiting for you to confirm it is you" in matched
    assert "the details we ask for below" in matched
    assert "confirm your email address" not in matched.lower()


def test_the_readable_package_shows_who_the_person_is_first_with_the_address_beside_its_postal_code() -> None:
    record = {"account_id": "A1", "address": "1 Main St", "email": "ada@example.com", "name": "Ada"}
    record |= {"phone": "+44 20", "plan": "pro", "postal_code": "N1 9GU"}
    page = _record_html(record).decode()
    labels = re.findall(r"<dt>([^<]*)</dt>", page)
    assert labels[:5] == ["Name", "Email address", "Phone number", "Postal address", "Postal code"]
    assert labels[5:] == ["Account number", "Plan"]


def test_the_completion_email_names_a_processor_as_the_registry_names_it_not_by_its_domain() -> None:
    registry = load_registry(Path(fulfilment.__file__).parents[1] / "config" / "systems.yaml")
    provider = next(system for system in registry.systems if system.id == "email-provider")
    said = hand_off_words.handed_to(provider)
    assert said == "our email provider"
    told = describe_outcome(Action.ERASE, {"status": "done", "confirmed_by": "x", "handed_to": said})
    assert "passed on the deletion to our email provider" in told
    assert "mail.example" not in told


def test_a_file_in_the_readable_package_is_a_named_file_to_open_not_base64_text() -> None:
    record = {"file": "cv.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjQK"}
    page = _record_html(record).decode()
    assert (
        '<a download="cv.pdf" href="data:application/pdf;base64,JVBERi0xLjQK">Open or save cv.pdf</a>' in page
    )
    assert "<dd>JVBERi0xLjQK</dd>" not in page


def test_a_uk_refusal_names_both_routes_once_the_controller_must_handle_complaints() -> None:
    request = _request(RequestType.ERASURE)

    def refusal_on(day: datetime) -> str:
        routes = complaint_routes(request, day)
        invitation = ComplaintInvitation(*routes) if routes else None
        return denial(request, "A legal hold applies.", complaint=invitation).body

    # From 19 June 2026 (DPA 2018 s.164A): a complaint to us, acknowledged within 30 days, and the ICO.
    after = refusal_on(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert (
        "You may complain to us about this decision by writing to our privacy address: we will "
        "acknowledge your complaint within 30 calendar days of receiving it, look into it and tell "
        "you the outcome.\nYou may also complain to the Information Commissioner's Office (ICO).\n"
    ) in after
    # The day before, the regulator alone, as before.
    before = refusal_on(datetime(2026, 6, 18, 12, 0, tzinfo=UTC))
    assert "You may complain to your data protection authority" in before
    assert "acknowledge your complaint" not in before


def test_a_uk_request_closed_unverified_names_both_routes_too() -> None:
    request = _request(RequestType.ACCESS)
    routes = complaint_routes(request, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert routes is not None
    closed = unverifiable(request, complaint=ComplaintInvitation(*routes)).body
    assert "acknowledge your complaint within 30 calendar days of receiving it" in closed
    assert "You may also complain to the Information Commissioner's Office (ICO)." in closed


def test_a_refusal_elsewhere_names_no_complaint_to_us() -> None:
    eu_request = _request(RequestType.ERASURE).model_copy(update={"jurisdiction": "EU"})
    assert complaint_routes(eu_request, datetime(2026, 7, 1, tzinfo=UTC)) is None
