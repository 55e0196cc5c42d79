"""HubSpot's stand-in: CRM contacts (search, update, GDPR delete) and email subscription statuses.

Answers and errors in HubSpot's shapes: an error is ``{"status": "error", "message", "correlationId",
"category"}``; a GDPR delete answers 204; unsubscribing someone who is not subscribed answers 400
("already unsubscribed"), as HubSpot does.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar
from urllib.parse import unquote

from local_cloud import saas_demo_records
from local_cloud.saas_standins import Answer, StandInRequest, Vendor

CONTACTS = "/crm/v3/objects/contacts/"
STATUS = "/communication-preferences/v3/status/email/"
DEFAULT_PROPERTIES = ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname")
CUSTOM_PROPERTIES = ("dsr_processing_restricted",)
"""Contact properties the demonstration account defined itself, as a company would for the desk."""
CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    404: "OBJECT_NOT_FOUND",
    413: "VALIDATION_ERROR",
    429: "RATE_LIMITS",
}


def held(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demonstration people the stand-in holds records of (its contacts' addresses, in any case)."""
    addresses = {c["properties"]["email"].casefold() for c in saas_demo_records.hubspot_contacts()}
    return [person for person in people if str(person["email"]).casefold() in addresses]


class StandIn(Vendor):
    tool: ClassVar[str] = "hubspot"
    settings: ClassVar[dict[str, str]] = {
        "marketing_subscription_id": saas_demo_records.HUBSPOT_MARKETING_SUBSCRIPTION_ID
    }
    secret: ClassVar[dict[str, str]] = {"access_token": "pat-na1-demo-0000"}  # nosec B105 - a stand-in's

    def __init__(self, people: list[dict[str, Any]]) -> None:
        del people  # the records come from saas_demo_records, built from the same people
        self.contacts = {c["id"]: c for c in saas_demo_records.hubspot_contacts()}
        self.subscriptions = saas_demo_records.hubspot_subscription_definitions()
        self.subscribed = saas_demo_records.hubspot_subscribed()
        self.unsubscribed: dict[str, set[str]] = {}

    def authorized(self, headers: Mapping[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.secret['access_token']}"

    def error(self, status: int, message: str) -> Any:
        category = CATEGORIES.get(status, "VALIDATION_ERROR")
        return {
            "status": "error",
            "message": message,
            "correlationId": str(uuid.uuid4()),
            "category": category,
        }

    def _refused(self, status: int, message: str) -> Answer:
        return Answer(status, self.error(status, message))

    def answer(self, request: StandInRequest) -> Answer:
        method, path, body = request.method, request.path, request.body or {}
        if (method, path) == ("POST", "/crm/v3/objects/contacts/search"):
            return self._search(body)
        if (method, path) == ("POST", "/crm/v3/objects/contacts/gdpr-delete"):
            return self._gdpr_delete(body)
        if method == "PATCH" and path.startswith(CONTACTS):
            return self._update(unquote(path.removeprefix(CONTACTS)), body)
        if method == "GET" and path.startswith(STATUS):
            return self._statuses(unquote(path.removeprefix(STATUS)))
        if (method, path) == ("POST", "/communication-preferences/v3/unsubscribe"):
            return self._unsubscribe(body)
        return self._refused(404, f"No route for {method} {path}")

    def _by_email(self, email: str) -> dict[str, Any] | None:
        wanted = email.casefold()
        return next(
            (c for c in self.contacts.values() if c["properties"]["email"].casefold() == wanted), None
        )

    def _search(self, body: dict[str, Any]) -> Answer:
        filters = [f for group in body.get("filterGroups", []) for f in group.get("filters", [])]
        found = list(self.contacts.values())
        for search in filters:
            name, operator, value = search["propertyName"], search["operator"], search.get("value")
            if operator != "EQ":
                return self._refused(400, f"The stand-in searches by EQ only, not {operator}")
            found = [
                c for c in found if str(c["properties"].get(name, "")).casefold() == str(value).casefold()
            ]
        wanted = set(body.get("properties") or DEFAULT_PROPERTIES) | {"createdate", "hs_object_id"}
        wanted.add("lastmodifieddate")
        results = []
        for contact in found[: int(body.get("limit", 10))]:
            shown = copy.deepcopy(contact)
            shown["properties"] = {k: v for k, v in contact["properties"].items() if k in wanted}
            results.append(shown)
        return Answer(HTTPStatus.OK, {"total": len(found), "results": results})

    def _gdpr_delete(self, body: dict[str, Any]) -> Answer:
        object_id = str(body["objectId"])
        contact = (
            self._by_email(object_id) if body.get("idProperty") == "email" else self.contacts.get(object_id)
        )
        if contact is None:
            return self._refused(404, "Object not found")
        del self.contacts[contact["id"]]
        email = contact["properties"]["email"]
        self.subscribed.pop(email, None)
        self.unsubscribed.pop(email, None)
        return Answer(HTTPStatus.NO_CONTENT, None)

    def _update(self, contact_id: str, body: dict[str, Any]) -> Answer:
        contact = self.contacts.get(contact_id)
        if contact is None:
            return self._refused(404, "Object not found")
        known = set(contact["properties"]) | set(CUSTOM_PROPERTIES)
        unknown = sorted(set(body.get("properties", {})) - known)
        if unknown:
            return self._refused(400, f"Property values were not valid: {', '.join(unknown)} does not exist")
        contact["properties"].update(body.get("properties", {}))
        return Answer(HTTPStatus.OK, contact)

    def _statuses(self, email: str) -> Answer:
        subscribed = self.subscribed.get(email, set())
        left = self.unsubscribed.get(email, set())
        statuses = [
            {
                "id": subscription["id"],
                "name": subscription["name"],
                "description": subscription["name"],
                "status": "SUBSCRIBED" if subscription["id"] in subscribed else "NOT_SUBSCRIBED",
                "sourceOfStatus": "SUBSCRIPTION_STATUS"
                if subscription["id"] in subscribed | left
                else "DEFAULT",
                "legalBasis": "CONSENT_WITH_NOTICE" if subscription["id"] in left else None,
                "legalBasisExplanation": None,
                "preferenceGroupName": subscription["purpose"],
            }
            for subscription in self.subscriptions
        ]
        return Answer(HTTPStatus.OK, {"recipient": email, "subscriptionStatuses": statuses})

    def _unsubscribe(self, body: dict[str, Any]) -> Answer:
        email, subscription_id = body["emailAddress"], body["subscriptionId"]
        if subscription_id not in {s["id"] for s in self.subscriptions}:
            return self._refused(400, f"Subscription {subscription_id} does not exist")
        if subscription_id not in self.subscribed.get(email, set()):
            return self._refused(
                400, f"The contact is already unsubscribed from subscription {subscription_id}"
            )
        self.subscribed[email].discard(subscription_id)
        self.unsubscribed.setdefault(email, set()).add(subscription_id)
        subscription = next(s for s in self.subscriptions if s["id"] == subscription_id)
        status = {"id": subscription_id, "name": subscription["name"], "status": "NOT_SUBSCRIBED"}
        return Answer(HTTPStatus.OK, status | {"sourceOfStatus": "SUBSCRIPTION_STATUS"})
