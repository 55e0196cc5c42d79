"""Downloading the access package: an expiring link, then a fresh code, then short-lived links.

The completion email links to the desk's own download page (the status token is the key), never
to the package itself. The page works for the package's download window (at most 7 days from the
notice). Before anything is downloaded the desk emails a fresh 6-digit code to the address on
file; the code works once, for 15 minutes, with 5 attempts. Only a right code is answered with
links to the package objects, and those work for 5 minutes.

The code is stored as a keyed hash (KMS) bound to the request and to the purpose ``download``,
on its own item (``TOKEN#DOWNLOAD``): an identity verification code for the same request is
worthless here, and a download code is worthless there. Attempts and single use are conditional
writes, so two tries racing cannot both get through.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, NamedTuple
from urllib.parse import quote

from aws_lambda_powertools import Logger

from dsr.core.catalogs import N_, gettext, ngettext
from dsr.core.languages import ENGLISH
from dsr.core.models import PrivacyRequest
from dsr.core.refusals import NoSuchItemError, RefusalError
from dsr.intake import throttling
from dsr.intake.status_tokens import NoMatchingRequestError, status_token, status_token_matches
from dsr.notices import subject_notices as notices
from dsr.storage.rate_limits import CODE_ATTEMPTS_PER_ADDRESS, DOWNLOAD_CODES_PER_REQUEST
from dsr.storage.tasks import CodeTask
from dsr.wiring.desk import Desk

logger = Logger(child=True)

STAGE: Final = "DOWNLOAD"
PURPOSE: Final = "download"
CODE_DIGITS: Final = 6
CODE_TTL_MINUTES: Final = 15
MAX_ATTEMPTS: Final = 5
LINK_SECONDS: Final = 5 * 60
LONGEST_WINDOW: Final = timedelta(days=7)


class Window(StrEnum):
    """Whether the package can be downloaded now."""

    OPEN = "open"
    CLOSED = "closed"  # the download window has ended
    NOTHING = "nothing"  # no package was made for this request (or not yet)


class Refusal(StrEnum):
    """Why a code did not unlock the package (for the audit trail and the page)."""

    WRONG_CODE = "wrong code"
    CODE_EXPIRED = "code expired"
    ALREADY_USED = "already used"
    TOO_MANY_ATTEMPTS = "too many attempts"
    NO_CODE = "no code was sent"
    WINDOW_CLOSED = "download window closed"


REFUSAL_MESSAGES: Final = {
    Refusal.CODE_EXPIRED: N_("That code has expired. Ask for a new code."),
    Refusal.ALREADY_USED: N_("That code has been used already. Ask for a new code."),
    Refusal.TOO_MANY_ATTEMPTS: N_("That code was tried too many times. Ask for a new code."),
    Refusal.NO_CODE: N_("Ask for a code first: we email it to the address on your request."),
    Refusal.WINDOW_CLOSED: N_("This download link has expired."),
}


class Download(NamedTuple):
    """A request's package, as the holder of its status token may see it."""

    request_id: str
    token: str
    window: Window
    available_until: datetime | None


class PackageLinks(NamedTuple):
    """Presigned links to the package objects, each working for ``seconds``."""

    readable: str | None
    data: str | None
    seconds: int


class Redemption(NamedTuple):
    """The answer to a code: the links, or why not and how many attempts are left."""

    links: PackageLinks | None = None
    refusal: Refusal | None = None
    attempts_left: int = 0


class NothingToDownloadError(LookupError, NoSuchItemError):
    """The request has no package to download (none was made, or not yet)."""


class DownloadExpiredError(LookupError, RefusalError):
    """The package's download window has ended."""


class Unlocking(NamedTuple):
    download: Download
    redemption: Redemption


def explain(redemption: Redemption, language: str = ENGLISH) -> str:
    """What the subject is told when a code does not unlock the package, in ``language``."""
    if redemption.refusal is not Refusal.WRONG_CODE:
        return gettext(language, REFUSAL_MESSAGES[redemption.refusal or Refusal.NO_CODE])
    left = redemption.attempts_left
    if left == 0:
        return gettext(language, "That code is not right, and it cannot be tried again. Ask for a new code.")
    return ngettext(
        language,
        "That code is not right. You can try %(count)s more time with it.",
        "That code is not right. You can try %(count)s more times with it.",
        left,
    )


def download_url(desk: Desk, request_id: str) -> str:
    """The link in the completion email: the download page, keyed by the status token."""
    token = quote(status_token(desk, request_id), safe="")
    return f"{desk.settings.public_base_url}/download/{request_id}?token={token}"


def open_window(desk: Desk, request_id: str) -> datetime:
    """Start the package's download window (when the completion notice goes out); its end."""
    hours = timedelta(hours=desk.settings.package_link_ttl_hours)
    until = desk.now() + min(hours, LONGEST_WINDOW)
    desk.store.set_fields(request_id, {"package_available_until": until.isoformat()})
    return until


def window_of(request: PrivacyRequest, now: datetime) -> Window:
    if not request.package_key:
        return Window.NOTHING
    until = request.package_available_until
    return Window.OPEN if until is not None and now < until else Window.CLOSED


def find(desk: Desk, request_id: str, token: str) -> Download | None:
    """The download, only for the holder of the request's status token. ``None`` whether the
    token is wrong or the request does not exist: the answer never tells which."""
    if not status_token_matches(desk, request_id, token):
        return None
    request = desk.store.find(request_id)
    if request is None:
        return None
    return Download(request_id, token, window_of(request, desk.now()), request.package_available_until)


