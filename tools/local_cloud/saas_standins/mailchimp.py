"""Mailchimp's stand-in: the members of the account's audiences (lists), their activity and tags.

A member search (``/search-members``) finds a person's membership of every audience; in each,
the member is addressed by its subscriber hash, the MD5 of the lower-cased address. Errors are
problem documents (``type``, ``title``, ``status``, ``detail``, ``instance``); a permanent deletion
and a change of tags answer 204; a member deleted permanently is gone (404 afterwards).
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from local_cloud import saas_demo_records
from local_cloud.saas_standins import Answer, StandInRequest, Vendor

MEMBER = re.compile(r"^/lists/(?P<list>[^/]+)/members/(?P<hash>[^/]+)(?P<rest>/.*)?$")
TITLES = {
    400: "Invalid Resource",
    401: "API Key Invalid",
    404: "Resource Not Found",
    405: "Method Not Allowed",
    413: "Request Too Large",
    429: "Too Many Requests",
}


def held(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demonstration people the stand-in holds records of (its members' addresses, in any case)."""
    addresses = {m["email_address"].casefold() for m in saas_demo_records.mailchimp_members()}
    return [person for person in people if str(person["email"]).casefold() in addresses]


class StandIn(Vendor):
    tool: ClassVar[str] = "mailchimp"
    settings: ClassVar[dict[str, str]] = {"data_center": "us1"}
    secret: ClassVar[dict[str, str]] = {"username": "privacy-desk", "api_key": "0123456789abcdef-us1"}

    def __init__(self, people: list[dict[str, Any]]) -> None:
        del people  # the records come from saas_demo_records, built from the same people
        self.members = {(m["list_id"], m["id"]): m for m in saas_demo_records.mailchimp_members()}
        """Each audience's members, by list id and member id (the subscriber hash)."""
        self.activity = saas_demo_records.mailchimp_activity()

    def authorized(self, headers: Mapping[str, str]) -> bool:
        """Basic authentication: any user name, the API key as the password."""
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            _, _, key = base64.b64decode(encoded).decode("utf-8").partition(":")
        except ValueError:
            return False
        return key == self.secret["api_key"]

    def error(self, status: int, message: str) -> Any:
        return {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": TITLES.get(status, "Bad Request"),
            "status": status,
            "detail": message,
            "instance": str(uuid.uuid4()),
        }

    def _refused(self, status: int, message: str) -> Answer:
        return Answer(status, self.error(status, message))

    def answer(self, request: StandInRequest) -> Answer:
        if (request.method, request.path) == ("GET", "/search-members"):
            return self._search(request.query.get("query", ""), request.query.get("list_id"))
        match = MEMBER.match(request.path)
        member = self.members.get((match["list"], match["hash"])) if match else None
        if match is None or member is None:
            return self._refused(404, "The requested resource could not be found.")
        routes = {
            ("GET", ""): lambda: Answer(HTTPStatus.OK, member),
            ("PATCH", ""): lambda: self._update(member, request.body or {}),
            ("GET", "/activity"): lambda: self._activity(member),
            ("GET", "/tags"): lambda: self._tags(member, request.query),
            ("POST", "/tags"): lambda: self._tag(member, request.body or {}),
            ("POST", "/actions/delete-permanent"): lambda: self._delete_permanently(member),
        }
        route = routes.get((request.method, match["rest"] or ""))
        if route is None:
            return self._refused(405, "The requested method and resource are not compatible.")
        return route()

    def _search(self, query: str, list_id: str | None) -> Answer:
        """Members whose address is the query, in any case, in every audience (or the one named):
        Mailchimp's exact matches. The full-text matches are left empty."""
        exact = [
            member
            for (member_list, _), member in self.members.items()
            if member["email_address"].casefold() == query.strip().casefold()
            and list_id in (None, member_list)
        ]
        found = {"members": exact, "total_items": len(exact)}
        return Answer(
            HTTPStatus.OK, {"exact_matches": found, "full_search": {"members": [], "total_items": 0}}
        )

    def _activity(self, member: dict[str, Any]) -> Answer:
        activity = self.activity.get((member["list_id"], member["id"]), [])
        body = {"activity": activity, "email_id": member["id"], "list_id": member["list_id"]}
        return Answer(HTTPStatus.OK, body | {"total_items": len(activity)})

    def _delete_permanently(self, member: dict[str, Any]) -> Answer:
        del self.members[(member["list_id"], member["id"])]
        self.activity.pop((member["list_id"], member["id"]), None)
        return Answer(HTTPStatus.NO_CONTENT, None)

    def _update(self, member: dict[str, Any], body: dict[str, Any]) -> Answer:
        if member["status"] == "cleaned" and body.get("status"):
            return self._refused(400, "A cleaned member's status cannot be changed.")
        member.update(body)
        member["last_changed"] = "2026-12-07T00:00:00+00:00"
        return Answer(HTTPStatus.OK, member)

    def _tags(self, member: dict[str, Any], query: Mapping[str, str]) -> Answer:
        offset, count = int(query.get("offset", 0)), int(query.get("count", 10))
        tags = [
            {"id": t["id"], "name": t["name"], "date_added": "2026-01-01T00:00:00+00:00"}
            for t in member["tags"]
        ]
        return Answer(HTTPStatus.OK, {"tags": tags[offset : offset + count], "total_items": len(tags)})

    def _tag(self, member: dict[str, Any], body: dict[str, Any]) -> Answer:
        for tag in body.get("tags", []):
            present = [t for t in member["tags"] if t["name"] == tag["name"]]
            if tag.get("status") == "inactive":
                member["tags"] = [t for t in member["tags"] if t["name"] != tag["name"]]
            elif not present:
                member["tags"].append({"id": 200 + len(member["tags"]), "name": tag["name"]})
        return Answer(HTTPStatus.NO_CONTENT, None)
