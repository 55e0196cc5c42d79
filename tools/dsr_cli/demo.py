"""``dsr local demo``: the demonstration scenarios, driven through the HTTP API as a person would."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlencode, urlsplit

from dsr_cli import demo_review, drp_agent
from dsr_cli.command import refusal
from dsr_cli.evidence import EvidenceError, fetch_pack
from dsr_cli.hand_offs import Answer, HandOffsNotReadyError, answer_hand_offs, wait_for_systems
from dsr_cli.http_client import DeskClient, HttpAnswer
from dsr_cli.owner_links import LinkAnswer, LinksNotAnsweredError, answer_links_in_outbox

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
    downloaded: list[str] = field(default_factory=list)
    systems: dict[str, str] = field(default_factory=dict)
    system_lines: list[str] = field(default_factory=list)
    """Each system's outcome in words, for a scenario that shows them one by one."""
    answered: list[str] = field(default_factory=list)
    owners_answered: list[str] = field(default_factory=list)
    """Tasks their owners answered through the links in their emails (how many links each)."""
    staff_see: list[str] = field(default_factory=list)
    clock_moved: str | None = None
    """Said before the scenario: where it moves the desk's clock, and why."""
    agent_told: list[str] = field(default_factory=list)
    """A Data Rights Protocol request: each status the agent's callback endpoint received."""
    desk_refused: list[str] = field(default_factory=list)
    """Bodies the agent sent that the desk had to refuse, each with the desk's answer."""
    emails: list[str] = field(default_factory=list)
    """The emails the subject was sent, each its language, subject line and first line."""
    evidence_pack: dict[str, str] = field(default_factory=dict)
    """The request's evidence pack, produced once it closed: its two files' keys and the checksum."""

    @property
    def passed(self) -> bool:
        return self.error is None and self.final_status == self.expected_status


Proof = Callable[["DemoRun", str], None]
FollowUp = Callable[["DemoRun", str], list[str]]


@dataclass
class Scenario:
    name: str
    level: str
    expected_status: str
    submit: Callable[[DemoRun], str]
    prove: Proof
    decision: dict[str, str] | None = None
    then: FollowUp | None = None
    before: Callable[[DemoRun], None] | None = None
    """Set the demonstration processors up (fail, stay silent) before the request comes in."""
    answers: dict[str, Answer] = field(default_factory=dict)
    """What the vendor and the customers answered, recorded by staff: ``system#action``."""
    through_links: dict[str, LinkAnswer] = field(default_factory=dict)
    """What the vendor and the customers answered themselves, through the links in their emails."""
    meanwhile: Callable[[DemoRun, str], None] | None = None
    """After staff answered, before the request closes (move the clock, run the sweeper)."""
    expect_systems: dict[str, str] = field(default_factory=dict)
    """Outcomes the request must end with: ``system#action`` to status."""
    before_decision: FollowUp | None = None
    """While the request waits for staff (extend it, let the clock run); what staff were shown."""
    afterwards: FollowUp | None = None
    """Once the request has closed (an appeal, say); what the subject and staff were shown."""
    clock_moved: str | None = None
    """Where ``before`` moves the desk's clock, and why, as the demo says before the scenario."""
    agent_final: str | None = None
    """Sent by the demonstration agent (DRP): the state its last status callback must carry."""
    show_systems: bool = False
    """Print each system's outcome, not only the tally: the scenario that reaches every system."""
    emails_in: str | None = None
    """The language (``de``, ``fr-CA``) every email to the subject must be written in, from the
    acknowledgement to the closing; the demo prints each one's subject line and first line."""


