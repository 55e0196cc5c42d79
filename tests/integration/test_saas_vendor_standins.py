"""The HubSpot, Mailchimp and Zendesk stand-ins over HTTP: they refuse what the vendor's document
would refuse, in the vendor's own error shape, and answer with no body where the vendor does."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from local_cloud.demo_data import PEOPLE
from local_cloud.saas_standins import SaasStandIn, vendor_stand_in

ADA_MD5 = "3e3417d7ef77d5932a6734b916515ed5"
KNOWN_REQUEST_WITH_A_STRAY_FIELD = {
    "hubspot": ("PATCH", "/crm/v3/objects/contacts/501", {"properties": {}, "propertys": {}}),
    "mailchimp": ("PATCH", f"/lists/a1b2c3d4e5/members/{ADA_MD5}", {"status": "unsubscribed", "stauts": 1}),
    "zendesk": ("PUT", "/api/v2/users/9001/tags", {"tags": ["processing_restricted"], "tag": "x"}),
}
UNKNOWN_ENDPOINT = {
    "hubspot": "/crm/v3/objects/contact/search",
    "mailchimp": "/search-member",
    "zendesk": "/api/v2/user/search",
}


def _credentials(tool: str, secret: dict[str, str]) -> str:
    if tool == "hubspot":
        return f"Bearer {secret['access_token']}"
    password = secret["api_key"] if tool == "mailchimp" else secret["api_token"]
    return "Basic " + base64.b64encode(f"{secret['username']}:{password}".encode()).decode()


class Session:
    """One kept-alive connection to a stand-in, as the connector's HTTP client keeps one."""

    def __init__(self, stand_in: SaasStandIn) -> None:
        self.tool = stand_in.tool
        self.authorization = _credentials(self.tool, stand_in.vendor.secret)
        self.connection = http.client.HTTPConnection(urlsplit(stand_in.base_url).netloc, timeout=5)

    def send(
        self, method: str, path: str, body: Any = None, authorization: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Authorization": authorization or self.authorization}
        payload = None if body is None else json.dumps(body).encode()
        if payload is not None:
            headers["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        if response.status == 204:  # RFC 9110: a 204 has no content, and says so
            assert response.getheader("Content-Length") in (None, "0")
        return response.status, json.loads(raw) if raw else None


@pytest.fixture(params=["hubspot", "mailchimp", "zendesk"])
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    stand_in = SaasStandIn(vendor_stand_in(request.param, PEOPLE)).start()
    opened = Session(stand_in)
    try:
        yield opened
    finally:
        opened.connection.close()
        stand_in.stop()


def _in_vendor_shape(tool: str, body: Any, status: int) -> str:
    """The refusal's message, after checking the body has the vendor's error fields."""
    if tool == "hubspot":
        assert body["status"] == "error" and body["category"] and body["correlationId"]
        return str(body["message"])
    if tool == "mailchimp":
        assert body["status"] == status and body["title"] and body["type"] and body["instance"]
        return str(body["detail"])
    assert set(body) == {"error", "description"}
    return str(body["description"])


def test_an_unknown_endpoint_is_refused_in_the_vendors_error_shape(session: Session) -> None:
    status, body = session.send("GET", UNKNOWN_ENDPOINT[session.tool])
    assert status == 400
    assert "API document has no path like" in _in_vendor_shape(session.tool, body, 400)


def test_an_unknown_body_field_is_refused_in_the_vendors_error_shape(session: Session) -> None:
    method, path, body = KNOWN_REQUEST_WITH_A_STRAY_FIELD[session.tool]
    status, answer = session.send(method, path, body)
    assert status == 400
    message = _in_vendor_shape(session.tool, answer, 400)
    assert "is not in the document" in message
    assert "ada" not in message.lower()


def test_wrong_credentials_are_refused_in_the_vendors_error_shape(session: Session) -> None:
    status, body = session.send("GET", UNKNOWN_ENDPOINT[session.tool], authorization="Bearer wrong")
    assert status == 401
    assert body["error"] if session.tool == "zendesk" else _in_vendor_shape(session.tool, body, 401)


def test_an_answer_without_content_leaves_the_connection_usable() -> None:
    """Mailchimp answers a change of tags with 204: no body, so the next answer on the same
    connection is read whole."""
    stand_in = SaasStandIn(vendor_stand_in("mailchimp", PEOPLE)).start()
    session = Session(stand_in)
    try:
        tag = {"tags": [{"name": "processing-restricted", "status": "active"}]}
        assert session.send("POST", f"/lists/a1b2c3d4e5/members/{ADA_MD5}/tags", tag) == (204, None)
        status, tags = session.send("GET", f"/lists/a1b2c3d4e5/members/{ADA_MD5}/tags?count=100")
        assert status == 200
        assert "processing-restricted" in {t["name"] for t in tags["tags"]}
    finally:
        session.connection.close()
        stand_in.stop()
