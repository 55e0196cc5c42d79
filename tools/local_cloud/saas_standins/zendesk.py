"""Zendesk Support's stand-in: end users, the tickets they requested, their tags, and deletion in
two steps, for users and tickets alike (a deleted one can be deleted permanently; only then is it
gone). A deleted user's tickets stay until they are deleted themselves, as in Zendesk.

Errors are ``{"error": ..., "description": ...}``; the requested tickets page by cursor
(``page[size]``, ``page[after]``; ``meta.has_more`` and ``meta.after_cursor``). User search
(``query=email:<address>``) ignores case and finds no deleted user, as Zendesk's does.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from local_cloud import saas_demo_records
from local_cloud.saas_standins import Answer, StandInRequest, Vendor

USER = re.compile(r"^/api/v2/users/(?P<id>\d+)(?P<rest>/tickets/requested|/tags)?$")
DELETED_USER = re.compile(r"^/api/v2/deleted_users/(?P<id>\d+)$")
TICKET = re.compile(r"^/api/v2/(?P<state>tickets|deleted_tickets)/(?P<id>\d+)$")
PAGE_SIZE = 2
"""The stand-in's pages are short (Zendesk's hold up to 100) so that a demonstration person's
tickets take more than one page and the cursor is followed."""
ERRORS = {
    400: "RecordInvalid",
    401: "Couldn't authenticate you",
    404: "RecordNotFound",
    429: "TooManyRequests",
}


def held(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demonstration people the stand-in holds records of (its users' addresses, in any case)."""
    addresses = {u["email"].casefold() for u in saas_demo_records.zendesk_users()}
    return [person for person in people if str(person["email"]).casefold() in addresses]


class StandIn(Vendor):
    tool: ClassVar[str] = "zendesk"
    settings: ClassVar[dict[str, str]] = {"subdomain": "demo"}
    secret: ClassVar[dict[str, str]] = {
        "username": "privacy@example.com/token",
        "api_token": "demo-zendesk-token",  # nosec B105 - the stand-in's own, not a real token
    }

    def __init__(self, people: list[dict[str, Any]]) -> None:
        del people  # the records come from saas_demo_records, built from the same people
        self.users = {u["id"]: u for u in saas_demo_records.zendesk_users()}
        self.deleted: dict[int, dict[str, Any]] = {}
        self.tickets = {t["id"]: t for t in saas_demo_records.zendesk_tickets()}
        self.deleted_tickets: dict[int, dict[str, Any]] = {}

    def authorized(self, headers: Mapping[str, str]) -> bool:
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        try:
            sent = base64.b64decode(encoded).decode("utf-8")
        except ValueError:
            return False
        return scheme.lower() == "basic" and sent == f"{self.secret['username']}:{self.secret['api_token']}"

    def error(self, status: int, message: str) -> Any:
        if status == 401:
            return {"error": ERRORS[401]}
        return {"error": ERRORS.get(status, "InvalidEndpoint"), "description": message}

    def _refused(self, status: int, message: str) -> Answer:
        return Answer(status, self.error(status, message))

    def answer(self, request: StandInRequest) -> Answer:
        if (request.method, request.path) == ("GET", "/api/v2/users/search"):
            return self._search(request.query.get("query", ""))
        deleted = DELETED_USER.match(request.path)
        if deleted and request.method == "DELETE":
            return self._delete_permanently(int(deleted["id"]))
        ticket = TICKET.match(request.path)
        if ticket and request.method == "DELETE":
            return self._delete_ticket(int(ticket["id"]), for_good=ticket["state"] == "deleted_tickets")
        match = USER.match(request.path)
        user = self.users.get(int(match["id"])) if match else None
        if match is None or user is None:
            return self._refused(404, "Not found")
        return self._user_route(request, user, match["rest"] or "")

    def _user_route(self, request: StandInRequest, user: dict[str, Any], rest: str) -> Answer:
        route = (request.method, rest)
        if route == ("DELETE", ""):
            del self.users[user["id"]]
            self.deleted[user["id"]] = user | {"active": False}
            return Answer(HTTPStatus.OK, {"user": self.deleted[user["id"]]})
        if route == ("GET", "/tickets/requested"):
            return self._requested(user["id"], request.query)
        if route == ("PUT", "/tags"):
            user["tags"] = sorted(set(user["tags"]) | set((request.body or {}).get("tags", [])))
            return Answer(HTTPStatus.OK, {"tags": user["tags"]})
        return self._refused(404, "Not found")

    def _delete_permanently(self, user_id: int) -> Answer:
        """Only a deleted user can be deleted permanently. Its tickets stay (Zendesk keeps them):
        deleting them is a request of its own per ticket."""
        user = self.deleted.pop(user_id, None)
        if user is None:
            return self._refused(404, "Not found")
        return Answer(HTTPStatus.OK, {"deleted_user": user})

    def _delete_ticket(self, ticket_id: int, *, for_good: bool) -> Answer:
        """A ticket is deleted (204; it is then a deleted ticket), then deleted for good (Zendesk
        answers with the background job that does it)."""
        if not for_good:
            ticket = self.tickets.pop(ticket_id, None)
            if ticket is None:
                return self._refused(404, "Not found")
            self.deleted_tickets[ticket_id] = ticket
            return Answer(HTTPStatus.NO_CONTENT, None)
        if self.deleted_tickets.pop(ticket_id, None) is None:
            return self._refused(404, "Not found")
        job = {"id": f"job-{ticket_id}", "job_type": "ticket_deletion", "status": "queued"}
        return Answer(HTTPStatus.OK, {"job_status": job})

    def _search(self, query: str) -> Answer:
        field, _, value = query.partition(":")
        if field != "email":
            return self._refused(400, "The stand-in searches users by email only")
        found = [u for u in self.users.values() if u["email"].casefold() == value.strip().casefold()]
        return Answer(
            HTTPStatus.OK, {"users": found, "next_page": None, "previous_page": None, "count": len(found)}
        )

    def _requested(self, user_id: int, query: Mapping[str, str]) -> Answer:
        """A page of the tickets the user requested; the cursor is the last ticket id given."""
        size = min(int(query.get("page[size]", 100)), PAGE_SIZE)
        after = query.get("page[after]")
        tickets = sorted(
            (t for t in self.tickets.values() if t["requester_id"] == user_id), key=lambda t: t["id"]
        )
        if after:
            tickets = [t for t in tickets if t["id"] > int(after)]
        page, more = tickets[:size], len(tickets) > size
        cursor = str(page[-1]["id"]) if page else None
        meta = {
            "has_more": more,
            "after_cursor": cursor,
            "before_cursor": str(page[0]["id"]) if page else None,
        }
        links = {"next": None, "prev": None}
        return Answer(HTTPStatus.OK, {"tickets": page, "meta": meta, "links": links})