class DemoRun:
    def __init__(self, base_url: str, timeout: float) -> None:
        self.public = DeskClient(base_url)
        token = self.public.post("/_local/staff-token", {"username": "approver@desk.example"})
        if token.status != 200:
            raise DemoError(f"could not sign in as demonstration staff: {token.body}")
        self.staff = DeskClient(base_url, token.body["token"])
        admin = self.public.post("/_local/staff-token", {"username": "admin@desk.example"})
        if admin.status != 200:
            raise DemoError(f"could not sign in as the demonstration administrator: {admin.body}")
        self.admin = DeskClient(base_url, admin.body["token"])
        self.timeout = timeout
        self.refused: list[str] = []
        """What the desk refused while a scenario's request was sent (DRP bodies that must fail)."""

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
        """The code in the newest verification email of the request, in whatever language it is written."""
        return str(self.wait_for("the verification code email", lambda: self.code_in_mail(request_id)))

    def code_in_mail(self, request_id: str, kind: str = "verification code") -> str | None:
        from local_cloud.cloud import code_in  # noqa: PLC0415 - with the local cloud, as the outbox

        outbox = self.public.get("/_local/outbox.json").body
        for mail in reversed(outbox):
            if mail["request_id"] == request_id and (
                code := code_in(mail["body"], mail.get("language"), kind)
            ):
                return code
        return None

    def emails_in(self, request_id: str, language: str) -> list[str]:
        """Each email sent to the subject of the request (the first one's recipient), checked to be
        in ``language`` with both its parts: its subject line and its first line. Waits for the
        closing email (the third: after the acknowledgement and the code)."""

        def to_subject() -> list[dict[str, Any]]:
            mails = [m for m in self.public.get("/_local/outbox.json").body if m["request_id"] == request_id]
            subject = mails[0]["to"] if mails else None
            found = [m for m in mails if m["to"] == subject]
            return found if len(found) >= 3 else []

        lines = []
        for mail in self.wait_for("the closing email", to_subject):
            if (
                mail.get("language") != language
                or not mail.get("html")
                or f'lang="{language}"' not in mail["html"]
            ):
                raise DemoError(f"an email was not written in {language}: {mail['subject']}")
            first = next(line for line in mail["body"].splitlines() if line.strip())
            lines += [f"[{language}] {mail['subject']}", f"    {first}"]
        return lines

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
        result = ScenarioResult(
            scenario.name,
            None,
            scenario.expected_status,
            None,
            level=scenario.level,
            clock_moved=scenario.clock_moved,
        )
        started = time.monotonic()
        try:
            if scenario.before is not None:
                scenario.before(self)
            result.request_id = scenario.submit(self)
            scenario.prove(self, result.request_id)
            if scenario.decision:
                self.wait_for_status(result.request_id, "AWAITING_APPROVAL")
                if scenario.before_decision is not None:
                    result.staff_see += scenario.before_decision(self, result.request_id)
                decided = self.staff.post(f"/staff/requests/{result.request_id}/decision", scenario.decision)
                _expect_ok(decided, "the decision")
            self._hand_offs(scenario, result)
            result.final_status = self.wait_for(
                "the request to close",
                lambda: (s := self.staff_status(result.request_id or "")) in CLOSED and s,
            )
            self._timeline(result)
            self._check_systems(scenario, result)
            if scenario.then is not None:
                result.downloaded = scenario.then(self, result.request_id)
            if scenario.afterwards is not None:
                result.staff_see += scenario.afterwards(self, result.request_id)
            if scenario.emails_in is not None:
                result.emails = self.emails_in(result.request_id, scenario.emails_in)
                result.final_status = self.staff_status(result.request_id)
            if scenario.agent_final is not None:
                result.agent_told = self.agent_told(result.request_id, scenario.agent_final)
            result.evidence_pack = self.evidence_pack(result.request_id)
        except (DemoError, HandOffsNotReadyError, LinksNotAnsweredError) as error:
            result.error = str(error)
            if result.request_id:
                result.final_status = self.staff_status(result.request_id)
        result.desk_refused, self.refused = self.refused, []
        result.total_seconds = round(time.monotonic() - started, 3)
        return result

    def evidence_pack(self, request_id: str) -> dict[str, str]:
        """The closed request's evidence pack, produced as staff would; the scenario fails if the
        JSON file does not match its checksum or the PDF does not print it."""
        try:
            produced, _, _ = fetch_pack(self.staff, request_id)
        except EvidenceError as error:
            raise DemoError(f"evidence pack: {error}") from error
        return {"json": produced["json_key"], "pdf": produced["pdf_key"], "sha256": produced["sha256"]}

    def agent_told(self, request_id: str, final: str) -> list[str]:
        """Each status the agent's callback endpoint took, once the last one is ``final``."""
        received = self.wait_for(
            f"the agent to be told {final}",
            lambda: (
                (told := drp_agent.callbacks(self.public, request_id))
                and told[-1]["status"]["status"] == final
                and told
            ),
        )
        states = [
            "/".join(filter(None, [c["status"]["status"], c["status"].get("reason")]))
            for c in received
            if c["answered"] == 200
        ]
        if states[0] != "open" or "in_progress" not in {s.split("/")[0] for s in states}:
            raise DemoError(f"the agent was told {states}: not open, then in_progress, then {final}")
        return states

    def _hand_offs(self, scenario: Scenario, result: ScenarioResult) -> None:
        request_id = result.request_id or ""
        if scenario.answers:
            statuses = answer_hand_offs(self.staff, request_id, scenario.answers, self.timeout)
            refused = {task: status for task, status in statuses.items() if status != 200}
            if refused:
                raise DemoError(f"staff answers were refused: {refused}")
            result.answered = sorted(statuses)
        if scenario.through_links:
            used = answer_links_in_outbox(
                self.public, self.staff, request_id, scenario.through_links, self.timeout
            )
            result.owners_answered = [
                f"{task} ({count} link{'' if count == 1 else 's'})" for task, count in sorted(used.items())
            ]
        if scenario.meanwhile is not None:
            scenario.meanwhile(self, request_id)

    def _check_systems(self, scenario: Scenario, result: ScenarioResult) -> None:
        detail = self.staff.get(f"/staff/requests/{result.request_id}").body
        systems = {f"{s['system_id']}#{s['action']}": s for s in detail.get("systems", [])}
        result.systems = {task: str(s["status"]) for task, s in sorted(systems.items())}
        if scenario.show_systems:
            result.system_lines = [_system_line(task, s) for task, s in sorted(systems.items())]
        result.staff_see += sorted(
            f"{task}: {s['error']}"
            for task, s in systems.items()
            if s.get("status") == "failed" and s.get("error")
        )
        for task, status in scenario.expect_systems.items():
            if result.systems.get(task) != status:
                raise DemoError(f"{task} ended {result.systems.get(task)}, expected {status}")

    def processor(self, domain: str, **switches: object) -> None:
        _expect_ok(self.public.post(f"/_local/processors/{domain}", switches), f"switching {domain}")

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
            if answer.status != 403:
                raise DemoError(f"wrong details were not refused ({answer.status})")

    return prove


