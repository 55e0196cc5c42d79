"""What ``make demo`` prints around its scenarios, without running them."""

from __future__ import annotations

import io

from dsr_cli.demo import SCENARIOS, ScenarioResult, _print_timelines, _system_line

CLOCK_LINE = "the desk's clock is moved to 5 January 2027 (California's ADMT rules apply from 1 January 2027)"


def test_the_demo_says_before_a_scenario_that_it_moves_the_clock_into_2027() -> None:
    results = [
        ScenarioResult(
            scenario.name,
            "request",
            scenario.expected_status,
            scenario.expected_status,
            level=scenario.level,
            clock_moved=scenario.clock_moved,
        )
        for scenario in SCENARIOS
    ]
    out = io.StringIO()

    _print_timelines(results, out)

    lines = out.getvalue().splitlines()
    assert lines.count(CLOCK_LINE) == 1
    after = lines[lines.index(CLOCK_LINE) + 1]
    assert after.startswith("ok   an ADMT opt-out in California")


def test_a_data_rights_protocol_scenario_shows_what_the_agent_was_told_and_what_was_refused() -> None:
    result = ScenarioResult("by agent", "request", "COMPLETED", "COMPLETED", level="none")
    result.agent_told = ["open", "in_progress", "fulfilled"]
    result.desk_refused = ["the same signed body sent again: 409 this signed message was accepted before"]
    out = io.StringIO()

    _print_timelines([result], out)

    lines = out.getvalue().splitlines()
    assert "     agent told: open -> in_progress -> fulfilled" in lines
    assert (
        "     desk refused the same signed body sent again: 409 this signed message was accepted before"
        in lines
    )
    assert [scenario.agent_final for scenario in SCENARIOS if scenario.agent_final] == [
        "fulfilled",
        "fulfilled",
    ]


def test_the_scenario_that_reaches_every_system_shows_each_outcome_one_by_one() -> None:
    result = ScenarioResult("access and erasure", "request", "COMPLETED", "COMPLETED", level="email")
    result.systems = {"accounts#erase": "done", "payments#erase": "waiting"}
    result.system_lines = [
        _system_line("accounts#erase", {"status": "done", "records": 1, "system_name": "Platform accounts"}),
        _system_line("crm-database#export", {"status": "done", "records": 7}),
        _system_line("payments#erase", {"status": "waiting", "records": 0, "waiting_on": "pay.example"}),
        _system_line("billing-invoices#erase", {"status": "nothing_found", "records": 0}),
    ]
    out = io.StringIO()

    _print_timelines([result], out)

    lines = out.getvalue().splitlines()
    assert "       accounts#erase: done, 1 record (Platform accounts)" in lines
    assert "       crm-database#export: done, 7 records" in lines
    assert "       payments#erase: waiting, waiting on pay.example" in lines
    assert "       billing-invoices#erase: nothing found" in lines
    shown = [scenario.name for scenario in SCENARIOS if scenario.show_systems]
    assert shown == [
        "access and erasure by web form, EU, email code; the payment processor fails twice first"
    ]


def test_the_timeline_prints_the_evidence_pack_s_files_and_checksum() -> None:
    result = ScenarioResult("access", "request", "COMPLETED", "COMPLETED", level="email")
    result.evidence_pack = {
        "json": "evidence-packs/request/20261207T120000000000Z-evidence.json",
        "pdf": "evidence-packs/request/20261207T120000000000Z-evidence.pdf",
        "sha256": "ab" * 32,
    }
    out = io.StringIO()

    _print_timelines([result], out)

    printed = out.getvalue()
    assert "evidence pack: evidence-packs/request/20261207T120000000000Z-evidence.json, " in printed
    assert f"sha256 {'ab' * 32} (verified)" in printed
