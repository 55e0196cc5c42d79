"""Who may call which staff route: every route the template protects, without a token, with a
forged one, and with each group below the one it needs."""

from __future__ import annotations

import re

import pytest

from dsr_cli.http_client import DeskClient
from local_cloud.http_api import LocalApi
from tests.support import staff_client

ANALYST, APPROVER, ADMIN = "analyst@desk.example", "approver@desk.example", "admin@desk.example"
RANKED = [ANALYST, APPROVER, ADMIN]

# The authorization matrix: the least group each staff route needs.
MATRIX = {
    ("GET", "/staff/me"): ANALYST,
    ("GET", "/staff/openapi.json"): ANALYST,
    ("GET", "/staff/requests"): ANALYST,
    ("GET", "/staff/requests/{request_id}"): ANALYST,
    ("GET", "/staff/floods"): ANALYST,
    ("POST", "/staff/requests/{request_id}/identity"): ANALYST,
    ("POST", "/staff/requests/{request_id}/triage"): ANALYST,
    ("POST", "/staff/requests/{request_id}/evidence"): ANALYST,
    ("POST", "/staff/requests/{request_id}/deletion-certificate"): ANALYST,
    ("GET", "/staff/appeals"): ANALYST,
    ("GET", "/staff/dashboard"): ANALYST,
    ("GET", "/staff/triage"): ANALYST,
    ("POST", "/staff/triage/{triage_id}/resolution"): ANALYST,
    ("POST", "/staff/suppression/check"): ANALYST,
    ("POST", "/staff/requests/{request_id}/information-request"): ANALYST,
    ("POST", "/staff/requests/{request_id}/information-received"): ANALYST,
    ("POST", "/staff/requests/{request_id}/systems/{system_id}/{action}/confirmation"): ANALYST,
    ("POST", "/staff/requests/{request_id}/decision"): APPROVER,
    ("POST", "/staff/bulk"): APPROVER,
    ("POST", "/staff/requests/{request_id}/rerun"): APPROVER,
    ("POST", "/staff/requests/{request_id}/cancel"): APPROVER,
    ("POST", "/staff/requests/{request_id}/extension"): APPROVER,
    ("POST", "/staff/requests/{request_id}/power-of-attorney"): APPROVER,
    ("GET", "/staff/packages"): APPROVER,
    ("GET", "/staff/requests/{request_id}/package"): APPROVER,
    ("GET", "/staff/requests/{request_id}/package/systems/{system_id}"): APPROVER,
    ("POST", "/staff/requests/{request_id}/package/redactions"): APPROVER,
    ("POST", "/staff/requests/{request_id}/package/redactions/removal"): APPROVER,
    ("POST", "/staff/requests/{request_id}/package/release"): APPROVER,
    ("POST", "/staff/requests/{request_id}/appeal/decision"): APPROVER,
    ("POST", "/staff/requests/{request_id}/appeal/extension"): APPROVER,
    ("GET", "/staff/reports/metrics"): ADMIN,
    ("GET", "/staff/agents"): ADMIN,
    ("POST", "/staff/agents"): ADMIN,
    ("POST", "/staff/agents/{agent_id}/status"): ADMIN,
}
SAMPLE_PARAMETERS = {
    "request_id": "00000000-0000-4000-8000-000000000000",
    "triage_id": "00000000-0000-4000-8000-000000000001",
    "system_id": "customer-service",
    "action": "erase",
    "agent_id": "NO_SUCH_AGENT",
}
FORGED = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def _path(template_path: str) -> str:
    path = re.sub(r"\{(\w+)\}", lambda found: SAMPLE_PARAMETERS[found.group(1)], template_path)
    return f"{path}?year=2026" if template_path == "/staff/reports/metrics" else path


def _call(client: DeskClient, method: str, template_path: str) -> int:
    return client.call(method, _path(template_path), {} if method == "POST" else None).status


def test_every_protected_route_is_in_the_matrix_and_every_route_in_it_is_protected(
    local_api: LocalApi,
) -> None:
    protected = {(route.method, route.path) for route in local_api.routes if route.authorizer}
    staff_paths = {
        (route.method, route.path) for route in local_api.routes if route.path.startswith("/staff")
    }
    assert protected == set(MATRIX)
    assert staff_paths == protected


@pytest.mark.parametrize(("method", "template_path"), sorted(MATRIX))
def test_no_token_or_a_forged_one_gets_401(local_api: LocalApi, method: str, template_path: str) -> None:
    base = local_api.cloud.base_url
    assert _call(DeskClient(base), method, template_path) == 401
    assert _call(DeskClient(base, FORGED), method, template_path) == 401


@pytest.mark.parametrize(("method", "template_path"), sorted(MATRIX))
def test_each_group_below_the_one_needed_gets_403_and_the_one_needed_gets_past(
    local_api: LocalApi, method: str, template_path: str
) -> None:
    needed = RANKED.index(MATRIX[(method, template_path)])
    for rank, username in enumerate(RANKED):
        status = _call(staff_client(local_api, username), method, template_path)
        if rank < needed:
            assert status == 403, f"{username} {method} {template_path}: {status}"
        else:
            # Past the check: whatever the route answers for this unknown request or empty body.
            assert status not in {401, 403}, f"{username} {method} {template_path}: {status}"


def test_a_deeply_nested_body_is_refused_to_staff_too_but_only_after_the_token(local_api: LocalApi) -> None:
    deep = ("[" * 50_000 + "]" * 50_000).encode()
    path = f"/staff/requests/{SAMPLE_PARAMETERS['request_id']}/decision"
    anonymous = DeskClient(local_api.cloud.base_url).call(
        "POST", path, raw=deep, content_type="application/json"
    )
    approver = staff_client(local_api, APPROVER).call("POST", path, raw=deep, content_type="application/json")

    assert anonymous.status == 401
    assert (approver.status, approver.body["message"]) == (
        400,
        "The request body nests deeper than 32 levels.",
    )