def window_runs_out(run: DemoRun, request_id: str) -> None:
    """Nobody verifies; the desk's clock moves past the 14-day window and the sweeper runs."""
    run.code_for(request_id)
    _expect_ok(run.public.post("/_local/clock", {"advance_seconds": 15 * 24 * 3600}), "moving the clock")
    _expect_ok(run.public.post("/_local/run-schedules", {}), "running the sweeper")


FORM = "application/x-www-form-urlencoded"
_DOWNLOAD_LINK = re.compile(r"https?://\S+/download/[0-9a-f-]{36}\?token=\S+")
_HREF = re.compile(r'<a href="([^"]+)">Your data ([^<]+)</a>')


def follow_download(run: DemoRun, request_id: str) -> list[str]:
    """The subject follows the link in the completion email: the page asks for a fresh code, the
    code comes by email, and the right code gives short-lived links to the package. What was
    fetched: ``["html", "json"]``."""
    mail = run.wait_for("the completion email", lambda: run.mail_for(request_id, "is complete"))
    found = _DOWNLOAD_LINK.search(mail["body"])
    if found is None:
        raise DemoError("the completion email has no download link")
    link = urlsplit(found.group(0))
    token = parse_qs(link.query).get("token", [""])[0]
    page = run.public.get(f"{link.path}?{link.query}")
    if page.status != 200 or "Email me a code" not in str(page.body):
        raise DemoError(f"the download page did not offer a code ({page.status})")
    form = {"token": token}
    sent = run.public.call("POST", f"{link.path}/code", raw=urlencode(form).encode(), content_type=FORM)
    if sent.status != 200:
        raise DemoError(f"asking for a download code was refused ({sent.status})")
    code_mail = run.wait_for("the download code email", lambda: run.mail_for(request_id, "download code"))
    code = re.search(r"code is (\d{6})", code_mail["body"])
    if code is None:
        raise DemoError("the download code email has no code")
    form["code"] = code.group(1)
    links = run.public.call("POST", link.path, raw=urlencode(form).encode(), content_type=FORM)
    if links.status != 200:
        raise DemoError(f"the download code was refused ({links.status})")
    fetched = [
        _fetch_package(run, request_id, html.unescape(url), kind) for url, kind in _HREF.findall(links.body)
    ]
    if sorted(fetched) != ["html", "json"]:
        raise DemoError("the download page did not link both formats of the package")
    return fetched


def _fetch_package(run: DemoRun, request_id: str, url: str, kind: str) -> str:
    """One package link, a presigned S3 URL, fetched as it is given (on the local cloud, S3 is at
    the local cloud's own address)."""
    parts = urlsplit(url)
    answer = DeskClient(f"{parts.scheme}://{parts.netloc}").get(f"{parts.path}?{parts.query}")
    if "JSON" in kind:
        package = answer.body if isinstance(answer.body, dict) else {}
        if answer.status != 200 or package.get("request", {}).get("reference") != request_id:
            raise DemoError("the JSON package is not this request's")
        return "json"
    if answer.status != 200 or request_id not in str(answer.body):
        raise DemoError("the package page is not this request's")
    return "html"


APPROVE = {"decision": "approve"}
VENDOR = "customer-service"
CUSTOMERS = "crm-contacts"


HELPLINE_EXPORT = (
    b"ticket,opened,subject\r\n"
    b"HL-4471,2026-10-02,Cannot reset my password\r\n"
    b"HL-4502,2026-11-13,Change of invoice address\r\n"
)
"""The help-desk vendor's export of Grace's tickets, as its staff download it from their tool."""


def answered(*tasks: str) -> dict[str, Answer]:
    """What the help-desk vendor and the customers answered, as staff record it."""
    said = {
        VENDOR: "Helpline Outsourcing confirmed by email",
        CUSTOMERS: "the customers' administrators confirmed",
    }
    return {task: ("done", said[task.split("#")[0]]) for task in tasks}


