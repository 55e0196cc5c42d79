"""Requests in several states for ``make run``, so the staff console has a queue to show.

They are made through the HTTP API as subjects and staff would make them, like the demo: one
waiting for its email code, two waiting for a staff decision (one from a subject whose name is
markup, shown as text), one being carried out and waiting on the help-desk vendor (the erasure of
someone the demonstration stores do not hold, so the demonstration subjects keep their records),
and one refused in Virginia, which the subject may appeal.
"""

from __future__ import annotations

from dsr_cli.demo import DemoRun, by_code

ERASED_SUBJECT = "charles@example.com"


def seed_requests(base_url: str, timeout: float = 20.0) -> dict[str, str]:
    """Make the requests; their ids by what they show."""
    run = DemoRun(base_url, timeout)
    made: dict[str, str] = {}

    made["verifying"] = run.submit_by_form(
        {"request_types": ["erasure"], "subject": {"email": "alan@example.net"}, "jurisdiction": "UK"}
    )

    awaiting = run.submit_by_form(
        {
            "request_types": ["access"],
            "subject": {"email": "ada@example.com", "name": "Ada Lovelace"},
            "relationship": "account_holder",
            "jurisdiction": "EU",
        }
    )
    by_code()(run, awaiting)
    made["awaiting approval"] = awaiting

    markup = run.submit_by_form(
        {
            "request_types": ["restriction"],
            # Not one of the demo's subjects: each person may file five requests a day, and the
            # demo files its own for Ada, Grace and Alan, also against this seeded desk (--url).
            "subject": {"email": "mallory@example.net", "name": "<img src=x onerror=alert(1)>"},
            "jurisdiction": "UK",
            "details": "<script>alert('shown as text')</script>",
        }
    )
    by_code()(run, markup)
    made["awaiting approval, a name that is markup"] = markup

    # Someone the demonstration data does not hold: an erasure carried out for Ada, Grace or Alan
    # would leave nothing of theirs for a newcomer to see, export or verify with afterwards.
    in_progress = run.submit_by_form(
        {
            "request_types": ["erasure"],
            "subject": {"email": ERASED_SUBJECT, "name": "Charles Babbage"},
            "jurisdiction": "EU",
        }
    )
    by_code()(run, in_progress)
    run.wait_for_status(in_progress, "AWAITING_APPROVAL")
    run.staff.post(f"/staff/requests/{in_progress}/decision", {"decision": "approve"})
    made["in progress, waiting on the help-desk vendor"] = in_progress

    refused = run.submit_by_form(
        {"request_types": ["access"], "subject": {"email": "grace@example.org"}, "jurisdiction": "US-VA"}
    )
    by_code({"phone": "(202) 555-0143", "postal_code": "94105"})(run, refused)
    run.wait_for_status(refused, "AWAITING_APPROVAL")
    run.staff.post(
        f"/staff/requests/{refused}/decision",
        {"decision": "deny", "reason": "An open invoice dispute: we answer it through our lawyers."},
    )
    made["denied in Virginia (appealable)"] = refused

    for request_id in (awaiting, markup):
        run.wait_for_status(request_id, "AWAITING_APPROVAL")
    return made
