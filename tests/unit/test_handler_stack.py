"""Every function's handler wears the same stack (dsr.core.handler_stack): its settings checked before
the event, the logging context, metrics published once per event, tracing, the event parsed."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ValidationError

from dsr.core import handler_stack
from dsr.core.handler_stack import desk_handler, metrics
from dsr.wiring.desk import desk_from_environment
from local_cloud.cloud import TEMPLATE_PATH
from local_cloud.template import load_template


class _Context:
    function_name = "TestFunction"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:TestFunction"
    aws_request_id = "test-invocation"


class _Count(BaseModel):
    count: int


def _handlers() -> dict[str, Any]:
    resources = load_template(TEMPLATE_PATH)["Resources"]
    found = {}
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            module, _, attribute = resource["Properties"]["Handler"].rpartition(".")
            found[name] = getattr(importlib.import_module(module), attribute)
    return found


# The console serves its files and reads only its sign-in settings, none of the desk's.
READS_NO_DESK_SETTINGS = {"StaffConsoleFunction"}


def test_a_function_deployed_without_a_setting_fails_naming_it_before_reading_its_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a deployment whose functions lack the requests table's name
    monkeypatch.delenv("REQUESTS_TABLE", raising=False)
    desk_from_environment.cache_clear()
    refused = {}
    try:
        # When each function is given an event (one no handler could act on)
        for name, handler in _handlers().items():
            if name in READS_NO_DESK_SETTINGS:
                continue
            with pytest.raises(ValidationError) as raised:
                handler({"unexpected": True}, _Context())
            refused[name] = "REQUESTS_TABLE" in str(raised.value)
    finally:
        desk_from_environment.cache_clear()
    # Then every one fails on the missing setting, by its name, not on the event
    assert refused
    assert {name for name, named in refused.items() if not named} == set()


def _counting_handler(logged: list[dict[str, Any]] | None = None) -> Any:
    @desk_handler(_Count, environment=None, traced=False)
    def handler(event: _Count, context: Any) -> dict[str, Any]:
        metrics.add_metric(name="Counted", unit=MetricUnit.Count, value=event.count)
        if logged is not None:
            logged.append(handler_stack.logger.get_current_keys())
        return {"counted": event.count}

    return handler


def test_each_event_publishes_its_own_metrics_once_and_logs_with_the_lambda_context(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    monkeypatch.setattr(metrics, "namespace", "PrivacyDeskTest")
    logged: list[dict[str, Any]] = []
    handler = _counting_handler(logged)

    assert handler({"count": 2}, _Context()) == {"counted": 2}
    assert handler({"count": 5}, _Context()) == {"counted": 5}

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    published = [line["Counted"] for line in lines if "_aws" in line]
    assert published == [[2.0], [5.0]]  # each event its own, none carried over
    assert [keys["function_request_id"] for keys in logged] == ["test-invocation"] * 2


def test_metrics_not_sent_are_not_kept_for_the_next_event(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As on the local cloud, where nothing is sent to CloudWatch
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    handler = _counting_handler()

    handler({"count": 3}, _Context())

    assert metrics.provider.metric_set == {}
    assert '"_aws"' not in capsys.readouterr().out


def test_an_event_that_does_not_fit_the_model_is_refused_by_the_parser() -> None:
    with pytest.raises(ValidationError, match="count"):
        _counting_handler()({"count": "many"}, _Context())