def payments_fail_twice(run: DemoRun) -> None:
    run.processor("payments.example", fail_next=2)


def mail_provider_goes_silent(run: DemoRun) -> None:
    run.processor("mail.example", never_answer=True)


def extended_then_overdue(run: DemoRun, request_id: str) -> list[str]:
    """Staff extend the request (the subject is told); the clock runs to 6 days before the new
    date (a reminder), then past it (an OVERDUE escalation)."""
    extended = run.staff.post(
        f"/staff/requests/{request_id}/extension", {"reason": "Your records span several archived systems."}
    )
    _expect_ok(extended, "the extension")
    run.wait_for("the extension notice", lambda: run.mail_for(request_id, "More time is needed"))
    due = datetime.fromisoformat(extended.body["respond_by"])
    seen = []
    for moment, subject_part in (
        (due - timedelta(days=6), "day reminder"),
        (due + timedelta(days=1), "OVERDUE"),
    ):
        _run_clock_to(run, moment)
        mail = run.wait_for(f"the staff's {subject_part} email", _mail_about(run, request_id, subject_part))
        seen.append(f"email to {', '.join(mail['to'])}: {mail['subject']}")
    return seen


def _run_clock_to(run: DemoRun, moment: datetime) -> None:
    now = datetime.fromisoformat(run.public.post("/_local/clock", {"advance_seconds": 0}).body["now"])
    ahead = max(0.0, (moment - now).total_seconds())
    _expect_ok(run.public.post("/_local/clock", {"advance_seconds": ahead}), "moving the clock")
    _expect_ok(run.public.post("/_local/run-schedules", {}), "running the sweeper")


def _mail_about(run: DemoRun, request_id: str, subject_part: str) -> Callable[[], dict[str, Any] | None]:
    return lambda: run.mail_for(request_id, subject_part)


_STATUS_LINK = re.compile(r"https?://\S+/status/[0-9a-f-]{36}\?token=\S+")


def appealed_and_upheld(run: DemoRun, request_id: str) -> list[str]:
    """Virginia gives an appeal: the subject appeals from the status page the refusal links to;
    the approver who refused may not answer it; the administrator upholds the refusal, and the
    answer names the Attorney General's complaint route."""
    denial = run.wait_for("the refusal", _mail_about(run, request_id, "Your privacy request"))
    link = _STATUS_LINK.search(denial["body"])
    if link is None:
        raise DemoError("the refusal does not say how to appeal")
    token = parse_qs(urlsplit(link.group(0)).query)["token"][0]
    form = urlencode({"token": token, "statement": "I have been a customer for years; please look again."})
    lodged = run.public.call("POST", f"/status/{request_id}/appeal", raw=form.encode(), content_type=FORM)
    _expect_ok(lodged, "the appeal")
    received = run.wait_for("the appeal's receipt", _mail_about(run, request_id, "We received your appeal"))
    answer = {"decision": "uphold", "reason": "The dispute is still open; we must keep the records."}
    same = run.staff.post(f"/staff/requests/{request_id}/appeal/decision", answer)
    if same.status != 403:
        raise DemoError(f"the person who refused was allowed to answer the appeal ({same.status})")
    _expect_ok(run.admin.post(f"/staff/requests/{request_id}/appeal/decision", answer), "the appeal's answer")
    outcome = run.wait_for("the appeal's answer", _mail_about(run, request_id, "The answer to your appeal"))
    if "Attorney General" not in outcome["body"]:
        raise DemoError("the answer to the appeal does not name the Attorney General")
    return [
        f"email to the subject: {received['subject']}",
        f"the approver who refused may not answer the appeal ({same.status})",
        f"email to the subject: {outcome['subject']} (names the Virginia Attorney General)",
    ]


REFUSED_BODIES = {
    "tamper": "a body whose signature does not verify",
    "expired": "a body whose expires-at has passed",
    "replay": "the same signed body sent again",
}


def by_agent(
    exercise: str, person: dict[str, Any], *, refused: tuple[str, ...] = ()
) -> Callable[[DemoRun], str]:
    """The demonstration agent sends the request over the Data Rights Protocol (signed by the
    local cloud's agent, sent by the demo); first, each body in ``refused``, which the desk must
    refuse (a replay: the accepted body, sent again)."""

    def submit(run: DemoRun) -> str:
        fields: dict[str, Any] = {"exercise": exercise, **person}
        for knob in (k for k in refused if k != "replay"):
            answer = drp_agent.exercise(run.public, {**fields, knob: True})[0]
            if answer.status == 200:
                raise DemoError(f"the desk accepted {REFUSED_BODIES[knob]}")
            run.refused.append(f"{REFUSED_BODIES[knob]}: {refusal(answer)}")
        answers = drp_agent.exercise(run.public, fields, replay="replay" in refused)
        if answers[0].status != 200:
            raise DemoError(f"the desk refused the agent's request: {refusal(answers[0])}")
        for again in answers[1:]:
            if again.status == 200:
                raise DemoError(f"the desk accepted {REFUSED_BODIES['replay']}")
            run.refused.append(f"{REFUSED_BODIES['replay']}: {refusal(again)}")
        return str(answers[0].body["request_id"])

    return submit


