"""``dsr local demo --json``: every scenario ends as expected, and the document has its promised shape."""

from __future__ import annotations

import json

import pytest

from dsr_cli.main import main

pytestmark = pytest.mark.e2e


def test_demo_runs_every_scenario_to_its_expected_status(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = main(["local", "demo", "--json"])

    document = json.loads(capsys.readouterr().out)
    assert exit_code == 0, document
    names = [scenario["name"] for scenario in document["scenarios"]]
    assert any("web form" in name for name in names)
    assert any("email" in name for name in names)
    for scenario in document["scenarios"]:
        assert scenario["final_status"] == scenario["expected_status"]
        assert scenario["request_id"]
        assert scenario["states_entered"][:2] == ["RunKind", "Acknowledge"]
        assert scenario["states_entered"][-1] == "Closed"
        assert set(scenario["seconds_per_stage"]) <= set(scenario["states_entered"])
