"""Schemathesis against the running local cloud's /openapi.json: whatever it sends that the
schema allows (and much that it does not), the public API answers without a server error, with
a documented status, content type and body."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from local_cloud.http_api import LocalApi

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 40


def test_every_public_operation_answers_as_its_schema_says(local_api: LocalApi) -> None:
    base_url = local_api.cloud.base_url
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    cases_run: dict[str, int] = {}

    for result in schema.get_all_operations():
        operation = result.ok()
        cases_run[operation.label] = 0
        _check_operation(operation, base_url, cases_run)

    assert {"POST /requests", "GET /requests/{request_id}"} <= set(cases_run)
    assert all(count > 0 for count in cases_run.values()), cases_run
    print(f"schemathesis cases run: {sum(cases_run.values())} over {len(cases_run)} operations")


def _check_operation(operation: schemathesis.APIOperation, base_url: str, cases_run: dict[str, int]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case: schemathesis.Case) -> None:
        cases_run[operation.label] += 1
        case.call_and_validate(base_url=base_url, checks=CHECKS)

    answers_as_documented()