def answer_by_passes(run: DemoRun, request_id: str) -> None:
    """The email provider never answers: 31 days later the sweeper ends the wait."""
    answering = {"email-provider#erase": {"waiting"}, "payments#erase": {"done"}}
    wait_for_systems(run.staff, request_id, answering, run.timeout)
    _expect_ok(run.public.post("/_local/clock", {"advance_seconds": 31 * 24 * 3600}), "moving the clock")
    _expect_ok(run.public.post("/_local/run-schedules", {}), "running the sweeper")
    run.processor("mail.example", never_answer=False)


def helpline_stays_silent(run: DemoRun, request_id: str) -> None:
    """The help-desk vendor never answers: the desk's clock runs to each of its reminders (every
    5 days, the registry says), the sweeper running twice each time, then past its answer-by date."""
    wait_for_systems(run.staff, request_id, {f"{VENDOR}#erase": {"waiting"}}, run.timeout)
    answer_by = datetime.fromisoformat(str(_vendor_erasure(run, request_id)["answer_by"]))
    asked = answer_by - timedelta(days=14)
    for number, day in ((1, 5), (2, 10)):
        _run_clock_to(run, asked + timedelta(days=day, hours=1))
        _expect_ok(run.public.post("/_local/run-schedules", {}), "running the sweeper again")
        run.wait_for(f"reminder {number}", _mail_about(run, request_id, f"Reminder {number}:"))
    _run_clock_to(run, answer_by + timedelta(hours=1))


def _vendor_erasure(run: DemoRun, request_id: str) -> dict[str, Any]:
    systems = run.staff.get(f"/staff/requests/{request_id}").body["systems"]
    return dict(next(s for s in systems if (s["system_id"], s["action"]) == (VENDOR, "erase")))


def reminded_then_failed(run: DemoRun, request_id: str) -> list[str]:
    """The reminders in the outbox, each sent once; what staff were emailed and see."""
    told = run.wait_for("the staff's no-answer email", _mail_about(run, request_id, "no answer from"))
    outbox = run.public.get("/_local/outbox.json").body
    reminders = [m for m in outbox if m["request_id"] == request_id and m["subject"].startswith("Reminder")]
    if [m["subject"].split(":")[0] for m in reminders] != ["Reminder 1", "Reminder 2"]:
        raise DemoError(f"the vendor was not reminded twice, once each: {[m['subject'] for m in reminders]}")
    vendor = _vendor_erasure(run, request_id)
    return [
        *(f"email to {', '.join(m['to'])}: {m['subject']}" for m in [*reminders, told]),
        f"{VENDOR}#erase: reminded {vendor['reminders_sent']} times, last on {vendor['last_reminded_at']}",
    ]


AUTOMATED_DECISION_RULES_FROM = datetime.fromisoformat("2027-01-05T17:00:00+00:00")
"""A working Tuesday once California's rules on automated decision-making apply (1 January 2027)."""
CLOCK_MOVED_FOR_AUTOMATED_DECISIONS = (
    f"the desk's clock is moved to {AUTOMATED_DECISION_RULES_FROM:%-d %B %Y} "
    "(California's ADMT rules apply from 1 January 2027)"
)


def once_the_automated_decision_rules_apply(run: DemoRun) -> None:
    """The desk's clock is moved to a day the rules apply, if it is not there yet."""
    _run_clock_to(run, AUTOMATED_DECISION_RULES_FROM)


def told_a_person_decides(run: DemoRun, request_id: str) -> list[str]:
    """The completion email says the invoice-terms decisions are now made by a person."""
    mail = run.wait_for("the completion email", _mail_about(run, request_id, "is complete"))
    if "a person, not an automated system, makes these decisions" not in mail["body"]:
        raise DemoError("the completion email does not say a person now decides")
    # Received Tuesday 5 January 2027: 15 business days, skipping Martin Luther King Jr. Day.
    due = str(run.staff.get(f"/staff/requests/{request_id}").body.get("respond_on", ""))
    if not due.startswith("2027-01-27"):
        raise DemoError(f"the opt-out is not due in 15 business days, on 27 January 2027: {due}")
    return [
        f"email to the subject: {mail['subject']} (a person now decides on invoice terms)",
        f"due {due}: 15 business days (11 CCR 7221)",
    ]


THIRD_PARTIES = ("Fabrikam Reseller Partners LLC", "Contoso Events Inc.")


