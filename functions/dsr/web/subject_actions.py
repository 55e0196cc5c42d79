"""What a subject does through the public API and its web pages, written once for both: submit
a request, see its status, show it is theirs (an emailed code, with details we hold where the
request needs them, or the product's sign-in), ask for a new code, and appeal.

Each action checks what it must (the status token, the rate limits) in the same order whichever
door it came through, and raises the desk's own errors; the routes only shape the answer, as
JSON or as a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from dsr.appeals import appeals
from dsr.core.catalogs import N_, day_in_words, gettext
from dsr.core.languages import ENGLISH, LanguageHints
from dsr.core.models import Channel, NewRequest, PrivacyRequest
from dsr.core.refusals import RefusalError
from dsr.intake import proof_of_identity, throttling
from dsr.intake import submission as intake
from dsr.intake.status_tokens import NoMatchingRequestError, request_for_holder, status_token_matches
from dsr.notices.public_views import SubjectView, shows_code_form, subject_view
from dsr.policies.appeal_rules import Appeal
from dsr.policies.proofs import Proof
from dsr.policies.request_deadlines import local_day
from dsr.policies.verification import Level
from dsr.storage.rate_limits import CODE_ATTEMPTS_PER_ADDRESS, NEW_CODES_PER_REQUEST, SUBMISSIONS_PER_ADDRESS
from dsr.verification import gpc_signals
from dsr.verification import identity_checks as verification
from dsr.verification.identity_checks import VerificationOutcome
from dsr.wiring.desk import Desk

type DetailLabels = tuple[tuple[str, str], ...]
"""The details we may ask for: each one's name (as sent in ``data_points``) and its label."""


class UnreadableStatementError(ValueError, RefusalError):
    """An appeal without reasons, or with more than ``appeals.MAX_STATEMENT_CHARACTERS``: the
    message is ``message_id`` (a catalog message) filled from ``values``, in English."""

    def __init__(self, message_id: str, **values: object) -> None:
        self.message_id = message_id
        self.values = values
        super().__init__(message_id % values if values else message_id)

    def in_language(self, language: str) -> str:
        return gettext(language, self.message_id, **self.values)


NO_REASONS = N_("Tell us why you disagree with our decision.")
TOO_MANY_REASONS = N_("Your reasons are longer than %(limit)s characters; shorten them.")


class StatusFacts(NamedTuple):
    """What the holder of the status token may see of the request, and what the page offers."""

    language: str
    """The language the desk speaks to the subject in (English for a request recorded without)."""
    view: SubjectView
    proof: Proof
    shows_code_form: bool
    details_asked: DetailLabels
    """The details the page has a field for: empty unless the request needs details we hold."""
    details_needed: int


class DetailsWanted(NamedTuple):
    needed: int
    """How many of the details we hold must match."""
    details: DetailLabels


def caller_key(desk: Desk, source_address: str) -> str:
    """The rate limits' key for whoever sent the call: a keyed hash of the address, never the address."""
    return throttling.address_key(desk, source_address)


def submit(
    desk: Desk,
    new_request: NewRequest,
    *,
    caller: str,
    global_privacy_control: bool,
    request_id: str | None = None,
    browser_language: str | None = None,
) -> intake.Receipt:
    """Take in a request from the web (the form or the API), within the caller's rate limit.
    With the browser's Global Privacy Control signal, the person who typed their email is opted
    out of sale and sharing by a request of its own (``gpc_signals.signal_with_submission``),
    which needs no verification, rather than by one waiting on this request's.
    ``browser_language``: the form's language choice and the browser's ``Accept-Language``."""
    throttling.enforce(desk, SUBMISSIONS_PER_ADDRESS, caller)
    receipt = intake.submit(
        desk,
        new_request,
        Channel.WEB,
        request_id,
        global_privacy_control=global_privacy_control,
        language_hints=LanguageHints(browser=browser_language),
    )
    if global_privacy_control:
        gpc_signals.signal_with_submission(desk, new_request)
    return receipt


def detail_labels(request: PrivacyRequest) -> DetailLabels:
    """The details the request may be verified with (never a field it asks to correct)."""
    return tuple(verification.usable_details(request).items())


def status_for_holder(desk: Desk, request_id: str, token: str) -> StatusFacts:
    request = request_for_holder(desk, request_id, token)
    proof = proof_of_identity.proof_asked(desk, request)
    requirement = proof_of_identity.requirement_for(desk, request)
    return StatusFacts(
        language=request.language or ENGLISH,
        view=subject_view(request, appeals.appeal_of(desk, request_id), desk.now(), proof=proof),
        proof=proof,
        shows_code_form=shows_code_form(request, proof),
        details_asked=detail_labels(request) if requirement.level is Level.MATCHED else (),
        details_needed=requirement.data_points,
    )


