"""Data the company processes for its customers: the contacts in a customer's CRM.

For these people the customer is the controller. The desk finds which customers hold the person
(a Query on the contacts table's index by email, never a Scan), tells each customer's
administrators what was asked, each customer with its own link to answer through
(dsr.fulfilment.owner_links), and waits until every customer told has answered (or staff record
the customers' answer for them).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from dsr.core.actions import Action
from dsr.core.keyed_hash import normalized_email
from dsr.core.models import PrivacyRequest
from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import CustomerControllers
from dsr.fulfilment.outcomes import Carried, OutcomeStatus
from dsr.fulfilment.owner_links import answer_link
from dsr.notices.handoff_notices import customer_notification
from dsr.storage import contacts
from dsr.wiring.desk import Desk

MAX_CUSTOMERS_TOLD = 50


def customers_holding(desk: Desk, route: CustomerControllers, email: str) -> list[str]:
    """The ids of the customers whose CRM holds this email address as a contact."""
    return contacts.customers_holding(
        desk.table(route.contacts_table),
        index=route.contacts_index,
        identity_attribute=route.identity_attribute,
        identity=normalized_email(email),
        customer_attribute=route.customer_attribute,
    )


def administrators(
    desk: Desk, route: CustomerControllers, customer_ids: list[str]
) -> Iterator[tuple[str, str, list[str]]]:
    """Each customer's id, name and administrators' addresses (the first MAX_CUSTOMERS_TOLD)."""
    table = desk.table(route.customers_table)
    for customer_id in customer_ids[:MAX_CUSTOMERS_TOLD]:
        item = contacts.customer(table, route.customer_attribute, customer_id)
        admins = item.get(route.admins_attribute)
        addresses = sorted(str(a) for a in admins) if isinstance(admins, (list, set)) else []
        yield customer_id, str(item.get(route.customer_name_attribute, customer_id)), addresses


def notify_customers(
    desk: Desk, request: PrivacyRequest, system: SystemEntry, action: Action, fields: Mapping[str, Any]
) -> Carried | None:
    """Tell the administrators of every customer who holds the person; nothing found if none does."""
    if not isinstance(system.store, CustomerControllers):
        raise TypeError(f"system {system.id} does not route to customers")
    route = system.store
    customer_ids = customers_holding(desk, route, str(request.subject.email))
    if not customer_ids:
        return Carried(OutcomeStatus.NOTHING_FOUND, 0)
    answer_by = datetime.fromisoformat(str(fields["answer_by"]))
    told = 0
    for customer_id, name, admins in administrators(desk, route, customer_ids):
        step = f"customer-mail#{system.id}#{action.value}#{fields['attempt']}#{customer_id}"
        if not admins:
            continue
        link = answer_link(desk, request.request_id, system.id, action, customer_id)  # one per customer
        if not desk.store.has_step(request.request_id, step):  # sent, then recorded (see vendor_mail)
            notice = customer_notification(
                request, action, name, answer_by, desk.settings.privacy_mailbox, link=link
            )
            for address in admins:
                desk.send_notice(address, notice, request.request_id)
            desk.store.claim_step(request.request_id, step, desk.now())
        told += 1
    if not told:
        return Carried(
            OutcomeStatus.FAILED,
            0,
            {"error": f"{len(customer_ids)} customers hold the person; none has an administrator to tell"},
        )
    desk.audit(
        request.request_id,
        f"system:{system.id}",
        f"{action.value} passed to customers",
        "notified",
        customers=len(customer_ids),
        customers_told=told,
    )
    return None
