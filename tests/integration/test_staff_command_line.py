"""``dsr staff``: the queue and the decisions from a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from dsr.policies.retention import REDUCED_DOMAIN
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from dsr_cli.main import main
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.support import awaiting_approval, submit, verification_code, wait_for_status, wait_until

EVENTS = Path(__file__).resolve().parents[2] / "events" / "email_intake"


def _staff(local_api: LocalApi, user: str, *arguments: str) -> list[str]:
    return ["staff", "--url", local_api.cloud.base_url, "--as", user, *arguments]


def test_staff_list_show_approve_and_deny_from_the_command_line(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    first = awaiting_approval(
        cloud, desk, public, request_types=["erasure"], subject={"email": "ada@example.com"}
    )
    second = awaiting_approval(
        cloud, desk, public, request_types=["erasure"], subject={"email": "alan@example.net"}
    )

    assert main(_staff(local_api, "analyst@desk.example", "list")) == 0
    listed = capsys.readouterr().out
    assert first[:8] in listed and second[:8] in listed and "AWAITING_APPROVAL" in listed

    assert main(_staff(local_api, "analyst@desk.example", "--json", "show", first)) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["request_id"] == first and shown["subject"] == "a***@e***.com"

    # An analyst may not decide
    assert main(_staff(local_api, "analyst@desk.example", "approve", first)) == 1
    assert "403" in capsys.readouterr().err

    assert main(_staff(local_api, "approver@desk.example", "approve", first)) == 0
    assert (
        main(_staff(local_api, "approver@desk.example", "deny", second, "--reason", "A legal hold applies."))
        == 0
    )
    wait_for_status(desk, second, "DENIED")
    wait_until(
        "the approval to take effect", lambda: desk.store.get(first).status.value != "AWAITING_APPROVAL"
    )

    # A second decision names who made the first
    assert main(_staff(local_api, "admin@desk.example", "deny", first, "--reason", "Too late.")) == 1
    assert "decided by approver@desk.example" in capsys.readouterr().err


def test_without_a_token_the_command_says_how_to_sign_in(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "--url", "http://127.0.0.1:9", "list"]) == 1
    assert "give --token" in capsys.readouterr().err


def test_staff_list_shows_the_subject_s_due_day_in_the_order_it_shows(
    local_api: LocalApi, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # California counts days in Los Angeles: the subject is told a day that is not the UTC one.
    answer = submit(public, request_types=["erasure"], jurisdiction="US-CA")
    californian, subject_day = str(answer.body["request_id"]), str(answer.body["respond_by"])[:10]
    eu = str(submit(public, request_types=["access"], jurisdiction="EU").body["request_id"])

    assert main(_staff(local_api, "analyst@desk.example", "list")) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["request", "due", "(days", "left)"]
    [line] = [line for line in lines if line.startswith(californian[:8])]
    assert subject_day in line
    assert desk.store.get(californian).respond_by.date().isoformat() not in line
    due_days = [line.split()[1] for line in lines]
    assert due_days == sorted(due_days)
    assert {californian[:8], eu[:8]} <= {line[:8] for line in lines}

    assert main(_staff(local_api, "analyst@desk.example", "show", californian)) == 0
    assert f"respond by {subject_day} (US-CA time" in capsys.readouterr().out


def test_staff_show_says_plainly_that_an_identity_was_erased(
    local_api: LocalApi, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = str(submit(public, request_types=["access"], jurisdiction="EU").body["request_id"])
    # Closed, then the identity let go as the sweeper does: only the keyed hash is kept.
    desk.store.schedule_identity_reduction(request_id, desk.now() - timedelta(seconds=1))
    assert desk.store.reduce_identity(request_id, {"email": f"{'0' * 32}@{REDUCED_DOMAIN}"}, desk.now())

    assert main(_staff(local_api, "analyst@desk.example", "show", request_id)) == 0
    shown = capsys.readouterr().out
    assert "subject identity erased after closing" in shown
    assert "***@" not in shown


# --- short references, one way to name the desk, output a person or a program can read -------


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_the_short_reference_names_the_request_for_every_staff_command(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    first = awaiting_approval(
        cloud, desk, public, request_types=["erasure"], subject={"email": "ada@example.com"}
    )
    second = awaiting_approval(
        cloud, desk, public, request_types=["erasure"], subject={"email": "alan@example.net"}
    )
    approver = ["staff", "--url", local_api.cloud.base_url, "--as", "approver@desk.example"]

    code, out, err = _run([*approver, "show", first[:8]], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"Request {first}\n")

    code, out, _ = _run([*approver, "show", first[:8], "--json"], capsys)
    assert code == 0 and json.loads(out)["request_id"] == first

    code, out, _ = _run([*approver, "extend", first[:8], "--reason", "The archive is offsite."], capsys)
    assert code == 0
    assert out.startswith(f"Request {first[:8]} extended: respond by 20")
    assert len(out.splitlines()) == 1

    code, out, _ = _run([*approver, "ask", second[:8], "--question", "Which account do you mean?"], capsys)
    assert (code, out) == (
        0,
        f"Request {second[:8]}: the subject is asked for information; the clock is running.\n",
    )

    code, out, _ = _run([*approver, "approve", first[:8]], capsys)
    assert (code, out) == (0, f"Request {first[:8]} approved: it is being carried out.\n")
    wait_until("the approval", lambda: desk.store.get(first).status.value != "AWAITING_APPROVAL")

    # --json, after the subcommand as well as before it: one JSON document
    code, out, _ = _run(
        [*approver, "deny", second[:8], "--reason", "A legal hold applies.", "--json"], capsys
    )
    assert code == 0 and json.loads(out) == {"request_id": second, "decision": "deny"}


def test_a_reference_two_requests_share_or_none_has_is_refused_in_one_line(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    first = awaiting_approval(
        cloud, desk, public, request_types=["erasure"], subject={"email": "ada@example.com"}
    )
    twin = f"{first[:8]}-0000-4000-8000-000000000000"
    desk.store.create(desk.store.get(first).model_copy(update={"request_id": twin}))
    approver = ["staff", "--url", local_api.cloud.base_url, "--as", "approver@desk.example"]

    code, out, err = _run([*approver, "approve", first[:8]], capsys)
    line = _one_line_error(err)
    assert (code, out) == (1, "")
    assert first in line and twin in line and "give the full request id" in line
    assert desk.store.get(first).status.value == "AWAITING_APPROVAL"

    # The full id still names it
    code, out, _ = _run([*approver, "show", first, "--json"], capsys)
    assert code == 0 and json.loads(out)["request_id"] == first

    code, out, err = _run([*approver, "show", "deadbeef"], capsys)
    assert (code, out) == (1, "")
    assert "no request deadbeef" in _one_line_error(err)


def test_an_unreachable_desk_or_a_wrong_argument_is_one_line_and_a_failing_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = _run(
        ["staff", "--url", "http://127.0.0.1:9", "--as", "approver@desk.example", "list"], capsys
    )
    assert (code, out) == (1, "")
    assert "no answer from the desk at http://127.0.0.1:9" in _one_line_error(err)

    code, out, err = _run(["staff", "--as", "approver@desk.example", "deny", "32624cbe"], capsys)
    assert (code, out) == (1, "")
    assert "deny needs --code (the reason), or --reason" in _one_line_error(err)

    with pytest.raises(SystemExit) as exited:
        main(["staff", "--as", "approver@desk.example", "deny", "32624cbe", "--code", "spam"])
    assert exited.value.code == 2
    assert "--code: invalid choice: 'spam'" in _one_line_error(capsys.readouterr().err)


def test_every_command_finds_the_desk_by_dsr_url_or_port(
    local_api: LocalApi,
    desk: Desk,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base_url = local_api.cloud.base_url
    port = base_url.rsplit(":", 1)[1]
    email = str(EVENTS / "access_request.eml")
    for name, value in (("DSR_URL", base_url), ("PORT", port)):
        monkeypatch.delenv("DSR_URL", raising=False)
        monkeypatch.delenv("PORT", raising=False)
        monkeypatch.setenv(name, value)

        code, out, err = _run(["local", "send-email", email, "--json"], capsys)
        assert (code, err) == (0, ""), name
        [outcome] = json.loads(out)["outcomes"]
        assert outcome["disposition"] == "request"
        short_reference = outcome["request_id"][:8]

        code, out, _ = _run(["local", "send-email", email], capsys)
        assert code == 0 and out.startswith("a new request ")

        code, out, _ = _run(["staff", "--as", "analyst@desk.example", "list"], capsys)
        # The state machine may or may not have reached VERIFYING yet; the request is listed either way.
        assert code == 0 and short_reference in out, out

        code, out, _ = _run(["report", "metrics", "--as", "admin@desk.example", "--json"], capsys)
        assert code == 0 and json.loads(out)["year"] == desk.now().year


def test_the_metrics_report_is_of_the_desks_year_and_a_short_table_unless_json(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    awaiting_approval(cloud, desk, public, request_types=["erasure"], subject={"email": "ada@example.com"})
    admin = ["report", "metrics", "--url", local_api.cloud.base_url, "--as", "admin@desk.example"]

    code, out, err = _run(admin, capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Requests received in {desk.now().year}, all jurisdictions (CCPA 7102 figures)"
    assert lines[1].split()[:3] == ["request", "type", "received"]
    assert [line.split()[:2] for line in lines[2:]] == [["erasure", "1"], ["all", "1"]]

    code, out, _ = _run([*admin, "--json"], capsys)
    report = json.loads(out)
    assert code == 0 and report["year"] == desk.now().year
    assert {row["request_type"]: row["received"] for row in report["request_types"]}["all"] == 1


def test_a_load_run_prints_one_document_and_its_logs_go_to_stderr_when_asked() -> None:
    """In a process of its own, as a person runs it: the desk runs in that process and logs."""
    environment = {**os.environ, "POWERTOOLS_LOG_LEVEL": "INFO"}
    environment.pop("DSR_URL", None)
    command = [
        str(Path(sys.executable).parent / "dsr"),
        "local",
        "load",
        "--submissions",
        "4",
        "--clients",
        "2",
    ]

    with_logs = subprocess.run(
        [*command, "--json", "--logs"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    assert with_logs.returncode == 0, with_logs.stderr
    assert json.loads(with_logs.stdout)["passed"] is True
    assert '"message":"request recorded"' in with_logs.stderr

    quiet = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300, check=False)
    assert (quiet.returncode, quiet.stderr) == (0, "")
    assert quiet.stdout.startswith("4 sends (")
    assert "nothing lost, doubled or stuck" in quiet.stdout


def test_a_profiling_review_is_answered_from_the_command_line_and_the_subject_is_sent_the_answer(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # Minnesota's right to question the result of profiling: verified like access, answered by staff
    asked = submit(
        public,
        request_types=["profiling_review"],
        subject={"email": "ada@example.com"},
        country="US",
        region="MN",
        details="Why was I refused invoice terms?",
    )
    request_id = str(asked.body["request_id"])
    details = {"phone": "+442071234567", "postal_code": "SW1A 1AA"}
    code = verification_code(cloud, request_id)
    public.post(f"/requests/{request_id}/verification", {"code": code, "data_points": details})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")

    # Staff see what the subject questioned; an approval without the answer is refused, saying why
    assert main(_staff(local_api, "approver@desk.example", "--json", "show", request_id)) == 0
    assert json.loads(capsys.readouterr().out)["details"] == "Why was I refused invoice terms?"
    assert main(_staff(local_api, "approver@desk.example", "approve", request_id)) == 1
    assert "review.decision_reason" in capsys.readouterr().err
    answer = [
        "--review-reason",
        "Two invoices were paid late.",
        "--review-result",
        "One was our error; invoice terms are now offered.",
    ]
    assert main(_staff(local_api, "approver@desk.example", "approve", request_id, *answer)) == 0

    wait_for_status(desk, request_id, "COMPLETED")
    completion = wait_until(
        "the completion email",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == request_id and "is complete" in m.subject), None
        ),
    )
    assert "Why it was made: Two invoices were paid late." in completion.body
    assert "What our review found: One was our error; invoice terms are now offered." in completion.body
