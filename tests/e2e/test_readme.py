"""The README is executed: each command it shows runs, as written, against a fresh local cloud.

Given the local cloud `make run` starts (demonstration data and requests, on a free port),
when every shell example of the README runs in order, with the placeholders a reader fills in
taken from the answers before, then each one succeeds (exit 0, no HTTP error, no traceback), each
address `make run` prints answers, and the README's JSON journey ends as it says: the request is
complete and its email links to the package.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.readme_commands import PLACEHOLDERS, Command, request_fields, shell_commands

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_SECONDS = 120.0
RETRY_SECONDS = 30.0  # a reader who gets "not yet" tries again a moment later
# Every HTTP error fails the command it came from, as it would stop a reader.
SHELL_PRELUDE = 'set -o pipefail\ncurl() { command curl --fail-with-body "$@"; }\n'

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("readme")]  # one worker: the module's one `make run`


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalCloudProcess:
    port: int
    printed: str
    process: subprocess.Popen[str]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get_json(self, path: str) -> object:
        with urllib.request.urlopen(f"{self.base}{path}", timeout=10) as answer:
            return json.loads(answer.read())

    def outbox(self) -> list[dict[str, object]]:
        mails = self.get_json("/_local/outbox.json")
        assert isinstance(mails, list)
        return mails


@pytest.fixture(scope="module")
def make_run() -> Iterator[LocalCloudProcess]:
    """`make run`, on a free port: `dsr local up` with PORT set, as the Makefile starts it."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DSR_URL", "DSR_TOKEN"}}
    env["PORT"] = str(port)
    process = subprocess.Popen(
        [str(BIN / "dsr"), "local", "up"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    printed: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        printed.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    try:
        assert printed and printed[-1].startswith("Press Ctrl-C"), "".join(printed) or "no output"
        yield LocalCloudProcess(port, "".join(printed), process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Reader:
    """A newcomer at a shell: what they have read off earlier answers, and their variables."""

    cloud: LocalCloudProcess
    filled: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    requests_made: list[str] = field(default_factory=list)

    def as_typed(self, command: Command) -> str:
        text = command.text.replace(".venv/bin/", f"{BIN}/")
        text = re.sub(r"(localhost|127\.0\.0\.1):3000\b", rf"\g<1>:{self.cloud.port}", text)
        for name in PLACEHOLDERS:
            if re.search(rf"\b{name}\b", text):
                text = re.sub(rf"\b{name}\b", self._value_of(name, command), text)
        return text

    def _value_of(self, name: str, command: Command) -> str:
        if name == "CODE":
            return self._code_emailed()
        assert name in self.filled, f"README line {command.line} needs {name}, which no answer before gave"
        return self.filled[name]

    def _code_emailed(self) -> str:
        request_id = self.filled.get("REQUEST_ID")
        assert request_id, "the README asks for a code before any request was made"
        deadline = time.monotonic() + RETRY_SECONDS
        while time.monotonic() < deadline:
            for mail in reversed(self.cloud.outbox()):
                found = re.search(r"\b(\d{6})\b", str(mail["body"]))
                if mail["request_id"] == request_id and "code" in str(mail["subject"]).lower() and found:
                    return found.group(1)
            time.sleep(0.2)
        pytest.fail(f"no code was emailed for {request_id}")

    def run(self, command: Command) -> str:
        typed = self.as_typed(command)
        exports = "".join(f"export {k}={_quoted(v)}\n" for k, v in self.variables.items())
        script = SHELL_PRELUDE + exports + typed
        if command.assigns:
            script += f'\nprintf "%s" "${command.assigns}"'
        env = {k: v for k, v in os.environ.items() if k not in {"DSR_URL", "DSR_TOKEN"}}
        env["PORT"] = str(self.cloud.port)
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            done = subprocess.run(
                ["/bin/bash", "-c", script],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if done.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        said = f"README line {command.line}: {command.text}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        assert done.returncode == 0, said
        assert "Traceback" not in done.stdout + done.stderr, said
        if command.assigns:
            assert done.stdout, f"{said}\n{command.assigns} came out empty"
            self.variables[command.assigns] = done.stdout
        else:
            fields = request_fields(done.stdout)
            if "REQUEST_ID" in fields and fields["REQUEST_ID"] not in self.requests_made:
                self.requests_made.append(fields["REQUEST_ID"])
            self.filled.update(fields)
        return done.stdout


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def test_every_command_the_readme_shows_is_run_here_or_named_with_what_runs_it() -> None:
    commands = shell_commands()
    assert len(commands) >= 10, "the README's examples were not found"
    unknown = [c for c in commands if not c.not_run_because and not c.talks_to_the_desk]
    assert not unknown, "README commands neither run by this test nor named in NOT_RUN: " + "; ".join(
        f"line {c.line}: {c.text}" for c in unknown
    )


def test_each_address_make_run_prints_answers(make_run: LocalCloudProcess) -> None:
    pages = [line for line in make_run.printed.splitlines() if "curl" not in line and "-d '" not in line]
    addresses = [a for line in pages for a in re.findall(r"http://127\.0\.0\.1:\d+/\S*", line)]
    assert len(addresses) >= 5, make_run.printed
    for address in addresses:
        with urllib.request.urlopen(address, timeout=10) as answer:
            assert answer.status == 200, address


def test_each_command_make_run_prints_works(make_run: LocalCloudProcess) -> None:
    printed = re.sub(r"\n\s+-d '", " -d '", make_run.printed)
    commands = re.findall(r"(curl .+)$", printed, re.MULTILINE)
    assert len(commands) >= 2, make_run.printed
    for command in commands:
        done = subprocess.run(
            ["/bin/bash", "-c", SHELL_PRELUDE + command],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"


def test_make_run_says_where_the_database_the_saas_stand_ins_and_the_lake_are(
    make_run: LocalCloudProcess,
) -> None:
    psql = re.search(r"^  PostgreSQL +(\S+/psql .+)$", make_run.printed, re.MULTILINE)
    assert psql, make_run.printed
    tables = subprocess.run(
        [
            *psql.group(1).split(),
            "-At",
            "-c",
            "SELECT count(*) FROM accounts JOIN invoices USING (account_id)",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert tables.returncode == 0 and int(tables.stdout) > 0, tables.stderr
    check = re.search(
        r"^  Check the registry +(\.venv/bin/dsr registry check .+?)  \(", make_run.printed, re.M
    )
    assert check, make_run.printed
    checked = subprocess.run(
        ["/bin/bash", "-c", check.group(1)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "system crm-database: its 3 tables checked against its database: no problems" in checked.stdout
    stand_ins = re.search(r"^  SaaS stand-ins +(.+)$", make_run.printed, re.MULTILINE)
    assert stand_ins, make_run.printed
    named = dict(pair.split(" ") for pair in stand_ins.group(1).split(", "))
    assert set(named) == {"hubspot", "intercom", "mailchimp", "stripe", "zendesk"}
    for base_url in named.values():  # each refuses a caller without the tool's credentials
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base_url}/", timeout=10)
        assert refused.value.code in {401, 404}
    assert "  Data lake           s3://product-analytics-lake/events/" in make_run.printed


def test_the_readme_runs_as_written(make_run: LocalCloudProcess) -> None:
    reader = Reader(make_run)
    for command in shell_commands():
        if command.not_run_because is None:
            reader.run(command)

    assert reader.requests_made, "the README's examples made no request"
    journey = reader.requests_made[0]
    final = _wait_for_a_closing_email(make_run, journey)
    assert re.search(rf"/download/{journey}\b", str(final["body"])), final["body"]


def _wait_for_a_closing_email(cloud: LocalCloudProcess, request_id: str) -> dict[str, object]:
    """The README ends its JSON journey with the completion email in the outbox."""
    deadline = time.monotonic() + RETRY_SECONDS
    while time.monotonic() < deadline:
        for mail in cloud.outbox():
            if mail["request_id"] == request_id and "/download/" in str(mail["body"]):
                return mail
        time.sleep(0.3)
    sent = [m["subject"] for m in cloud.outbox() if m["request_id"] == request_id]
    pytest.fail(f"request {request_id} never got its completion email; it got: {sent}")
