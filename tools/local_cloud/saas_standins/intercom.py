"""Intercom's stand-in: contacts and their conversations, for the demonstration people who wrote
to support (Ada, Alan) and a bystander who never made a request.

It answers what ``functions/dsr/config/saas/intercom.yaml`` asks, as Intercom's API 2.14 does:
``POST /contacts/search`` and ``POST /conversations/search`` with a single filter (``email =``,
compared without regard to case as Intercom does; ``contact_ids =``), paged by
``pagination.starting_after`` from ``pages.next.starting_after`` (at most two records a page
here, so that every export walks its pages); ``PUT /contacts/{id}`` (``custom_attributes``
merged); ``DELETE /contacts/{id}``; errors as ``{"type": "error.list", "errors": [...]}``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from local_cloud.saas_demo_records import BYSTANDER
from local_cloud.saas_standins import Answer, StandInRequest, Vendor

PAGE_SIZE = 2
_CREATED = 1_640_995_200  # 2022-01-01


def held(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demonstration people Intercom holds: those who wrote to support (Ada, Alan)."""
    return [people[0], people[-1]]


class StandIn(Vendor):
    tool: ClassVar[str] = "intercom"
    # The demonstration secret privacy-desk/saas/intercom: a stand-in's token, not a credential.
    secret: ClassVar[dict[str, str]] = {"access_token": "local-intercom-stand-in-token"}  # nosec B105

    def __init__(self, people: list[dict[str, Any]]) -> None:
        self.contacts: dict[str, dict[str, Any]] = {}
        self.conversations: list[dict[str, Any]] = []
        numbers = itertools.count(1)
        for person in [*held(people), BYSTANDER]:
            contact_id = f"6{next(numbers):07d}abcdef"
            email = person["email"].upper() if person is people[0] else person["email"]
            self.contacts[contact_id] = {
                "type": "contact",
                "id": contact_id,
                "role": "user",
                "email": email,  # as the person typed it
                "name": person["name"],
                "phone": person.get("phone"),
                "created_at": _CREATED,
                "updated_at": _CREATED,
                "last_seen_at": _CREATED + 86_400,
                "location": {"type": "location", "country": "United Kingdom", "city": "London"},
                "unsubscribed_from_emails": False,
                "custom_attributes": {},
            }
            for topic in (
                ["Billing question", "Export my data", "Password reset"] if person is people[0] else ["Hello"]
            ):
                self.conversations.append(
                    {
                        "type": "conversation",
                        "id": str(1000 + next(numbers)),
                        "created_at": _CREATED,
                        "updated_at": _CREATED,
                        "title": topic,
                        "state": "closed",
                        "source": {
                            "type": "conversation",
                            "body": f"<p>{topic}</p>",
                            "author": {"email": person["email"]},
                        },
                        "contacts": {
                            "type": "contact.list",
                            "contacts": [{"type": "contact", "id": contact_id}],
                        },
                    }
                )

    def authorized(self, headers: Mapping[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.secret['access_token']}"

    def error(self, status: int, message: str) -> Any:
        code = {400: "parameter_invalid", 401: "unauthorized", 404: "not_found", 429: "rate_limit_exceeded"}
        return {
            "type": "error.list",
            "request_id": "local",
            "errors": [{"code": code.get(status, "error"), "message": message}],
        }

    def answer(self, request: StandInRequest) -> Answer:
        body = request.body if isinstance(request.body, dict) else {}
        if request.path == "/contacts/search":
            found = [c for c in self.contacts.values() if _matches(c, body.get("query", {}))]
            return _page(found, body, "data", "list")
        if request.path == "/conversations/search":
            found = [c for c in self.conversations if _matches(c, body.get("query", {}))]
            return _page(found, body, "conversations", "conversation.list")
        contact_id = request.path.removeprefix("/contacts/")
        contact = self.contacts.get(contact_id)
        if contact is None:
            return Answer(HTTPStatus.NOT_FOUND, self.error(404, "User Not Found"))
        if request.method == "DELETE":
            del self.contacts[contact_id]
            return Answer(HTTPStatus.OK, {"id": contact_id, "type": "contact", "deleted": True})
        if request.method == "PUT":
            for key, value in body.items():
                if key == "custom_attributes":
                    contact["custom_attributes"].update(value)
                else:
                    contact[key] = value
        return Answer(HTTPStatus.OK, contact)


def _matches(record: dict[str, Any], query: Mapping[str, Any]) -> bool:
    field, operator, value = query.get("field"), query.get("operator"), query.get("value")
    if operator != "=":
        return False
    if field == "email":
        return str(record.get("email", "")).lower() == str(value).lower()
    if field == "contact_ids":
        return any(c["id"] == value for c in record.get("contacts", {}).get("contacts", []))
    return False


def _page(records: list[dict[str, Any]], body: Mapping[str, Any], key: str, kind: str) -> Answer:
    paging = body.get("pagination") or {}
    start = int(paging.get("starting_after") or 0)
    size = min(int(paging.get("per_page") or 50), PAGE_SIZE)
    page = records[start : start + size]
    pages: dict[str, Any] = {"type": "pages", "page": start // size + 1, "per_page": size}
    if start + size < len(records):
        pages["next"] = {"page": start // size + 2, "starting_after": str(start + size)}
    return Answer(HTTPStatus.OK, {"type": kind, key: page, "total_count": len(records), "pages": pages})
