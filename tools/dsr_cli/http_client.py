"""A small JSON-over-HTTP client for the desk's API (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class HttpAnswer:
    status: int
    body: Any


class DeskUnreachableError(ConnectionError):
    """Nothing answered at the desk's address (not running, wrong port, no network)."""


class DeskClient:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in {"http", "https"}:
            raise ValueError(f"the desk's address must be http or https, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.token = token

    def call(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpAnswer:
        data = raw if raw is not None else (json.dumps(payload).encode() if payload is not None else None)
        headers = {
            **({"Content-Type": "application/json"} if payload is not None else {}),
            **(headers or {}),
        }
        if content_type:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 - the desk's own base URL
            self.base_url + path, data=data, method=method, headers=headers
        )
        try:
            # The scheme is http or https: checked when the client was made.
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310
                return HttpAnswer(response.status, _decode(response.read()))
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, _decode(error.read()))
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            raise DeskUnreachableError(
                f"no answer from the desk at {self.base_url} ({reason}): is it running? "
                "Start it with `make run`, or name it with --url or DSR_URL"
            ) from error

    def get(self, path: str) -> HttpAnswer:
        return self.call("GET", path)

    def post(self, path: str, payload: Any = None, raw: bytes | None = None) -> HttpAnswer:
        return self.call("POST", path, payload, raw=raw)


def _decode(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return content.decode(errors="replace")