def told_the_third_parties(run: DemoRun, request_id: str) -> list[str]:
    """The completion email names each third party the registry lists, and no service provider."""
    mail = run.wait_for("the completion email", _mail_about(run, request_id, "is complete"))
    missing = [name for name in THIRD_PARTIES if name not in mail["body"]]
    if missing or "Helpline Outsourcing" in mail["body"]:
        raise DemoError(f"the third-party list is wrong: missing {missing}, or names a service provider")
    return [f"email to the subject: {mail['subject']} (names {', '.join(THIRD_PARTIES)})"]


REACHED_DIRECTLY = (
    "crm-database",
    "card-payments",
    "support-messenger",
    "marketing-crm",
    "newsletter",
    "help-desk",
    "product-analytics",
)
"""The PostgreSQL database, the SaaS tools (Stripe, Intercom, HubSpot, Mailchimp, Zendesk) and the
Parquet data lake: stores the desk reaches itself rather than by asking someone."""

SCENARIOS = [
    # Before Ada's data is erased below: her package holds a record in every system.
    Scenario(
        name="access by web form, EU, held for review: a field and a record withheld with their grounds, "
        "then released",
        level="email",
        expected_status="COMPLETED",
        before=demo_review.hold_access_packages,
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["access"],
                "subject": {"email": "ada@example.com", "name": "Ada Lovelace"},
                "jurisdiction": "EU",
            }
        ),
        prove=by_code(),
        decision=APPROVE,
        answers=answered(f"{VENDOR}#export", f"{CUSTOMERS}#export"),
        meanwhile=demo_review.withhold_and_release,
        then=follow_download,
        afterwards=demo_review.what_was_withheld,
    ),
    Scenario(
        name="access and erasure by web form, EU, email code; the payment processor fails twice first",
        level="email",
        expected_status="COMPLETED",
        before=payments_fail_twice,
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
        answers=answered(f"{VENDOR}#export", f"{CUSTOMERS}#export", f"{VENDOR}#erase", f"{CUSTOMERS}#erase"),
        expect_systems={
            "payments#export": "done",
            "payments#erase": "done",
            "email-provider#erase": "done",
            "billing-invoices#erase": "exempt",
            f"{CUSTOMERS}#erase": "done",
            f"{VENDOR}#erase": "done",
            # The database, every SaaS tool and the data lake, each found holding Ada and changed
            **{f"{system}#{action}": "done" for system in REACHED_DIRECTLY for action in ("export", "erase")},
        },
        then=follow_download,
        show_systems=True,
    ),
    Scenario(
        name="access by email, code and two details we hold; the help-desk vendor uploads its export "
        "through the link in its email, and the customer holding Grace answers nothing found through its own",
        level="matched",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_email(EVENTS / "email_intake" / "demo_access_request.eml"),
        prove=by_code({"phone": "(202) 555-0143", "postal_code": "94105"}),
        decision=APPROVE,
        through_links={
            f"{VENDOR}#export": ("done", ("helpline-tickets.csv", HELPLINE_EXPORT)),
            f"{CUSTOMERS}#export": ("nothing_found", None),
        },
        expect_systems={
            "accounts#export": "done",
            "payments#export": "done",
            f"{VENDOR}#export": "done",
            f"{CUSTOMERS}#export": "nothing_found",
        },
        then=follow_download,
    ),
    Scenario(
        name="access by email written in German, answered in German from the acknowledgement to the closing",
        level="matched",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_email(EVENTS / "email_intake" / "demo_access_request_de.eml"),
        prove=by_code({"phone": "(202) 555-0143", "postal_code": "94105"}),
        decision=APPROVE,
        answers=answered(f"{VENDOR}#export", f"{CUSTOMERS}#export"),
        expect_systems={"accounts#export": "done"},
        emails_in="de",
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
        name="access by web form, Virginia: denied, appealed on the status page, the refusal upheld",
        level="matched",
        expected_status="DENIED",
        submit=lambda run: run.submit_by_form(
            {"request_types": ["access"], "subject": {"email": "grace@example.org"}, "jurisdiction": "US-VA"}
        ),
        prove=by_code({"phone": "(202) 555-0143", "postal_code": "94105"}),
        decision={"decision": "deny", "reason": "An open invoice dispute: we answer it through our lawyers."},
        afterwards=appealed_and_upheld,
    ),
    Scenario(
        name="portability, correction, restriction and objection by web form, UK",
        level="email",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["portability", "rectification", "restriction", "objection"],
                "subject": {"email": "grace@example.org", "name": "Grace Hopper"},
                "corrections": [{"field": "name", "corrected_value": "Rear Admiral Grace Hopper"}],
                "jurisdiction": "UK",
            }
        ),
        prove=by_code(),
        decision=APPROVE,
        answers=answered(
            f"{VENDOR}#export",
            f"{CUSTOMERS}#export",
            f"{VENDOR}#rectify",
            f"{CUSTOMERS}#rectify",
            f"{VENDOR}#restrict",
            f"{CUSTOMERS}#restrict",
            f"{CUSTOMERS}#object",
        ),
        expect_systems={
            "accounts#rectify": "done",
            "accounts#restrict": "done",
            "accounts#object": "done",
            f"{CUSTOMERS}#rectify": "done",
        },
        then=follow_download,
    ),
    # Before Grace's account is erased below. From here the desk's clock is in 2027, when
    # California's rules on automated decision-making apply.
    Scenario(
        name="an ADMT opt-out in California by web form, no verification; a person decides instead",
        level="none",
        expected_status="COMPLETED",
        before=once_the_automated_decision_rules_apply,
        clock_moved=CLOCK_MOVED_FOR_AUTOMATED_DECISIONS,
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["admt_opt_out"],
                "subject": {"email": "grace@example.org"},
                "country": "US",
                "region": "CA",
            }
        ),
        prove=no_proof_needed,
        decision=APPROVE,
        expect_systems={"invoice-terms#admt_opt_out": "done"},
        afterwards=told_a_person_decides,
    ),
    Scenario(
        name="a third-party list in Oregon by web form, code and two details; answered from the registry",
        level="matched",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["third_party_list"],
                "subject": {"email": "grace@example.org"},
                "country": "US",
                "region": "OR",
            }
        ),
        prove=by_code({"phone": "(202) 555-0143", "postal_code": "94105"}),
        decision=APPROVE,
        afterwards=told_the_third_parties,
    ),
    Scenario(
        name="access by web form from Quebec naming no language, answered in Canadian French, "
        "refused by staff",
        level="matched",
        expected_status="DENIED",
        submit=lambda run: run.submit_by_form(
            {"request_types": ["access"], "subject": {"email": "grace@example.org"}, "jurisdiction": "CA-QC"}
        ),
        prove=by_code({"phone": "(202) 555-0143", "postal_code": "94105"}),
        decision={
            "decision": "deny",
            "reason": "Un litige de facturation en cours nous oblige à conserver le dossier du compte.",
        },
        emails_in="fr-CA",
    ),
    Scenario(
        name="erasure by an account holder who signs in; the email provider never answers",
        level="account",
        expected_status="PARTIALLY_COMPLETED",
        before=mail_provider_goes_silent,
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
        answers=answered(f"{VENDOR}#erase", f"{CUSTOMERS}#erase"),
        meanwhile=answer_by_passes,
        expect_systems={"payments#erase": "done", "email-provider#erase": "failed", "accounts#erase": "done"},
    ),
    Scenario(
        name="erasure by web form, EU, email code; a silent owner is reminded, then marked failed",
        level="email",
        expected_status="PARTIALLY_COMPLETED",
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["erasure"],
                "subject": {"email": "margaret@example.net", "name": "Margaret Hamilton"},
                "jurisdiction": "EU",
            }
        ),
        prove=by_code(),
        decision=APPROVE,
        meanwhile=helpline_stays_silent,
        expect_systems={f"{VENDOR}#erase": "failed", f"{CUSTOMERS}#erase": "nothing_found"},
        afterwards=reminded_then_failed,
        clock_moved="the desk's clock runs through the vendor's reminders and past its answer-by date",
    ),
    Scenario(
        name="marketing and sale/sharing opt-out, no verification; no customer holds the person",
        level="none",
        expected_status="COMPLETED",
        submit=lambda run: run.submit_by_form(
            {
                "request_types": ["marketing_opt_out", "sale_sharing_opt_out"],
                "subject": {"email": "alan@example.net"},
            }
        ),
        prove=no_proof_needed,
        decision=APPROVE,
        expect_systems={"marketing-leads#opt_out": "done", f"{CUSTOMERS}#opt_out": "nothing_found"},
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
        name="restriction in the UK: extended, reminded, overdue, then denied",
        level="email",
        expected_status="DENIED",
        submit=lambda run: run.submit_by_form(
            {"request_types": ["restriction"], "subject": {"email": "alan@example.net"}, "jurisdiction": "UK"}
        ),
        prove=by_code(),
        before_decision=extended_then_overdue,
        decision={"decision": "deny", "reason": "We hold no data whose use could be restricted."},
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
    Scenario(
        name="deletion in the UK from an authorized agent over the Data Rights Protocol, email code; "
        "a tampered and an expired body refused first",
        level="email",
        expected_status="COMPLETED",
        submit=by_agent(
            "deletion",
            {"email": "alan@example.net", "name": "Alan Turing", "address": {"country": "GB"}},
            refused=("tamper", "expired"),
        ),
        prove=by_code(),
        decision=APPROVE,
        answers=answered(f"{VENDOR}#erase", f"{CUSTOMERS}#erase"),
        agent_final="fulfilled",
    ),
    Scenario(
        name="sale/sharing opt-out from an authorized agent over the Data Rights Protocol, no "
        "verification; the same body sent again is refused",
        level="none",
        expected_status="COMPLETED",
        submit=by_agent(
            "sale:opt-out", {"email": "alan@example.net", "name": "Alan Turing"}, refused=("replay",)
        ),
        prove=no_proof_needed,
        decision=APPROVE,
        agent_final="fulfilled",
    ),
]


