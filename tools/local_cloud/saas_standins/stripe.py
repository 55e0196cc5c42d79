"""Stripe's stand-in: customers, their charges and invoices, for the demonstration people who
hold an account (Ada, Grace) and a bystander who never made a request.

It answers what ``functions/dsr/config/saas/stripe.yaml`` asks, as Stripe does: lists as
``{"object": "list", "data": [...], "has_more": ...}`` paged by ``starting_after`` (at most two
records a page here, so that every export walks its pages), the ``email`` filter compared exactly
as Stripe does, form-encoded updates with bracketed keys (``metadata[x]=y``; an empty value
removes a metadata key), deletion, and errors as ``{"error": {"type": ..., "message": ...}}``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from local_cloud.saas_demo_records import BYSTANDER
from local_cloud.saas_standins import Answer, StandInRequest, Vendor

PAGE_SIZE = 2
_CREATED = 1_614_556_800  # 2021-03-01


def held(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demonstration people Stripe holds: those with an account (they pay for it)."""
    return [p for p in people if p.get("account")]


class StandIn(Vendor):
    tool: ClassVar[str] = "stripe"
    # The demonstration secret privacy-desk/saas/stripe: a stand-in's key, not a credential.
    secret: ClassVar[dict[str, str]] = {"api_key": "sk_test_local_stand_in"}

    def __init__(self, people: list[dict[str, Any]]) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.charges: list[dict[str, Any]] = []
        self.invoices: list[dict[str, Any]] = []
        numbers = itertools.count(1)
        for person in [*held(people), BYSTANDER]:
            customer_id = f"cus_demo{next(numbers):04d}"
            self.customers[customer_id] = {
                "id": customer_id,
                "object": "customer",
                "email": person["email"],
                "name": person["name"],
                "phone": person.get("phone"),
                "address": {"line1": person.get("address"), "postal_code": person.get("postal_code")},
                "description": f"account {person.get('account') or 'none'}",
                "created": _CREATED,
                "currency": "usd",
                "metadata": {},
            }
            amount = int(float(person.get("last_invoice_amount") or "10.00") * 100)
            for month in range(3 if person is people[0] else 1):
                self.charges.append(
                    {
                        "id": f"ch_demo{next(numbers):04d}",
                        "object": "charge",
                        "customer": customer_id,
                        "amount": amount,
                        "currency": "usd",
                        "created": _CREATED + month * 2_592_000,
                        "description": f"Subscription, month {month + 1}",
                        "status": "succeeded",
                        "billing_details": {"email": person["email"], "name": person["name"]},
                        "receipt_email": person["email"],
                    }
                )
            self.invoices.append(
                {
                    "id": f"in_demo{next(numbers):04d}",
                    "object": "invoice",
                    "customer": customer_id,
                    "number": f"DEMO-{next(numbers):04d}",
                    "amount_due": amount,
                    "currency": "usd",
                    "created": _CREATED,
                    "status": "paid",
                    "customer_email": person["email"],
                    "customer_name": person["name"],
                }
            )

    def authorized(self, headers: Mapping[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.secret['api_key']}"

    def error(self, status: int, message: str) -> Any:
        kind = {401: "invalid_request_error", 429: "rate_limit_error"}.get(status, "invalid_request_error")
        return {"error": {"type": kind, "message": message}}

    def answer(self, request: StandInRequest) -> Answer:
        parts = request.path.strip("/").split("/")
        if parts == ["v1", "customers"]:
            email = request.query.get("email")
            found = [c for c in self.customers.values() if email is None or c["email"] == email]
            return _page(found, request, "/v1/customers")
        if parts[:2] == ["v1", "customers"] and len(parts) == 3:
            return self._customer(request, parts[2])
        if parts in (["v1", "charges"], ["v1", "invoices"]):
            records = self.charges if parts[1] == "charges" else self.invoices
            customer = request.query.get("customer")
            found = [r for r in records if customer is None or r["customer"] == customer]
            return _page(found, request, request.path)
        return Answer(HTTPStatus.NOT_FOUND, self.error(404, "Unrecognized request URL"))

    def _customer(self, request: StandInRequest, customer_id: str) -> Answer:
        customer = self.customers.get(customer_id)
        if customer is None:
            return Answer(
                HTTPStatus.NOT_FOUND,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "resource_missing",
                        "message": "No such customer",
                    }
                },
            )
        if request.method == "DELETE":
            del self.customers[customer_id]
            return Answer(HTTPStatus.OK, {"id": customer_id, "object": "customer", "deleted": True})
        if request.method == "POST":
            _update(customer, request.body or {})
        return Answer(HTTPStatus.OK, customer)


def _update(customer: dict[str, Any], form: Mapping[str, str]) -> None:
    for key, value in form.items():
        if key.startswith("metadata[") and key.endswith("]"):
            name = key[len("metadata[") : -1]
            if value == "":
                customer["metadata"].pop(name, None)
            else:
                customer["metadata"][name] = value
        elif key.startswith("address[") and key.endswith("]"):
            customer["address"][key[len("address[") : -1]] = value or None
        else:
            customer[key] = value or None


def _page(records: list[dict[str, Any]], request: StandInRequest, url: str) -> Answer:
    after = request.query.get("starting_after")
    if after is not None:
        ids = [r["id"] for r in records]
        records = records[ids.index(after) + 1 :] if after in ids else []
    size = min(int(request.query.get("limit") or 10), PAGE_SIZE)
    return Answer(
        HTTPStatus.OK, {"object": "list", "data": records[:size], "has_more": len(records) > size, "url": url}
    )
