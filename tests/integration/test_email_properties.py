"""Whatever bytes reach the privacy mailbox, the desk ends with a request, a reply on a request,
a triage item or a recorded automatic message; it never raises, never makes a request without
a valid sender address, and answers only people it can and should answer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import boto3
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from dsr.core.models import Status
from dsr.inbox.email_phrases import PHRASES_BY_LANGUAGE
from dsr.inbox.email_requests import EMAIL_NAMESPACE, Disposition, handle_inbound
from dsr.intake import proof_of_identity
from dsr.policies.verification import Level
from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.local import running_local_cloud
from local_cloud.clock import local_clock
from tests.support import wait_until

# One worker runs every test here: they share the module's one local cloud.
pytestmark = pytest.mark.xdist_group("email-properties")

EVENTS = Path(__file__).resolve().parents[2] / "events" / "email_intake"
SEED_MESSAGE_ID = "property-seed-request"
SEED_REQUEST_ID = str(uuid.uuid5(EMAIL_NAMESPACE, SEED_MESSAGE_ID))


@dataclass
class Mailbox:
    """One local cloud for the module, and every answer the desk sends: (to, reference)."""

    desk: Desk
    sent: list[tuple[str, str]] = field(default_factory=list)

    def answers_for(self, reference: str | None) -> list[str]:
        return [to for to, ref in list(self.sent) if ref == reference]


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with running_local_cloud(), pytest.MonkeyPatch.context() as patch:
        desk = desk_from_environment()
        box = Mailbox(desk)
        send = desk.mailer.send

        def recording_send(to: str, subject: str, body: str, request_id: str, **parts: str | None) -> str:
            box.sent.append((to, request_id))
            return send(to, subject, body, request_id, **parts)

        patch.setattr(desk.mailer, "send", recording_send)
        seed = handle_inbound(desk, (EVENTS / "access_request.eml").read_bytes(), SEED_MESSAGE_ID, {})
        assert seed.request_id == SEED_REQUEST_ID
        yield box


def _valid_address(text: str) -> bool:
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return text.isascii()


def _written_in(address: str, raw: bytes) -> bool:
    compact = b"".join(raw.split()).lower()
    return address.lower().encode() in compact


def _assert_ends_well(box: Mailbox, raw: bytes, verdicts: dict[str, str]) -> None:
    desk = box.desk
    # Each example on a day of its own: the few fixed senders the examples share would otherwise
    # use up their mailboxes' daily share of unasked-for mail (15) and be rightly left unanswered.
    local_clock.advance(timedelta(days=1))
    outcome = handle_inbound(desk, raw, f"prop-{uuid.uuid4()}", verdicts)

    assert outcome.disposition in set(Disposition)
    event(outcome.disposition.value)
    if outcome.disposition is Disposition.REQUEST:
        assert outcome.request_id is not None
        request = desk.store.get(outcome.request_id)
        assert _valid_address(str(request.subject.email)), "a request needs a valid sender address"
        assert _written_in(str(request.subject.email), raw), "the address is the one in the message"
        asks_for_proof = proof_of_identity.requirement_for(desk, request).level is not Level.NONE
        _wait_until_acknowledged(box, request.request_id, request.status is Status.LINKED, asks_for_proof)
        return
    assert outcome.triage_id is not None
    item = _triage_item(desk, outcome.triage_id)
    assert item["disposition"] == outcome.disposition.value
    assert item["reason"] == outcome.reason
    if outcome.disposition is Disposition.REPLY:
        assert outcome.request_id == SEED_REQUEST_ID
    answers = box.answers_for(outcome.triage_id)
    if outcome.disposition is not Disposition.TRIAGE:
        assert answers == [], "automatic, quarantined mail and replies are never answered"
    assert len(answers) <= 1
    if outcome.disposition is Disposition.TRIAGE and item.get("sender", "unknown") != "unknown":
        assert len(answers) == 1, "a person with a valid address is asked to use the form"
    for answer in answers:
        assert _valid_address(answer)
        assert _written_in(answer, raw)


def _wait_until_acknowledged(box: Mailbox, request_id: str, linked: bool, asks_for_proof: bool) -> None:
    """Every request is answered: a linked one at once, a new one with an acknowledgement and,
    unless it needs no verification (opt-outs), a code from its workflow. Waiting for them also
    keeps the workflow's threads quiet while the next example is drawn."""
    expected = 1 if linked or not asks_for_proof else 2
    wait_until(f"the answers to {request_id}", lambda: len(box.answers_for(request_id)) >= expected)


