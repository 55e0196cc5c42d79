"""A Global Privacy Control signal, sent by the script the company's pages embed (``/gpc.js``).

Every signal is recorded for the browser that sent it: a keyed hash of the random identifier the
script keeps in the site's own storage, with the time (``dsr.storage.signals``). When the page
knows who the person is, the signal is theirs:

* signed in: the product puts a short-lived signed statement of the account in the page
  (``dsr.verification.signal_assertion``), which is checked here;
* or an email the person typed on a form of the company's site: matched to a person the company
  holds (the data-points source of ``config/verification.yaml``), without verifying it and
  without asking for anything more (11 CCR 7025(c)(2), 7026(d)).

A known person in a jurisdiction whose law makes the signal an opt-out (``config/
gpc_jurisdictions.yaml``), or anywhere where the deployment honours it everywhere, gets one
request to opt out of sale and sharing (targeted advertising included), on the ``gpc`` channel.
It needs no verification (the verification policy's rule for opt-outs) and no staff decision
(``dsr.review.approval``), and runs through every system's opt-out action like any opt-out.

One signal per person and jurisdiction is enough: the request claims the pair with a
conditional write, and a later signal opens nothing while that request is open, nor once it
completed while the person is still on the suppression list as opted out. A request that ended
otherwise (denied, cancelled, failed), or an opt-out the person has since reversed, gives the
claim to the next signal. The answer is the same whoever the person is, or if nobody is known,
so the endpoint tells nobody whether an address is a customer's.
"""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple

from aws_lambda_powertools import Logger
from pydantic import ConfigDict, EmailStr, Field

from dsr.core.desk_model import DeskModel
from dsr.core.jurisdictions import infer_jurisdiction
from dsr.core.keyed_hash import normalized_email
from dsr.core.masking import mask_email
from dsr.core.models import Channel, NewRequest, Relationship, RequestType, Status
from dsr.core.refusals import RefusalError, SignInRequiredError
from dsr.intake import throttling
from dsr.intake.submission import submit
from dsr.intake.throttling import TooManyAttemptsError
from dsr.policies.gpc_header import HONORED
from dsr.policies.request_deadlines import local_day
from dsr.policies.verification import load_policy
from dsr.storage.rate_limits import SIGNALS_PER_ADDRESS
from dsr.wiring.desk import Desk

if TYPE_CHECKING:
    from dsr.policies.opt_out_signals import SignalOutcome
    from dsr.verification.signal_assertion import SignalAssertion

logger = Logger(child=True)

OPTED_OUT_REASON = "sale and sharing opt-out"
"""What the suppression list holds for a person whose sale and sharing opt-out was carried out."""
_STANDING = frozenset({Status.COMPLETED, Status.PARTIALLY_COMPLETED})


class GpcSignal(DeskModel):
    """What the script sends: the browser's identifier and, if the page knows it, who the person is."""

    model_config = ConfigDict(extra="forbid")

    browser_id: str = Field(
        pattern=r"^[A-Za-z0-9_-]{16,128}$",
        description="random, kept in the site's own storage; the desk keeps only a keyed hash of it",
    )
    account_assertion: str | None = Field(
        default=None,
        min_length=10,
        max_length=4096,
        description="the product's signed statement of the signed-in account; with it, email is not read",
    )
    email: EmailStr | None = Field(default=None, description="typed by the person on the company's form")
    country: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="where the page says they live"
    )
    region: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,3}$")


class SignalAnswer(DeskModel):
    signal: Literal["honoured"] = "honoured"
    message: str = HONORED


class SignalNotSentError(RefusalError):
    def __init__(self) -> None:
        super().__init__("the call carries no Sec-GPC: 1 header: the browser did not send the signal")


class UnacceptableStatementError(SignInRequiredError):
    """The product's statement of the account was refused; the reason names why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"the account_assertion was refused: {reason}")


class KnownPerson(NamedTuple):
    email: str
    account_id: str | None
    country: str | None
    region: str | None
    known_by: str
    relationship: Relationship = Relationship.ACCOUNT_HOLDER
    """Signed in, or held by the accounts the data points come from: an account holder."""


def receive_signal(desk: Desk, signal: GpcSignal, *, header_sent: bool, caller: str) -> SignalAnswer:
    """Record the signal; for a known person where it is an opt-out, open their one request.
    ``caller`` is the rate limits' key of the address that sent it."""
    if not header_sent:
        raise SignalNotSentError()
    throttling.enforce(desk, SIGNALS_PER_ADDRESS, caller)
    from dsr.policies.opt_out_signals import outcome_for  # noqa: PLC0415 - the table, on the first signal

    now = desk.now()
    person = _known_person(desk, signal, now)
    country = (person.country if person else None) or signal.country
    region = (person.region if person else None) or signal.region
    jurisdiction = infer_jurisdiction(country, region)
    browser_hash = desk.hasher.digest(f"gpc-browser:{signal.browser_id}")
    desk.store.record_browser_signal(browser_hash, now, jurisdiction)
    outcome = outcome_for(
        jurisdiction, local_day(jurisdiction, now), honoured_everywhere=desk.settings.gpc_honoured_everywhere
    )
    opened = None
    if person is not None and outcome.opts_out:
        opened = _open_opt_out(
            desk, person, jurisdiction=jurisdiction, outcome=outcome, browser_hash=browser_hash, now=now
        )
    desk.store.count_signal(now, jurisdiction, opted_out=opened is not None)
    logger.info(
        "global privacy control signal",
        jurisdiction=jurisdiction,
        known=person is not None,
        opens=opened,
        browser=browser_hash[:12],
    )
    return SignalAnswer()


