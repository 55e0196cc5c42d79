"""The staff API's routes, one Router per area, in the order the resolver includes them."""

from staff_api.routes import (
    agents,
    appeals,
    bulk,
    deadlines,
    decisions,
    documentation,
    evidence,
    hand_offs,
    mail_triage,
    package_review,
    queue,
    reports,
    suppression,
)

AREAS = (
    queue,
    bulk,
    decisions,
    package_review,
    suppression,
    hand_offs,
    deadlines,
    reports,
    appeals,
    mail_triage,
    agents,
    evidence,
    documentation,
)

# Loaded by the routes that act on a request in one way, on their first call: the queue and a
# request's page, which staff open first, need none of them.
LOADED_BY_ONE_ROUTE = (
    "dsr.closing.certificates",
    "dsr.closing.cancellation",
    "dsr.deadlines.extensions",
    "dsr.fulfilment.fulfilment",
    "dsr.fulfilment.handoffs",
    "dsr.fulfilment.reruns",
    "dsr.fulfilment.package_review",
    "dsr.staff.package_views",
    "dsr.closing.suppression",
    "dsr.staff.evidence_files",
    "dsr.verification.identity_checks",
)
