"""``dsr local demo``: the demonstration scenarios, driven through the HTTP API as a person would."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from dsr_cli.http_client import DeskClient, HttpAnswer

EVENTS = Path(__file__).resolve().parents[2] / "events"
CLOSED = {"COMPLETED", "PARTIALLY_COMPLETED", "DENIED", "UNVERIFIABLE", "FAILED"}


class DemoError(RuntimeError):
    """A scenario could not go on (a stage never came, or the API refused)."""


@dataclass
class ScenarioResult:
    name: str
    request_id: str | None
    expected_status: str
    final_status: str | None
    states_entered: list[str] = field(default_factory=list)
    seconds_per_stage: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.final_status == self.expected_status


@dataclass
class Scenario:
    name: str
    expected_status: str
    submit: Callable[[DemoRun], str]
    decision: dict[str, str] | None


class DemoRun:
    def __init__(self, base_url: str, timeout: float) -> None:
        self.public = DeskClient(base_url)
        token = self.public.post("/_local/staff-token", {"username": "approver@desk.example"})
        if token.status != 200:
            raise DemoError(f"could not sign in as demonstration staff: {token.body}")
        self.staff = DeskClient(base_url, token.body["token"])
        self.timeout = timeout

    def wait_for(self, what: str, probe: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            time.sleep(0.05)
        raise DemoError(f"gave up after {self.timeout:.0f}s waiting for {what}")

    def staff_status(self, request_id: str) -> str | None:
        answer = self.staff.get(f"/staff/requests/{request_id}")
        return answer.body.get("status") if answer.status == 200 else None

    def mail_for(self, request_id: str, subject_part: str) -> dict[str, Any] | None:
        outbox = self.public.get("/_local/outbox.json").body
        return next(
            (m for m in outbox if m["request_id"] == request_id and subject_part in m["subject"]),
            None,
        )

    def submit_by_form(self, payload: dict[str, Any]) -> str:
        answer = self.public.post("/requests", payload)
        if answer.status != 201:
            raise DemoError(f"the form submission was refused ({answer.status}): {answer.body}")
        return str(answer.body["request_id"])

    def submit_by_email(self, eml: Path) -> str:
        answer = self.public.post("/_local/inbound-email", raw=eml.read_bytes())
        outcome = answer.body["outcomes"][0] if answer.status == 200 else {}
        if outcome.get("disposition") != "request":
            raise DemoError(f"the email did not become a request: {answer.body}")
        return str(outcome["request_id"])

    def run(self, scenario: Scenario) -> ScenarioResult:
        result = ScenarioResult(scenario.name, None, scenario.expected_status, None)
        started = time.monotonic()
        try:
            result.request_id = scenario.submit(self)
            self._verify(result.request_id)
            self.wait_for(
                "the staff review",
                lambda: self.staff_status(result.request_id or "") == "AWAITING_APPROVAL",
            )
            if scenario.decision:
                decided = self.staff.post(f"/staff/requests/{result.request_id}/decision", scenario.decision)
                _expect_ok(decided, "the decision")
            result.final_status = self.wait_for(
                "the request to close",
                lambda: (s := self.staff_status(result.request_id or "")) in CLOSED and s,
            )
            self._timeline(result)
        except DemoError as error:
            result.error = str(error)
            if result.request_id:
                result.final_status = self.staff_status(result.request_id)
        result.total_seconds = round(time.monotonic() - started, 3)
        return result

    def _verify(self, request_id: str) -> None:
        mail = self.wait_for(
            "the verification code email", lambda: self.mail_for(request_id, "verification code")
        )
        code = re.search(r"code is (\d{6})", mail["body"])
        if code is None:
            raise DemoError("the verification email has no code")
        answer = self.public.post(f"/requests/{request_id}/verification", {"code": code.group(1)})
        _expect_ok(answer, "the code")

    def _timeline(self, result: ScenarioResult) -> None:
        summary = self.wait_for(
            "the execution to end",
            lambda: (
                (s := self.public.get(f"/_local/executions/{result.request_id}").body)["status"] != "RUNNING"
                and s
            ),
        )
        for state in summary["states"]:
            result.states_entered.append(state["state"])
            if state["exited"]:
                spent = datetime.fromisoformat(state["exited"]) - datetime.fromisoformat(state["entered"])
                result.seconds_per_stage[state["state"]] = round(spent.total_seconds(), 3)


def _expect_ok(answer: HttpAnswer, what: str) -> None:
    if answer.status != 200:
        raise DemoError(f"{what} was refused ({answer.status}): {answer.body}")


SCENARIOS = [
    Scenario(
        name="access and erasure by web form, approved",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["access", "erasure"],
                "subject": {"email": "ada@example.com", "name": "Ada Lovelace"},
                "relationship": "account_holder",
                "jurisdiction": "EU",
            }
        ),
        decision={"decision": "approve"},
    ),
    Scenario(
        name="access by email, approved",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_email(EVENTS / "email_intake" / "access_request.eml"),
        decision={"decision": "approve"},
    ),
    Scenario(
        name="erasure by web form, denied by staff",
        expected_status="DENIED",
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["erasure"],
                "subject": {"email": "grace@example.org"},
                "jurisdiction": "US-CA",
            }
        ),
        decision={
            "decision": "deny",
            "reason": "An open invoice dispute requires us to keep the account records.",
        },
    ),
]


def run_demo(url: str | None, as_json: bool, timeout: float) -> int:
    if url:
        results = _run_all(url, timeout)
    else:
        from dsr_cli.local import running_local_cloud  # noqa: PLC0415

        with running_local_cloud() as api:
            results = _run_all(api.cloud.base_url, timeout)
    if as_json:
        print(json.dumps({"scenarios": [asdict(r) | {"passed": r.passed} for r in results]}, indent=2))
    else:
        _print_timelines(results)
    return 0 if all(r.passed for r in results) else 1


def _run_all(url: str, timeout: float) -> list[ScenarioResult]:
    run = DemoRun(url, timeout)
    return [run.run(scenario) for scenario in SCENARIOS]


def _print_timelines(results: list[ScenarioResult]) -> None:
    for result in results:
        mark = "ok  " if result.passed else "FAIL"
        print(f"{mark} {result.name}")
        print(
            f"     request {result.request_id}: expected {result.expected_status}, "
            f"ended {result.final_status} in {result.total_seconds:.2f}s"
        )
        for state in result.states_entered:
            seconds = result.seconds_per_stage.get(state)
            shown = f"{seconds:7.3f}s" if seconds is not None else "      - "
            print(f"       {shown}  {state}")
        if result.error:
            print(f"     error: {result.error}")
    passed = sum(r.passed for r in results)
    print(f"{passed} of {len(results)} scenarios ended as expected")