def signal_with_submission(desk: Desk, new_request: NewRequest) -> str | None:
    """A request submitted with the signal (the desk's own form, or the API): the person who typed
    the email is known, and is opted out by a request of its own where the signal is an opt-out,
    unless they asked for exactly that. The id of the request opened, if one was."""
    from dsr.policies.opt_out_signals import outcome_for  # noqa: PLC0415 - the table, on the first signal

    now = desk.now()
    jurisdiction = new_request.resolved_jurisdiction()
    outcome = outcome_for(
        jurisdiction, local_day(jurisdiction, now), honoured_everywhere=desk.settings.gpc_honoured_everywhere
    )
    opened = None
    asked_already = RequestType.SALE_SHARING_OPT_OUT in new_request.request_types
    if outcome.opts_out and not asked_already:
        subject = new_request.subject
        person = KnownPerson(
            str(subject.email),
            subject.account_id,
            new_request.country,
            new_request.region,
            "request form",
            new_request.relationship,
        )
        try:
            opened = _open_opt_out(
                desk, person, jurisdiction=jurisdiction, outcome=outcome, browser_hash=None, now=now
            )
        except TooManyAttemptsError:  # the submission itself is recorded; the signal stays counted
            logger.warning(
                "signal with a submission not applied: too many requests", jurisdiction=jurisdiction
            )
    desk.store.count_signal(now, jurisdiction, opted_out=opened is not None or asked_already)
    return opened


def _known_person(desk: Desk, signal: GpcSignal, now: datetime) -> KnownPerson | None:
    if signal.account_assertion:
        statement = _checked_statement(desk, signal.account_assertion, now)
        return KnownPerson(
            statement.email, statement.account_id, statement.country, statement.region, "account statement"
        )
    if signal.email:
        held = _held_record(desk, str(signal.email))
        if held is not None:
            account = held.get("account_id")
            return KnownPerson(
                str(signal.email), str(account) if account else None, None, None, "email typed"
            )
    return None


def _checked_statement(desk: Desk, token: str, now: datetime) -> "SignalAssertion":
    # Loaded here: only a signed-in person's signal carries a statement to check.
    from dsr.verification.account_assertion import InvalidAssertionError  # noqa: PLC0415
    from dsr.verification.signal_assertion import verify_signal_assertion  # noqa: PLC0415

    if not desk.settings.product_login_public_key:
        raise UnacceptableStatementError("this desk is not configured with the product's public key")
    try:
        return verify_signal_assertion(token, desk.settings.product_login_public_key, now=now)
    except InvalidAssertionError as refused:
        raise UnacceptableStatementError(refused.reason.value) from refused


def _held_record(desk: Desk, email: str) -> dict[str, object] | None:
    """The company's record of the person with this address, if it holds one."""
    from dsr.connectors.selection import connector_for  # noqa: PLC0415 - only a typed email reads a store

    system = desk.registry.system(load_policy().data_points.source_system)
    for record in connector_for(desk, system).export(email):
        return dict(record)
    return None


def _open_opt_out(
    desk: Desk,
    person: KnownPerson,
    *,
    jurisdiction: str,
    outcome: "SignalOutcome",
    browser_hash: str | None,
    now: datetime,
) -> str | None:
    """The id of the opt-out request this signal opened; None when one already stands."""
    subject_hash = desk.hasher.digest(normalized_email(person.email))
    request_id = str(uuid.uuid4())
    if not _claimed(desk, subject_hash, f"gpc:{jurisdiction}", request_id):
        return None
    new_request = NewRequest.model_validate(
        {
            "request_types": [RequestType.SALE_SHARING_OPT_OUT.value],
            "subject": {"email": person.email, "account_id": person.account_id},
            "relationship": person.relationship.value,
            "jurisdiction": jurisdiction,
            "country": person.country,
            "region": person.region,
        }
    )
    submit(desk, new_request, Channel.GPC, request_id, global_privacy_control=True)
    desk.audit(
        request_id,
        actor="browser via gpc",
        action="global privacy control signal",
        outcome="opt-out of sale and sharing requested",
        subject=mask_email(person.email),
        known_by=person.known_by,
        browser=browser_hash[:12] if browser_hash else None,
        jurisdiction=jurisdiction,
        by_law=outcome.by_law,
        rule=outcome.source,
        at=now.isoformat(),
    )
    return request_id


def _claimed(desk: Desk, subject_hash: str, claim: str, request_id: str) -> bool:
    """Whether ``request_id`` now holds the person's claim for the jurisdiction (a conditional
    write): a new claim, or one whose holder no longer answers the signal, taken over once."""
    holder = desk.store.claim_subject_type(subject_hash, claim, request_id)
    if holder is None or holder == request_id:
        return True
    if _stands(desk, holder, subject_hash):
        return False
    return desk.store.take_over_claim(subject_hash, claim, holder, request_id)


def _stands(desk: Desk, holder: str, subject_hash: str) -> bool:
    """Whether the request holding the claim still answers the signal: open, or carried out and
    the person still on the suppression list as opted out."""
    request = desk.store.find(holder)
    if request is None:
        return False
    if request.status.is_open:
        return True
    return request.status in _STANDING and OPTED_OUT_REASON in desk.store.suppression_reasons(subject_hash)
