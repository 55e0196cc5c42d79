"""What ``make demo`` prints around its scenarios, without running them."""

from __future__ import annotations

import io

from dsr_cli.demo import SCENARIOS, ScenarioResult, _print_timelines

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