def run_demo(url: str | None, as_json: bool, timeout: float, *, out: TextIO, logs: bool = False) -> int:
    """Run every scenario (on a desk started here unless ``url`` names one); the timeline on
    ``out``, or one JSON document; the desk's logs only when asked for."""
    from dsr_cli.local import desk_logs, running_local_cloud  # noqa: PLC0415

    with desk_logs(shown=logs):
        if url:
            results = _run_all(url, timeout)
        else:
            with running_local_cloud() as api:
                results = _run_all(api.cloud.base_url, timeout)
    if as_json:
        print(
            json.dumps({"scenarios": [asdict(r) | {"passed": r.passed} for r in results]}, indent=2), file=out
        )
    else:
        _print_timelines(results, out)
    return 0 if all(r.passed for r in results) else 1


def _run_all(url: str, timeout: float) -> list[ScenarioResult]:
    run = DemoRun(url, timeout)
    return [run.run(scenario) for scenario in SCENARIOS]


def _print_timelines(results: list[ScenarioResult], out: TextIO) -> None:
    for result in results:
        mark = "ok  " if result.passed else "FAIL"
        if result.clock_moved:
            print(result.clock_moved, file=out)
        print(f"{mark} {result.name} [verification: {result.level}]", file=out)
        print(
            f"     request {result.request_id}: expected {result.expected_status}, "
            f"ended {result.final_status} in {result.total_seconds:.2f}s",
            file=out,
        )
        for state in result.states_entered:
            seconds = result.seconds_per_stage.get(state)
            shown = f"{seconds:7.3f}s" if seconds is not None else "      - "
            print(f"       {shown}  {state}", file=out)
        if result.systems:
            print(f"     systems: {_tally(result.systems)}", file=out)
        for line in result.system_lines:
            print(f"       {line}", file=out)
        _print_answers(result, out)
        for line in result.staff_see:
            print(f"     staff see: {line}", file=out)
        if result.downloaded:
            print(f"     package downloaded with a fresh code: {', '.join(result.downloaded)}", file=out)
        _print_emails(result, out)
        _print_evidence_pack(result, out)
        _print_agent_lines(result, out)
        if result.error:
            print(f"     error: {result.error}", file=out)
    passed = sum(r.passed for r in results)
    print(f"{passed} of {len(results)} scenarios ended as expected", file=out)


