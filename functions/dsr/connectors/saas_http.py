"""Calling a SaaS tool's API as its definition says: signed in with the credentials of its
Secrets Manager secret (read once per warm container; an OAuth token kept until it expires),
never faster than the declared rate (a token bucket), 429 and the other transient statuses retried
with backoff (Retry-After honoured), and every other error failing with a message that names the
tool, the request as declared and the status, never a value of the person's."""

from __future__ import annotations

import base64
import json
import re
import string
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from aws_lambda_powertools import Logger

from dsr.connectors.base import SaasError
from dsr.connectors.saas_requests import ConcreteRequest

if TYPE_CHECKING:
    from dsr.core.saas_definitions import OAuthClientCredentials, RateLimit, SaasDefinition

logger = Logger(child=True)

MAX_ANSWER_BYTES = 8 * 1024 * 1024
MAX_RETRY_AFTER_SECONDS = 60.0
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 8.0
HEADROOM = 1.05
"""Requests are spaced this much wider than the declared rate asks."""
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_DNS_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")

SecretReader = Callable[[str], Mapping[str, str]]


class Answer:
    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body


class TokenBucket:
    """At most ``requests`` per ``per_seconds``: a bucket of one token, refilled every
    ``per_seconds / requests`` seconds and a twentieth more (HEADROOM), so that no window of
    ``per_seconds`` ever holds more than ``requests`` requests, however they are spread (a fuller
    bucket would allow a burst at the end of one window and another at the start of the next), and
    a request the network delays a little still reaches the vendor inside the rate. One per tool,
    shared by the threads of the container."""

    def __init__(
        self,
        limit: RateLimit,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = limit.interval * HEADROOM
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def take(self) -> float:
        """Wait for the token; the seconds waited."""
        with self._lock:
            now = self._clock()
            at = max(now, self._next)
            self._next = at + self.interval
        waited = at - now
        if waited > 0:
            self._sleep(waited)
        return waited

    def hold_until(self, seconds_from_now: float) -> None:
        """No request before then (the tool said Retry-After)."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds_from_now)


class SaasHttp:
    """One tool's API, as one warm container keeps it: credentials, token and bucket."""

    def __init__(
        self,
        definition: SaasDefinition,
        environment: Mapping[str, str],
        read_secret: SecretReader,
        *,
        opener: urllib.request.OpenerDirector | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.definition = definition
        self.tool = definition.tool
        self.base_url = _checked_base_url(definition, environment)
        self._read_secret = read_secret
        self._opener = opener or urllib.request.build_opener(_NoRedirects())
        self._sleep = sleep
        self._clock = clock
        self.bucket = TokenBucket(definition.rate_limit, clock, sleep)
        self._secret: Mapping[str, str] | None = None
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()
        self.retries = 0
        """Requests sent again after a transient answer, since the container started."""

    # --- sending --------------------------------------------------------------------------------

    def send(self, request: ConcreteRequest, where: str, absent: frozenset[int] = frozenset()) -> Answer:
        """The tool's answer; ``absent`` statuses are answers too (the record is not there)."""
        definition = self.definition
        transient = set(definition.transient_statuses)
        for attempt in range(definition.max_retries + 1):
            self.bucket.take()
            status, headers, body = self._exchange(request, where)
            if status is not None and (200 <= status < 300 or status in absent):
                return Answer(status, body)
            named = f"{where} ({request.declared})" if request.declared else where
            if status is not None and status not in transient:
                raise SaasError(self.tool, named, status, _vendor_message(body))
            if attempt == definition.max_retries:
                raise SaasError(self.tool, named, status, f"after {attempt} retries")
            wait = _backoff(attempt)
            if status == 429:
                wait = _retry_after(headers.get("retry-after"), wait)
                self.bucket.hold_until(wait)
                wait = 0.0  # the bucket waits it out
            self.retries += 1
            logger.info("saas request retried", tool=self.tool, request=where, status=status, attempt=attempt)
            if wait:
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(self, request: ConcreteRequest, where: str) -> tuple[int | None, dict[str, str], Any]:
        url = self.base_url + request.path + (f"?{request.query_string()}" if request.query else "")
        headers = {"Accept": "application/json", **self.definition.headers, **self._auth_headers(where)}
        if request.content_type:
            headers["Content-Type"] = request.content_type
        prepared = urllib.request.Request(  # noqa: S310 - https, or http on loopback (checked)
            url, data=request.encoded_body(), headers=headers, method=request.method
        )
        try:
            with self._opener.open(prepared, timeout=self.definition.timeout_seconds) as answer:
                return answer.status, _lower(answer.headers), _json(answer.read(MAX_ANSWER_BYTES))
        except urllib.error.HTTPError as error:
            with error:
                return error.code, _lower(error.headers), _json(error.read(64 * 1024))
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            return None, {}, None

    # --- credentials ----------------------------------------------------------------------------

    def secret(self) -> Mapping[str, str]:
        with self._lock:
            if self._secret is None:
                self._secret = self._read_secret(self.definition.auth.secret)
            return self._secret

    def _field(self, name: str) -> str:
        value = self.secret().get(name)
        if not isinstance(value, str) or not value:
            raise SaasError(self.tool, f"secret {self.definition.auth.secret}", None, f"has no field {name}")
        return value

    def _auth_headers(self, where: str) -> dict[str, str]:
        auth = self.definition.auth
        if auth.scheme == "bearer":
            return {"Authorization": f"Bearer {self._field(auth.token_field)}"}
        if auth.scheme == "basic":
            pair = f"{self._field(auth.username_field)}:{self._field(auth.password_field)}"
            return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}
        if auth.scheme == "api_key_header":
            return {auth.header: auth.prefix + self._field(auth.key_field)}
        return {"Authorization": f"Bearer {self._oauth_token(auth, where)}"}

    def _oauth_token(self, auth: OAuthClientCredentials, where: str) -> str:
        with self._lock:
            token = self._token
        if token is not None and self._clock() < token[1]:
            return token[0]
        form = {"grant_type": "client_credentials", **({"scope": auth.scope} if auth.scope else {})}
        pair = f"{self._field(auth.client_id_field)}:{self._field(auth.client_secret_field)}"
        url = auth.token_url if auth.token_url.startswith("https://") else self.base_url + auth.token_url
        prepared = urllib.request.Request(  # noqa: S310 - https, or http on loopback (checked)
            url,
            data=urlencode(form).encode("ascii"),
            headers={
                "Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii"),
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        self.bucket.take()
        try:
            with self._opener.open(prepared, timeout=self.definition.timeout_seconds) as answer:
                body = _json(answer.read(64 * 1024))
        except urllib.error.HTTPError as error:
            raise SaasError(self.tool, f"the token request for {where}", error.code) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            raise SaasError(self.tool, f"the token request for {where}", None) from None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise SaasError(self.tool, f"the token request for {where}", 200, "no access_token")
        lifetime = float(body.get("expires_in") or 3600)
        with self._lock:
            self._token = (body["access_token"], self._clock() + max(lifetime - 60, lifetime / 2))
        return str(body["access_token"])


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as it is: credentials are never sent on to another place."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _checked_base_url(definition: SaasDefinition, environment: Mapping[str, str]) -> str:
    """The definition's URL (its settings filled in), or the one its variable sets: https, or http
    on this machine only."""
    url = definition.base_url
    if definition.base_url_env and environment.get(definition.base_url_env):
        url = environment[definition.base_url_env]
    else:
        url = _with_settings(definition, url, environment)
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS):
        raise SaasError(definition.tool, f"base URL ({definition.base_url_env})", None, "must be https")
    return url.rstrip("/")


def _with_settings(definition: SaasDefinition, url: str, environment: Mapping[str, str]) -> str:
    """The base URL's settings placeholders filled, each with one DNS label (a data centre, a
    subdomain): a value that could name another host is refused, since credentials go there."""
    values = {}
    for _, name, _, _ in string.Formatter().parse(url):
        if name is None:
            continue
        variable = definition.settings[name]
        value = environment.get(variable, "")
        if not _DNS_LABEL.fullmatch(value):
            raise SaasError(definition.tool, f"base URL ({variable})", None, "must be set to one DNS label")
        values[name] = value
    return url.format(**values)


def _backoff(attempt: int) -> float:
    return float(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2**attempt))


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait, from a Retry-After of seconds or an HTTP date; capped."""
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return default
    return min(MAX_RETRY_AFTER_SECONDS, max(0.0, seconds))


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (headers.items() if headers is not None else [])}


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _vendor_message(body: Any) -> str:
    """The vendor's error code, when its answer names one (never its free text: it may repeat a
    value of the person's)."""
    if isinstance(body, dict):
        error = body.get("error")
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        for source in (error if isinstance(error, dict) else {}, first, body):
            for key in ("code", "type", "category"):
                value = source.get(key)
                if isinstance(value, str) and len(value) <= 64 and value.replace("_", "").isalnum():
                    return value
    return ""
