"""Global Privacy Control over HTTP on the local cloud: the site's statement that it honours the
signal, and what a signal does."""

from __future__ import annotations

import json
import re
import urllib.request

from dsr_cli.http_client import DeskClient


def test_gpc_json_says_the_site_honours_the_signal_as_json(public: DeskClient) -> None:
    with urllib.request.urlopen(public.base_url + "/.well-known/gpc.json", timeout=30) as answer:
        content_type = answer.headers["Content-Type"]
        document = json.loads(answer.read())

    assert content_type.split(";")[0] == "application/json"
    assert set(document) == {"gpc", "lastUpdate"}
    assert document["gpc"] is True
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", document["lastUpdate"])
