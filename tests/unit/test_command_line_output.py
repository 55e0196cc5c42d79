"""The ``dsr`` command's rules, without a desk: where it looks for the desk, what it prints for a
decision or a report, and how it fails (one line on stderr, never a traceback, a failing status)."""

from __future__ import annotations

import argparse
import http.client
import socket
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from dsr_cli.command import desk_url, refusal
from dsr_cli.hand_offs import answer_hand_offs
from dsr_cli.http_client import HttpAnswer
from dsr_cli.local import _outcome_line
from dsr_cli.main import main
from dsr_cli.report import as_table
from dsr_cli.staff import SENTENCES, _readable, _sentence
from local_cloud.http_server import LocalHTTPServer

REQUEST_ID = "32624cbe-1d2e-4f3a-9b8c-7d6e5f4a3b2c"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_desk_is_the_url_given_else_dsr_url_else_the_local_cloud_at_port_else_3000(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DSR_URL", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    assert desk_url() == "http://127.0.0.1:3000"
    monkeypatch.setenv("PORT", "3311")
    assert desk_url() == "http://127.0.0.1:3311"
    monkeypatch.setenv("DSR_URL", "https://desk.example/prod")
    assert desk_url() == "https://desk.example/prod"
    assert desk_url("http://127.0.0.1:4000") == "http://127.0.0.1:4000"


@pytest.mark.parametrize(
    "argv",
    [
        ["staff", "--as", "approver@desk.example", "list"],
        ["staff", "--token", "t", "approve", "32624cbe"],
        ["report", "metrics", "--token", "t"],
        ["local", "send-email", "events/email_intake/access_request.eml"],
    ],
)
def test_a_desk_that_is_not_running_is_one_line_naming_its_address(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()
    monkeypatch.delenv("DSR_URL", raising=False)
    monkeypatch.setenv("PORT", str(port))
    monkeypatch.chdir(Path(__file__).resolve().parents[2])

    assert main(argv) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert f"no answer from the desk at http://127.0.0.1:{port}" in line
    assert "Traceback" not in captured.err


def test_a_missing_file_and_a_usage_mistake_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["local", "send-email", str(tmp_path / "nothing.eml"), "--url", "http://127.0.0.1:9"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("dsr local send-email: cannot read ") and "No such file" in line

    with pytest.raises(SystemExit) as exited:
        main(["report", "metrics", "--year", "last"])
    assert exited.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("dsr report metrics: argument --year: invalid int value: 'last'")


def test_each_decision_is_one_sentence_naming_the_request_by_its_reference() -> None:
    answers = {
        "approve": {"request_id": REQUEST_ID, "decision": "approve"},
        "deny": {"request_id": REQUEST_ID, "decision": "deny"},
        "extend": {"request_id": REQUEST_ID, "respond_by": "2027-03-01T00:00:00+00:00"},
        "ask": {"request_id": REQUEST_ID, "clock": "paused"},
        "confirm": {"request_id": REQUEST_ID, "answer": "nothing_found"},
        "cancel": {"request_id": REQUEST_ID, "status": "CANCELLED"},
        "rerun": {"request_id": REQUEST_ID, "execution": "arn:aws:states:execution"},
        "answer-appeal": {"request_id": REQUEST_ID, "appeal": "UPHELD"},
        "certificate": {"request_id": REQUEST_ID, "language": "fr"},
    }
    assert set(answers) == set(SENTENCES)
    for command, answer in answers.items():
        args = argparse.Namespace(
            staff_command=command,
            request_id=REQUEST_ID,
            system_id="customer-service",
            action="erase",
            answer="nothing_found",
        )
        sentence = _sentence(args, answer)
        assert sentence.startswith("Request 32624cbe") and sentence.endswith("."), sentence
        assert "\n" not in sentence and "{" not in sentence
    extend = argparse.Namespace(staff_command="extend", request_id=REQUEST_ID)
    assert "respond by 2027-03-01" in _sentence(extend, answers["extend"])


def _figures(request_type: str, received: int) -> dict[str, object]:
    return {
        "request_type": request_type,
        "received": received,
        "complied_in_whole": received,
        "complied_in_part": 0,
        "denied": 0,
        "denied_by_reason": {},
        "unverifiable": 0,
        "failed": 0,
        "linked": 0,
        "cancelled": 0,
        "pending": 0,
        "responded": received,
        "median_days": 12.0 if received else None,
        "mean_days": 12.0 if received else None,
    }


def test_the_report_is_a_short_table_of_the_types_that_had_requests() -> None:
    report = {
        "year": 2026,
        "jurisdiction": "US-CA",
        "request_types": [_figures("access", 2), _figures("erasure", 0), _figures("all", 2)],
    }

    lines = as_table(report).splitlines()

    assert lines[0] == "Requests received in 2026, US-CA (CCPA 7102 figures)"
    assert [line.split()[:3] for line in lines[2:]] == [["access", "2", "2"], ["all", "2", "2"]]
    assert as_table({**report, "request_types": [_figures("all", 0)]}) == (
        "Requests received in 2026, US-CA (CCPA 7102 figures): none."
    )


class _AnswersTooLate(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")  # as when the client timed out and hung up

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""


def test_a_client_that_hung_up_prints_no_traceback_while_a_command_runs(
    capfd: pytest.CaptureFixture[str],
) -> None:
    server = LocalHTTPServer(("127.0.0.1", 0), _AnswersTooLate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(http.client.RemoteDisconnected):
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/", timeout=5)
    finally:
        server.shutdown()
        server.server_close()

    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_a_request_named_by_neither_an_id_nor_a_reference_is_refused_before_the_desk_is_asked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The token is never used: nothing is sent for a name that is not a request's.
    assert main(["staff", "--url", "http://127.0.0.1:9", "--token", "t", "approve", "32624cbe/../x"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert "is neither a request id nor an 8-character reference" in line


def test_what_became_of_an_email_and_who_decided_first_are_said_once() -> None:
    assert _outcome_line({"disposition": "request", "request_id": REQUEST_ID}) == "a new request 32624cbe"
    assert _outcome_line({"disposition": "triage", "triage_id": "t-1", "reason": "no request type"}) == (
        "left for staff to triage (triage item t-1): no request type"
    )
    first = {"message": "already decided by approver@desk.example", "decided_by": "approver@desk.example"}
    assert refusal(HttpAnswer(409, first)) == "409 already decided by approver@desk.example"
    elsewhere = {"message": "already decided", "decided_by": "admin@desk.example"}
    assert refusal(HttpAnswer(409, elsewhere)) == "409 already decided (decided by admin@desk.example)"


def test_a_reader_that_stops_reading_ends_the_command_quietly() -> None:
    """``dsr deadlines … | head -1``: the pipe closes before the command writes."""
    command = Path(sys.executable).parent / "dsr"
    args = ["deadlines", "--jurisdiction", "UK", "--received", "2026-01-31", "--type", "access"]
    process = subprocess.Popen([str(command), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # gone before the interpreter has even started

    said = process.stderr.read().decode()
    process.wait(timeout=60)

    assert said == ""
    assert process.returncode == 1


def test_the_staff_list_has_a_header_over_each_column() -> None:
    entry = {
        "request_id": REQUEST_ID,
        "due_on": "2027-01-05",
        "days_left": 3,
        "due_for": "law",
        "respond_on": "2027-01-05",
        "status": "AWAITING_APPROVAL",
        "request_types": ["erasure"],
        "jurisdiction": "US-CA",
        "channel": "web",
        "subject": "a***@example.com",
    }
    header, row = _readable("list", [entry]).splitlines()
    for column, value in [("status", "AWAITING_APPROVAL"), ("asked", "erasure"), ("law", "US-CA")]:
        assert header.index(column) == row.index(value), column
    assert header.index("subject") == row.index("a***@example.com")
    assert _readable("list", []) == "no open request"


class _StaffSeeingATaskAnsweredByTheDesk:
    """The request's systems as staff see them: customers' erasure waiting for a moment, then
    answered "nothing found" by the desk itself before staff's answer lands."""

    def __init__(self) -> None:
        self.views = 0

    def get(self, path: str) -> HttpAnswer:
        self.views += 1
        status = "waiting" if self.views == 1 else "nothing_found"
        return HttpAnswer(
            200, {"systems": [{"system_id": "crm-contacts", "action": "erase", "status": status}]}
        )

    def post(self, path: str, body: object) -> HttpAnswer:
        return HttpAnswer(409, {"message": "answered already", "decided_by": "workflow"})


def test_a_hand_off_the_desk_answered_itself_is_not_a_refused_staff_answer() -> None:
    staff = _StaffSeeingATaskAnsweredByTheDesk()
    answered = answer_hand_offs(staff, REQUEST_ID, {"crm-contacts#erase": ("done", "")}, 5.0)  # type: ignore[arg-type]
    assert answered == {}
