"""``dsr local demo --json``: every scenario ends as expected, and the document has its promised shape."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_demo_runs_every_scenario_to_its_expected_status() -> None:
    # In a process of its own, as `make demo` runs it: stdout is the one document, and the
    # desk's logs (it runs in that process) are off, on stderr too.
    finished = subprocess.run(
        # Each stage may wait up to 180 s: a wait ends as soon as the stage does, so a busy
        # machine (CI's two cores, running other tests beside it) costs time, not a failure.
        [str(Path(sys.executable).parent / "dsr"), "local", "demo", "--json", "--timeout", "180"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={name: value for name, value in os.environ.items() if name != "DSR_URL"},
    )

    document = json.loads(finished.stdout)
    failed = [
        (scenario["name"], scenario["expected_status"], scenario["final_status"], scenario["error"])
        for scenario in document["scenarios"]
        if not scenario["passed"]
    ]
    assert (finished.returncode, failed) == (0, [])
    assert finished.stderr == ""
    names = [scenario["name"] for scenario in document["scenarios"]]
    assert any("web form" in name for name in names)
    assert any("email" in name for name in names)
    for scenario in document["scenarios"]:
        assert scenario["final_status"] == scenario["expected_status"]
        assert scenario["request_id"]
        assert scenario["states_entered"][:2] == ["RunKind", "Acknowledge"]
        assert scenario["states_entered"][-1] == "Closed"
        assert set(scenario["seconds_per_stage"]) <= set(scenario["states_entered"])
        # An evidence pack for every closed request, its checksum verified by the demo
        pack = scenario["evidence_pack"]
        assert pack["json"].startswith(f"evidence-packs/{scenario['request_id']}/"), pack
        assert pack["pdf"].endswith(".pdf") and re.fullmatch(r"[0-9a-f]{64}", pack["sha256"])
    # Every kind of hand-off is exercised, and the processor that never answered is shown to staff
    covered = {task for scenario in document["scenarios"] for task in scenario["systems"]}
    assert {
        "payments#erase",
        "email-provider#erase",
        "customer-service#erase",
        "crm-contacts#erase",
    } <= covered
    owners_answered_through_their_links(document)
    assert {"accounts#export", "accounts#rectify", "accounts#restrict", "accounts#object"} <= covered
    assert "marketing-leads#opt_out" in covered
    # A scenario shows, one line a system, that an access and an erasure reached the PostgreSQL
    # database, every shipped SaaS tool and the data lake, each holding Ada.
    shown = next(scenario["system_lines"] for scenario in document["scenarios"] if scenario["system_lines"])
    for system in (
        "crm-database",
        "card-payments",
        "support-messenger",
        "marketing-crm",
        "newsletter",
        "help-desk",
        "product-analytics",
    ):
        for action in ("export", "erase"):
            line = next(line for line in shown if line.startswith(f"{system}#{action}: "))
            assert re.match(r"done, [1-9][0-9]* records? ", line.split(": ", 1)[1]), line
    seen_by_staff = [line for scenario in document["scenarios"] for line in scenario["staff_see"]]
    assert any(
        line.startswith("email-provider#erase: no answer from mail.example by ") for line in seen_by_staff
    )
    # The clock moved forward on a request waiting for staff: extended, then a reminder, then OVERDUE
    assert any("7-day reminder" in line for line in seen_by_staff)
    assert any("OVERDUE" in line for line in seen_by_staff)
    # A refusal in Virginia is appealed from the status page; someone else upholds it, naming the regulator
    assert any("We received your appeal" in line for line in seen_by_staff)
    assert any("may not answer the appeal (403)" in line for line in seen_by_staff)
    assert any("The answer to your appeal" in line and "Attorney General" in line for line in seen_by_staff)
    # The rights of the newer laws: an opt-out of automated decisions in California, due in 15
    # business days, and a third-party list in Oregon answered with the registry's third parties
    assert "invoice-terms#admt_opt_out" in covered
    assert any(line.startswith("due 2027-01-27: 15 business days") for line in seen_by_staff)
    assert any("Fabrikam Reseller Partners LLC" in line for line in seen_by_staff)
    # The demo says where it moves the desk's clock, and why, before the scenario that moves it.
    assert [scenario["clock_moved"] for scenario in document["scenarios"] if scenario["clock_moved"]] == [
        "the desk's clock is moved to 5 January 2027 (California's ADMT rules apply from 1 January 2027)",
        "the desk's clock runs through the vendor's reminders and past its answer-by date",
    ]
    _the_silent_vendor_was_reminded_then_failed(document)
    # Two requests come from the demonstration agent over the Data Rights Protocol: each agent is
    # told every status through to fulfilled, and the desk refuses a tampered, an expired and a
    # replayed body, each with its answer.
    by_agent = [scenario for scenario in document["scenarios"] if scenario["agent_told"]]
    assert [scenario["final_status"] for scenario in by_agent] == ["COMPLETED", "COMPLETED"]
    for scenario in by_agent:
        assert scenario["agent_told"][0] == "open" and scenario["agent_told"][-1] == "fulfilled"
        assert any(state.startswith("in_progress") for state in scenario["agent_told"])
    refused = [line for scenario in by_agent for line in scenario["desk_refused"]]
    assert any("signature does not verify: 403" in line for line in refused)
    assert any("expires-at has passed: 400" in line for line in refused)
    assert any("sent again: 409" in line for line in refused)
    # An access package held for review: the workflow waits for the release, a field and a whole
    # record are withheld with their grounds, and the subject downloads the released package.
    reviewed = next(scenario for scenario in document["scenarios"] if "held for review" in scenario["name"])
    assert "AwaitPackageRelease" in reviewed["states_entered"]
    withheld = "staff:approver@desk.example withheld field card_last4 of record 1 of accounts (security)"
    assert withheld in reviewed["staff_see"]
    assert any(line.endswith("released the package (2 redactions)") for line in reviewed["staff_see"])
    assert sorted(reviewed["downloaded"]) == ["html", "json"]


def owners_answered_through_their_links(document: dict[str, Any]) -> None:
    """The vendor uploads its export through the link in its email, and it joins the package; the
    customer holding the person answers nothing found through its own."""
    by_links = next(s for s in document["scenarios"] if s["owners_answered"])
    assert by_links["owners_answered"] == ["crm-contacts#export (1 link)", "customer-service#export (1 link)"]
    assert by_links["systems"]["customer-service#export"] == "done"
    assert by_links["systems"]["crm-contacts#export"] == "nothing_found"
    assert by_links["downloaded"] == ["html", "json"]


def _the_silent_vendor_was_reminded_then_failed(document: dict[str, Any]) -> None:
    # The help-desk vendor stays silent: reminded twice (every 5 days, each once), then its task is
    # marked failed after 14 days, the request closes partially completed, and staff are emailed.
    silent = next(scenario for scenario in document["scenarios"] if "silent owner" in scenario["name"])
    assert silent["final_status"] == "PARTIALLY_COMPLETED"
    assert silent["systems"]["customer-service#erase"] == "failed"
    reminders = [line for line in silent["staff_see"] if "privacy@helpline.example: Reminder" in line]
    assert [line.split(": ")[1] for line in reminders] == ["Reminder 1", "Reminder 2"]
    assert any(
        line.startswith("email to privacy-team@desk.example: ") and "no answer from Helpline" in line
        for line in silent["staff_see"]
    )
    assert any(
        line.startswith("customer-service#erase: reminded 2 times, last on ") for line in silent["staff_see"]
    )
