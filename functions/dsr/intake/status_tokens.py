"""The subject's key to their request's status page."""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Final

from dsr.core.catalogs import N_
from dsr.core.refusals import NoSuchItemError
from dsr.wiring.desk import Desk

if TYPE_CHECKING:
    from dsr.core.models import PrivacyRequest

NO_MATCH: Final = N_("No request matches that reference and token.")


class NoMatchingRequestError(LookupError, NoSuchItemError):
    """No request has this id, or the token is not its status token: the answer never tells which."""

    def __init__(self) -> None:
        super().__init__(NO_MATCH)


# A SHA-256 keyed hash (32 bytes) in URL-safe base64 without padding.
_TOKEN_SPELLING: Final = re.compile(r"[A-Za-z0-9_-]{43}")


def status_token(desk: Desk, request_id: str) -> str:
    """The subject's key to the status page: a keyed hash of the id, so it can be re-derived
    for any later email and nothing secret is stored beside the request."""
    digest = desk.hasher.digest(f"status:{request_id}")
    return base64.urlsafe_b64encode(base64.b64decode(digest)).decode().rstrip("=")


def status_token_matches(desk: Desk, request_id: str, token: str) -> bool:
    """One token, one spelling: exactly the 43 URL-safe base64 characters :func:`status_token`
    writes. Padding, the ``+/`` alphabet, inserted junk or stray bits in the last character are
    refused before any key is asked, so no two spellings open the same page."""
    if not _TOKEN_SPELLING.fullmatch(token):
        return False
    raw = base64.urlsafe_b64decode(token + "=")
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != token:
        return False
    return desk.hasher.matches(f"status:{request_id}", base64.b64encode(raw).decode())


def request_for_holder(desk: Desk, request_id: str, token: str) -> PrivacyRequest:
    """The request, for the holder of its status token only; otherwise ``NoMatchingRequestError``."""
    request = desk.store.find(request_id) if status_token_matches(desk, request_id, token) else None
    if request is None:
        raise NoMatchingRequestError
    return request
