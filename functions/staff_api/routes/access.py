"""Who may call which staff route, decided in one place, before anything reads the call: the
caller's groups against the route's (``dsr.staff.auth.ROUTE_GROUPS``), then whether the body can
be read at all. A caller outside the route's group learns nothing from validation errors."""

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import content_types

from dsr.core.refusals import RefusalError
from dsr.staff.auth import ROUTE_GROUPS, StaffMember, authorize_route
from dsr.web.http_errors import STATUS_OF_REFUSAL
from dsr.web.http_guards import JSON, refusal

# A body sent to a staff route must be JSON: checked for size, type and depth before parsing.
STAFF_BODIES = {resource: JSON for method, resource in ROUTE_GROUPS if method == "POST"}


def _status_of(error: RefusalError) -> int:
    return next(status for kind, status in STATUS_OF_REFUSAL.items() if isinstance(error, kind))


def authorized(event: Mapping[str, Any]) -> StaffMember | dict[str, Any]:
    """The staff member calling, if their group may call the route and the body can be read;
    otherwise the answer refusing them (401 or 403; 400, 413 or 415 for the body)."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims")
    try:
        member = authorize_route(str(event.get("httpMethod", "")), str(event.get("resource", "")), claims)
    except RefusalError as refused:
        return {
            "statusCode": _status_of(refused),
            "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": json.dumps({"message": str(refused)}),
            "isBase64Encoded": False,
        }
    unreadable = refusal(event, STAFF_BODIES) if event.get("body") else None
    return unreadable or member