def _triage_item(desk: Desk, triage_id: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(desk.settings.requests_table)
    return table.get_item(Key={"pk": f"TRIAGE#{triage_id}", "sk": "TRIAGE"})["Item"]


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

verdicts = st.one_of(
    st.just({}),
    st.just({"spam": "PASS", "virus": "PASS", "spf": "PASS", "dkim": "PASS", "dmarc": "PASS"}),
    st.dictionaries(
        st.sampled_from(["spam", "virus", "spf", "dkim", "dmarc"]),
        st.sampled_from(["PASS", "GRAY", "FAIL", "PROCESSING_FAILED"]),
        max_size=5,
    ),
)


# Messages on which the standard library's structured header parser raises (found by this test).
PARSER_BREAKERS = [
    b"From: .x/ <g^5@Z.V.cD>\r\nSubject: W\r\n\r\nplease delete my data\r\n",
    b"From: \xc3\x96\xc2\xa5@\r\nSubject: x\r\n\r\nwhat data do you hold\r\n",
    b'From: "\r\nSubject: x\r\n\r\nhi\r\n',
    b"From: ada@example.com\r\nContent-Type: text/html\r\n\r\n<![foo[ x ]]> delete my data\r\n",
]


@PROPERTY_SETTINGS
@given(raw=st.binary(max_size=2000), verdicts=verdicts)
def test_any_bytes_end_as_a_disposition(mailbox: Mailbox, raw: bytes, verdicts: dict[str, str]) -> None:
    _assert_ends_well(mailbox, raw, verdicts)


phrases = st.sampled_from(
    sorted(
        {
            phrase.strip("*")
            for language in PHRASES_BY_LANGUAGE.values()
            for words in language.values()
            for phrase in words
        }
    )
)
short_text = st.text(max_size=40)
senders = st.one_of(
    st.sampled_from(["Ada Lovelace <ada@example.com>", "grace@example.org", "Alan <ALAN@Example.NET>"]),
    st.emails(),
    st.builds(lambda name, address: f"{name} <{address}>", short_text, st.emails()),
    short_text,
    st.sampled_from(
        ["", "<>", "ada@example.com, grace@example.org", "undisclosed-recipients:;", "a@localhost"]
    ),
)
bodies = st.one_of(
    st.text(max_size=300),
    st.builds(lambda before, phrase, after: f"{before} {phrase} {after}", short_text, phrases, short_text),
)
charsets = st.sampled_from(
    ["utf-8", "us-ascii", "iso-8859-1", "klingon", "utf-16", "base64", "utf\\0", "undefined", "idna", ""]
)
content_types = st.sampled_from(
    ["text/plain", "text/html", "multipart/mixed", "multipart/alternative; boundary=b", "message/rfc822"]
)
transfer_encodings = st.sampled_from(["", "7bit", "8bit", "base64", "quoted-printable", "x-uuencode"])
desk_message_ids = st.sampled_from(
    [
        make_msgid(idstring=SEED_REQUEST_ID, domain="desk.example"),
        make_msgid(idstring=str(uuid.uuid4()), domain="desk.example"),
    ]
)
other_headers = st.lists(
    st.tuples(
        st.sampled_from(
            [
                *("In-Reply-To", "References", "Auto-Submitted", "Precedence", "List-Id", "Return-Path"),
                *("Content-Disposition", "Subject", "From", "MIME-Version", "X-Anything"),
            ]
        ),
        st.one_of(short_text, desk_message_ids),
    ),
    max_size=4,
)


@st.composite
def assembled_messages(draw: st.DrawFn) -> bytes:
    """Arbitrary text in the shape of a message: headers, a blank line, a body."""
    headers = [("From", draw(senders))] if draw(st.integers(0, 9)) else []
    headers.append(("Subject", draw(st.one_of(short_text, phrases))))
    content_type = draw(st.one_of(st.just("text/plain"), content_types))
    charset = draw(st.one_of(st.just("utf-8"), charsets))
    headers.append(("Content-Type", f'{content_type}; charset="{charset}"'))
    if encoding := draw(transfer_encodings):
        headers.append(("Content-Transfer-Encoding", encoding))
    if draw(st.booleans()):
        headers.append(("In-Reply-To", draw(desk_message_ids)))
    headers.extend(draw(other_headers))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    text = newline.join(f"{name}: {value}" for name, value in draw(st.permutations(headers)))
    text += newline * 2 + draw(bodies)
    codec = draw(st.sampled_from(["utf-8", "latin-1", "utf-16"]))
    return text.encode(codec, "replace")


@PROPERTY_SETTINGS
@given(raw=assembled_messages(), verdicts=verdicts)
@example(raw=PARSER_BREAKERS[0], verdicts={})
@example(raw=PARSER_BREAKERS[1], verdicts={})
@example(raw=PARSER_BREAKERS[2], verdicts={})
@example(raw=PARSER_BREAKERS[3], verdicts={})
def test_any_message_shaped_text_ends_as_a_disposition(
    mailbox: Mailbox, raw: bytes, verdicts: dict[str, str]
) -> None:
    _assert_ends_well(mailbox, raw, verdicts)