def confirm_with_code(
    desk: Desk,
    request_id: str,
    code: str,
    data_points: Mapping[str, str],
    *,
    caller: str,
    token: str | None = None,
) -> VerificationOutcome:
    """Check the emailed code (and the details, where the request needs them), within the
    caller's rate limit. ``token``: the status token, where the caller sends one (the status
    page): checked after the rate limit. A code that is not six digits is a wrong code."""
    throttling.enforce(desk, CODE_ATTEMPTS_PER_ADDRESS, caller)
    if token is not None and not status_token_matches(desk, request_id, token):
        raise NoMatchingRequestError
    if not (code.isdigit() and len(code) == verification.CODE_DIGITS):
        return VerificationOutcome.REJECTED
    return verification.submit_code(desk, request_id, code, data_points)


def confirm_with_login(desk: Desk, request_id: str, assertion: str, *, caller: str) -> VerificationOutcome:
    """The product's login vouches for an account holder, within the caller's rate limit."""
    throttling.enforce(desk, CODE_ATTEMPTS_PER_ADDRESS, caller)
    return verification.submit_assertion(desk, request_id, assertion)


def details_wanted(desk: Desk, request_id: str) -> DetailsWanted:
    request = desk.store.get(request_id)
    return DetailsWanted(proof_of_identity.requirement_for(desk, request).data_points, detail_labels(request))


def details_problem(
    outcome: VerificationOutcome, needed: int, listed: DetailLabels = (), language: str = ENGLISH
) -> str:
    """What to tell whoever sent the right code without the details the request needs, in
    ``language``: the ``listed`` details named, or (on the page, which shows a field for each) "the
    details below"."""
    missing = outcome is VerificationOutcome.DETAILS_MISSING
    if not listed:
        return gettext(language, DETAILS_PROBLEMS[missing], needed=needed)
    names = "; ".join(f"{gettext(language, label)} ({name})" for name, label in listed)
    return gettext(language, LISTED_DETAILS_PROBLEMS[missing], needed=needed, details=names)


DETAILS_PROBLEMS = {
    True: N_(
        "Your code is right, but to protect your data we also need %(needed)s of the details below, "
        "as we hold them."
    ),
    False: N_(
        "Your code is right, but fewer than %(needed)s of the details you gave match what we hold. "
        "Check them and send the code again with %(needed)s of the details below, as we hold them."
    ),
}
"""``details_problem`` as the status page says it (a field for each detail below), by whether
the details were missing (True) or did not match (False): message ids with ``needed``."""
LISTED_DETAILS_PROBLEMS = {
    True: N_(
        "Your code is right, but to protect your data we also need %(needed)s of these details, "
        "as we hold them: %(details)s."
    ),
    False: N_(
        "Your code is right, but fewer than %(needed)s of the details you gave match what we hold. "
        "Check them and send the code again with %(needed)s of these details, as we hold them: "
        "%(details)s."
    ),
}
"""``details_problem`` as the API says it, naming each detail (its label, and its name in
``data_points``)."""


def language_of(desk: Desk, request_id: str) -> str:
    """The language the desk speaks to the request's subject in; English for a request recorded
    without one, or none."""
    request = desk.store.find(request_id)
    return (request.language if request is not None else None) or ENGLISH


def ask_for_new_code(desk: Desk, request_id: str, token: str) -> bool:
    """Email a new code, replacing the last; False when the request waits for none. Only the
    holder of the status token may have one sent, so nobody can use the desk to mail someone
    else: every caller does the same work until the token is checked."""
    if not status_token_matches(desk, request_id, token):
        raise NoMatchingRequestError
    throttling.enforce(desk, NEW_CODES_PER_REQUEST, request_id)
    return verification.issue_new_code(desk, request_id)


def statement_problem(statement: str) -> UnreadableStatementError | None:
    if not statement:
        return UnreadableStatementError(NO_REASONS)
    if len(statement) > appeals.MAX_STATEMENT_CHARACTERS:
        return UnreadableStatementError(TOO_MANY_REASONS, limit=appeals.MAX_STATEMENT_CHARACTERS)
    return None


def appeal(desk: Desk, request_id: str, token: str, statement: str) -> Appeal:
    """Appeal a refusal from the status page or the API; ``AppealRefusedError`` says why not."""
    request_for_holder(desk, request_id, token)
    problem = statement_problem(statement)
    if problem is not None:
        raise problem
    return appeals.lodge(desk, request_id, statement, appeals.AppealChannel.STATUS_PAGE)


def answer_day(appeal: Appeal, language: str = ENGLISH) -> str:
    """The day the appeal will be answered by, where its law counts days, as people read it in
    ``language``."""
    return day_in_words(local_day(appeal.jurisdiction, appeal.respond_by), language)
