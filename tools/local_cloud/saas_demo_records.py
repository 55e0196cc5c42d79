"""What the SaaS stand-ins hold for the demonstration people, in each vendor's own shapes.

Ada is in all three tools, Grace in HubSpot and Mailchimp, Alan in Zendesk (he asked a support
question but never signed up for news); each tool also holds someone who never made a request,
so a test can see that one person's request leaves the others' records alone. Ada's address is
stored with other capitals in Mailchimp and Zendesk, as people type it: the tools find it anyway
(Mailchimp by the MD5 of the lower-cased address, Zendesk's search ignores case).
"""

from __future__ import annotations

import hashlib
from typing import Any

from local_cloud.demo_data import ADA, ALAN, GRACE

BYSTANDER = {"name": "Edsger Dijkstra", "email": "edsger@example.com", "phone": "+31201234567"}
"""Someone each tool holds who never made a request."""

MAILCHIMP_LIST_ID = "a1b2c3d4e5"
"""The demonstration account's newsletter audience (Mailchimp calls an audience a list)."""
MAILCHIMP_EVENTS_LIST_ID = "f6e5d4c3b2"
"""Its second audience, the people who signed up for an event: Ada is in both."""

HUBSPOT_MARKETING_SUBSCRIPTION_ID = "7148714"
"""The demonstration account's marketing email subscription type."""


def subscriber_hash(email: str) -> str:
    """Mailchimp's id for a list member: the MD5 of the lower-cased address."""
    return hashlib.md5(email.lower().encode(), usedforsecurity=False).hexdigest()


# ------------------------------------------------------------------------------ HubSpot


def hubspot_contacts() -> list[dict[str, Any]]:
    """CRM contacts as ``/crm/v3/objects/contacts`` answers them (every property a string)."""
    people = [(ADA, "501", "customer", "2021-03-02"), (GRACE, "502", "lead", "2019-11-20")]
    people.append((BYSTANDER, "503", "subscriber", "2024-05-14"))
    contacts = []
    for person, contact_id, stage, created in people:
        first, last = str(person["name"]).split(" ", 1)
        timestamp = f"{created}T10:00:00.000Z"
        properties = {
            "email": person["email"],
            "firstname": first,
            "lastname": last,
            "phone": person["phone"],
            "company": "",
            "lifecyclestage": stage,
            "createdate": timestamp,
            "lastmodifieddate": timestamp,
            "hs_object_id": contact_id,
        }
        contacts.append(
            {
                "id": contact_id,
                "properties": properties,
                "createdAt": timestamp,
                "updatedAt": timestamp,
                "archived": False,
            }
        )
    return contacts


def hubspot_subscription_definitions() -> list[dict[str, Any]]:
    """The account's email subscription types."""
    return [
        {"id": HUBSPOT_MARKETING_SUBSCRIPTION_ID, "name": "Product news", "purpose": "Marketing"},
        {"id": "7148715", "name": "Service notices", "purpose": "Service"},
    ]


def hubspot_subscribed() -> dict[str, set[str]]:
    """Per email address, the subscription types it is subscribed to."""
    return {
        str(ADA["email"]): {HUBSPOT_MARKETING_SUBSCRIPTION_ID, "7148715"},
        str(GRACE["email"]): {HUBSPOT_MARKETING_SUBSCRIPTION_ID},
        BYSTANDER["email"]: {HUBSPOT_MARKETING_SUBSCRIPTION_ID},
    }


# ------------------------------------------------------------------------------ Mailchimp


