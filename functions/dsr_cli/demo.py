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
    level: str = ""

    @property
    def passed(self) -> bool:
        return self.error is None and self.final_status == self.expected_status


Proof = Callable[["DemoRun", str], None]


@dataclass
class Scenario:
    name: str
    level: str
    expected_status: str
    submit: Callable[[DemoRun], str]
    prove: Proof
    decision: dict[str, str] | None = None


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

    def wait_for_status(self, request_id: str, status: str) -> None:
        self.wait_for(f"the request to reach {status}", lambda: self.staff_status(request_id) == status)

    def mail_for(self, request_id: str, subject_part: str) -> dict[str, Any] | None:
        outbox = self.public.get("/_local/outbox.json").body
        return next(
            (m for m in outbox if m["request_id"] == request_id and subject_part in m["subject"]),
            None,
        )

    def code_for(self, request_id: str) -> str:
        mail = self.wait_for(
            "the verification code email", lambda: self.mail_for(request_id, "verification code")
        )
        code = re.search(r"code is (\d{6})", mail["body"])
        if code is None:
            raise DemoError("the verification email has no code")
        return code.group(1)

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
        result = ScenarioResult(scenario.name, None, scenario.expected_status, None, level=scenario.level)
        started = time.monotonic()
        try:
            result.request_id = scenario.submit(self)
            scenario.prove(self, result.request_id)
            if scenario.decision:
                self.wait_for_status(result.request_id, "AWAITING_APPROVAL")
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


def by_code(data_points: dict[str, str] | None = None) -> Proof:
    """The subject enters the emailed code (and, at the matched level, details we hold)."""

    def prove(run: DemoRun, request_id: str) -> None:
        answer = run.public.post(
            f"/requests/{request_id}/verification",
            {"code": run.code_for(request_id), "data_points": data_points or {}},
        )
        _expect_ok(answer, "the code")

    return prove


def by_signing_in(account_id: str, email: str) -> Proof:
    """The account holder signs in to the product, which vouches for them to the desk."""

    def prove(run: DemoRun, request_id: str) -> None:
        run.wait_for("the sign-in email", lambda: run.mail_for(request_id, "Sign in to confirm"))
        login = {"request_id": request_id, "account_id": account_id, "email": email}
        assertion = run.public.post("/_local/product-login", login).body["assertion"]
        answer = run.public.post(f"/requests/{request_id}/verification/account", {"assertion": assertion})
        _expect_ok(answer, "the signed-in confirmation")

    return prove


def no_proof_needed(run: DemoRun, request_id: str) -> None:
    """Opt-outs are carried out without verification."""
    if run.mail_for(request_id, "verification code"):
        raise DemoError("an opt-out was asked for a verification code")


def with_wrong_details(data_points: dict[str, str]) -> Proof:
    """Someone who has the mailbox but not the details: refused three times, then closed."""

    def prove(run: DemoRun, request_id: str) -> None:
        code = run.code_for(request_id)
        for _ in range(3):
            answer = run.public.post(
                f"/requests/{request_id}/verification", {"code": code, "data_points": data_points}
            )
            if answer.status != 400:
                raise DemoError(f"wrong details were not refused ({answer.status})")

    return prove


def window_runs_out(run: DemoRun, request_id: str) -> None:
    """Nobody verifies; the desk's clock moves past the 14-day window and the sweeper runs."""
    run.code_for(request_id)
    _expect_ok(run.public.post("/_local/clock", {"advance_seconds": 15 * 24 * 3600}), "moving the clock")
    _expect_ok(run.public.post("/_local/run-schedules", {}), "running the sweeper")


APPROVE = {"decision": "approve"}
SCENARIOS = [
    Scenario(
        name="access and erasure by web form, EU, email code",
        level="email",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["access", "erasure"],
                "subject": {"email": "ada@example.com", "name": "Ada Lovelace"},
                "relationship": "account_holder",
                "jurisdiction": "EU",
            }
        ),
        prove=by_code(),
        decision=APPROVE,
    ),
    Scenario(
        name="access by email, code and two details we hold",
        level="matched",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_email(EVENTS / "email_intake" / "demo_access_request.eml"),
        prove=by_code({"phone": "(202) 555-0143", "postal_code": "94105"}),
        decision=APPROVE,
    ),
    Scenario(
        name="erasure by web form, California, denied by staff",
        level="matched",
        expected_status="DENIED",
        submit=lambda run: run.submit_by_form(
            {"request_types": ["erasure"], "subject": {"email": "grace@example.org"}, "jurisdiction": "US-CA"}
        ),
        prove=by_code({"last_invoice_amount": "$129.50", "account_created_month": "November 2019"}),
        decision={
            "decision": "deny",
            "reason": "An open invoice dispute requires us to keep the account records.",
        },
    ),
    Scenario(
        name="erasure by an account holder who signs in",
        level="account",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["erasure"],
                "subject": {"email": "grace@example.org", "account_id": "acct-1002"},
                "relationship": "account_holder",
                "jurisdiction": "US-CA",
            }
        ),
        prove=by_signing_in("acct-1002", "grace@example.org"),
        decision=APPROVE,
    ),
    Scenario(
        name="marketing opt-out, no verification",
        level="none",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_form(
            {"request_types": ["marketing_opt_out"], "subject": {"email": "alan@example.net"}}
        ),
        prove=no_proof_needed,
        decision=APPROVE,
    ),
    Scenario(
        name="access with wrong details three times, fails verification",
        level="matched",
        expected_status="UNVERIFIABLE",
        submit=lambda run: run.submit_by_form(
            {"request_types": ["access"], "subject": {"email": "alan@example.net"}, "jurisdiction": "US-CA"}
        ),
        prove=with_wrong_details({"phone": "+1 415 555 0100", "postal_code": "10001"}),
    ),
    Scenario(
        name="objection never verified, the window runs out",
        level="email",
        expected_status="UNVERIFIABLE",
        submit=lambda run: run.submit_by_form(
            {"request_types": ["objection"], "subject": {"email": "alan@example.net"}}
        ),
        prove=window_runs_out,
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
        print(f"{mark} {result.name} [verification: {result.level}]")
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