def open_download(desk: Desk, request_id: str, token: str) -> Download:
    """The download, while its window is open, for the holder of the status token. Otherwise
    ``NoMatchingRequestError`` (a wrong token or no such request: never which), then
    ``NothingToDownloadError``, or ``DownloadExpiredError`` past the window."""
    download = find(desk, request_id, token)
    if download is None:
        raise NoMatchingRequestError
    if download.window is Window.NOTHING:
        raise NothingToDownloadError(N_("There is no copy of personal data to download for this request."))
    if download.window is Window.CLOSED or download.available_until is None:
        raise DownloadExpiredError(REFUSAL_MESSAGES[Refusal.WINDOW_CLOSED])
    return download


def _code_message(request_id: str, code: str) -> str:
    """Bound to the request and to the purpose, so no other code of the desk's can stand in."""
    return f"{PURPOSE}:{request_id}:{code}"


def send_code(desk: Desk, download: Download) -> bool:
    """Email a fresh code to the address on file, replacing any earlier one; False when the
    window is not open. Raises :class:`~dsr.intake.throttling.TooManyAttemptsError` past the limit."""
    if download.window is not Window.OPEN:
        return False
    request_id = download.request_id
    throttling.enforce(desk, DOWNLOAD_CODES_PER_REQUEST, request_id, request_id=request_id)
    request = desk.store.get(request_id)
    throttling.enforce_mail(desk, str(request.subject.email), request_id)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    now = desk.now()
    desk.store.put_task(
        request_id,
        STAGE,
        {
            "code_mac": desk.hasher.digest(_code_message(request_id, code)),
            "code_expires_at": (now + timedelta(minutes=CODE_TTL_MINUTES)).isoformat(),
            "attempts": 0,
            "issued_at": now.isoformat(),
        },
    )
    notice = notices.download_code(request, code, CODE_TTL_MINUTES)
    desk.send_notice(str(request.subject.email), notice, request_id)  # the address on file, never typed
    desk.audit(request_id, "subject", "download code", "sent", minutes=CODE_TTL_MINUTES)
    return True


def redeem(desk: Desk, download: Download, code: str) -> Redemption:
    """Check the code; a right one is used up and answered with links that work 5 minutes."""
    request_id = download.request_id
    if download.window is not Window.OPEN:
        return _refused(desk, request_id, Refusal.WINDOW_CLOSED)
    task = desk.store.code_task(request_id, STAGE)
    refusal = _unusable(task, desk.now())
    if refusal is None and task is not None:
        refusal = _check(desk, request_id, code.strip(), task)
    if refusal is not None:
        return _refused(desk, request_id, refusal)
    return Redemption(links=_grant(desk, request_id))


def redeem_within_limits(desk: Desk, request_id: str, token: str, code: str, *, caller: str) -> Unlocking:
    """A code sent for the package, counted against the caller's code attempts (those of the
    verification codes) before anything is read, then as :func:`redeem`."""
    throttling.enforce(desk, CODE_ATTEMPTS_PER_ADDRESS, caller)
    download = open_download(desk, request_id, token)
    return Unlocking(download, redeem(desk, download, code))


def _unusable(task: CodeTask | None, now: datetime) -> Refusal | None:
    if task is None or task.code_mac is None:
        return Refusal.NO_CODE
    if task.used_at is not None:
        return Refusal.ALREADY_USED
    if task.expired(now):
        return Refusal.CODE_EXPIRED
    if task.attempts >= MAX_ATTEMPTS:
        return Refusal.TOO_MANY_ATTEMPTS
    return None


def _check(desk: Desk, request_id: str, code: str, task: CodeTask) -> Refusal | None:
    """Count the attempt, compare in KMS, then use the code up: one caller wins. A code replaced
    meanwhile by a fresh one is not used up (the condition names the code it checked)."""
    if not desk.store.count_code_use_attempt(request_id, STAGE, MAX_ATTEMPTS):
        return Refusal.TOO_MANY_ATTEMPTS
    well_formed = code.isdigit() and len(code) == CODE_DIGITS
    if not well_formed or not desk.hasher.matches(_code_message(request_id, code), str(task.code_mac)):
        return Refusal.WRONG_CODE
    used = desk.store.use_code(request_id, STAGE, str(task.code_mac), desk.now())
    return None if used else Refusal.ALREADY_USED


def _attempts_left(desk: Desk, request_id: str) -> int:
    task = desk.store.code_task(request_id, STAGE)
    if task is None or task.used_at is not None:
        return 0
    return max(0, MAX_ATTEMPTS - task.attempts)


def _refused(desk: Desk, request_id: str, refusal: Refusal) -> Redemption:
    left = _attempts_left(desk, request_id) if refusal is Refusal.WRONG_CODE else 0
    desk.audit(request_id, "subject", "download code", "refused", reason=refusal.value, attempts_left=left)
    logger.info("download code refused", request_id=request_id, reason=refusal.value)
    return Redemption(refusal=refusal, attempts_left=left)


def _grant(desk: Desk, request_id: str) -> PackageLinks:
    request = desk.store.get(request_id)
    links = PackageLinks(
        readable=_link(desk, request.readable_package_key),
        data=_link(desk, request.package_key),
        seconds=LINK_SECONDS,
    )
    desk.audit(request_id, "subject", "download", "granted", link_seconds=LINK_SECONDS)
    return links


def _link(desk: Desk, key: str | None) -> str | None:
    return desk.packages.link(key, LINK_SECONDS) if key else None