def mailchimp_members() -> list[dict[str, Any]]:
    """Members of the demonstration audiences, as ``/lists/{list_id}/members/{hash}`` answers them:
    one person in two audiences is two members with the same id."""
    entries = [
        (MAILCHIMP_LIST_ID, "Ada@Example.com", ADA, "2021-03-02T10:00:00+00:00", ["customers", "newsletter"]),
        (MAILCHIMP_EVENTS_LIST_ID, str(ADA["email"]), ADA, "2025-05-20T10:00:00+00:00", ["event-2025"]),
        (MAILCHIMP_LIST_ID, str(GRACE["email"]), GRACE, "2019-11-20T10:00:00+00:00", ["newsletter"]),
        (MAILCHIMP_LIST_ID, BYSTANDER["email"], BYSTANDER, "2024-05-14T10:00:00+00:00", []),
    ]
    members = []
    for list_id, typed, person, signed_up, tags in entries:
        first, last = str(person["name"]).split(" ", 1)
        members.append(
            {
                "id": subscriber_hash(typed),
                "email_address": typed,
                "status": "subscribed",
                "merge_fields": {"FNAME": first, "LNAME": last, "PHONE": person["phone"]},
                "language": "en",
                "vip": False,
                "location": {"country_code": "GB" if person is ADA else "US"},
                "timestamp_signup": signed_up,
                "timestamp_opt": signed_up,
                "last_changed": signed_up,
                "source": "Hosted signup form",
                "list_id": list_id,
                "tags": [{"id": 100 + index, "name": name} for index, name in enumerate(tags)],
            }
        )
    return members


def mailchimp_activity() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Per audience and member id, the member's recent activity (newest first)."""
    return {
        (MAILCHIMP_EVENTS_LIST_ID, subscriber_hash(str(ADA["email"]))): [],
        (MAILCHIMP_LIST_ID, subscriber_hash(str(ADA["email"]))): [
            {"action": "open", "timestamp": "2026-10-03T08:12:00+00:00", "type": "regular",
             "campaign_id": "c0ffee01", "title": "October product news"},
            {"action": "click", "timestamp": "2026-10-03T08:13:00+00:00", "type": "regular",
             "campaign_id": "c0ffee01", "title": "October product news"},
        ],
        (MAILCHIMP_LIST_ID, subscriber_hash(str(GRACE["email"]))): [
            {"action": "open", "timestamp": "2026-09-05T17:40:00+00:00", "type": "regular",
             "campaign_id": "c0ffee00", "title": "September product news"},
        ],
        (MAILCHIMP_LIST_ID, subscriber_hash(BYSTANDER["email"])): [],
    }  # fmt: skip


# ------------------------------------------------------------------------------ Zendesk


def zendesk_users() -> list[dict[str, Any]]:
    """End users, as ``/api/v2/users`` answers them."""
    entries = [
        (9001, "ADA@example.com", ADA),
        (9002, str(ALAN["email"]), ALAN),
        (9003, BYSTANDER["email"], BYSTANDER),
    ]
    return [
        {
            "id": user_id,
            "name": person["name"],
            "email": email,
            "phone": person["phone"],
            "role": "end-user",
            "locale": "en-GB" if person is not BYSTANDER else "nl",
            "time_zone": "London",
            "created_at": "2024-02-01T09:00:00Z",
            "updated_at": "2026-10-02T09:00:00Z",
            "last_login_at": None,
            "tags": [],
            "user_fields": {},
            "notes": "",
            "active": True,
        }
        for user_id, email, person in entries
    ]


def zendesk_tickets() -> list[dict[str, Any]]:
    """Tickets, each with its requester's user id; Ada has enough of them to take two pages of two."""
    rows = [
        (7001, 9001, "Importing contacts", "solved"),
        (7003, 9001, "Training session", "closed"),
        (7005, 9001, "Export to CSV", "open"),
        (7004, 9002, "API limits", "pending"),
        (7006, 9003, "Invoice address", "solved"),
    ]
    return [
        {
            "id": ticket_id,
            "requester_id": requester,
            "subject": subject,
            "description": f"{subject}: please help.",
            "status": status,
            "priority": "normal",
            "created_at": "2026-09-01T10:00:00Z",
            "updated_at": "2026-09-02T10:00:00Z",
            "tags": [],
        }
        for ticket_id, requester, subject, status in rows
    ]