def _print_answers(result: ScenarioResult, out: TextIO) -> None:
    """Who answered the handed-off tasks: staff for the owners, or the owners through their links."""
    if result.answered:
        print(f"     staff recorded the answers of: {', '.join(result.answered)}", file=out)
    if result.owners_answered:
        print(f"     owners answered through their links: {', '.join(result.owners_answered)}", file=out)


def _print_emails(result: ScenarioResult, out: TextIO) -> None:
    """A scenario in a language: each email the subject was sent, its subject line and first line."""
    for line in result.emails:
        print(f"     email {line}", file=out)


def _print_evidence_pack(result: ScenarioResult, out: TextIO) -> None:
    """The closed request's evidence pack: its two files in the packages bucket, and the checksum."""
    if pack := result.evidence_pack:
        print(f"     evidence pack: {pack['json']}, {pack['pdf']}", file=out)
        print(f"       sha256 {pack['sha256']} (verified)", file=out)


def _print_agent_lines(result: ScenarioResult, out: TextIO) -> None:
    """A Data Rights Protocol scenario: what the agent was told, and what the desk refused."""
    if result.agent_told:
        print(f"     agent told: {' -> '.join(result.agent_told)}", file=out)
    for line in result.desk_refused:
        print(f"     desk refused {line}", file=out)


def _system_line(task: str, outcome: dict[str, Any]) -> str:
    """``accounts#erase: done, 1 record (Platform accounts)``: what one action came to in one system."""
    words = [str(outcome["status"]).replace("_", " ")]
    records = outcome.get("records")
    if records is not None and outcome["status"] in {"done", "exempt"}:
        words.append(f"{records} record" + ("" if records == 1 else "s"))
    if outcome.get("waiting_on"):
        words.append(f"waiting on {outcome['waiting_on']}")
    name = f" ({outcome['system_name']})" if outcome.get("system_name") else ""
    return f"{task}: {', '.join(words)}{name}"


def _tally(systems: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for status in systems.values():
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{count} {status.replace('_', ' ')}" for status, count in sorted(counts.items()))
