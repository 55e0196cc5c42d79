"""SnapStart: what the first event of each SnapStart function costs once Lambda resumes it from
its snapshot, beside a cold start without SnapStart.

Each figure is measured in fresh interpreters (``benchmarks.first_events``), against moto served
over HTTP from this process. Without SnapStart, a cold start imports the handler and then runs
its first event, which loads what that event's path needs (clients, policies, calendars, lazily
imported modules). Resumed from a snapshot, the import and the before-snapshot hook's loading are
in the snapshot already: what is left is the after-restore hook and the first event itself. The
restore of the snapshot (Lambda's work, outside the function) is not measured here.

The rounds are interleaved (each function without, then with) and the figure is the median.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure
from benchmarks.first_events import Services, api_event, moto_over_http

BENCHMARK = "SnapStart first event"
FULL_ROUNDS = 5  # at scale 1; never fewer than MIN_ROUNDS
MIN_ROUNDS = 3
EVENTS = Path(__file__).resolve().parents[2] / "events"
APPROVER = {
    "sub": "staff-1",
    "email": "approver@desk.example",
    "cognito:username": "approver@desk.example",
    "cognito:groups": "privacy-approver",
}


class Scenario:
    """A first event for each SnapStart function, new in each round (a new subject and address,
    so that no submission is refused as a repeat or throttled)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.round = 0
        self.request_ids: list[str] = []
        """The requests the intake function's runs submitted, latest last."""

    def events(self, function: str, *, restored: bool) -> list[Any]:
        """Without and with SnapStart, the tasks each take a request of their own: one the
        acknowledgement has not been sent for, one without a verification code yet."""
        index = -1 if restored else -2
        request_id = self.request_ids[index] if len(self.request_ids) >= -index else ""
        makers: dict[str, Callable[[], list[Any]]] = {
            "IntakeApiFunction": self._submission,
            "AcknowledgeRequestFunction": lambda: [{"request_id": request_id}],
            "StartVerificationFunction": lambda: [
                {"request_id": request_id, "task_token": "benchmark"}  # nosec B105 - not a secret
            ],
            "StaffApiFunction": lambda: [
                api_event("GET", "/staff/requests", "/staff/requests", claims=APPROVER)
            ],
            "StaffConsoleFunction": lambda: [api_event("GET", "/console", "/console")],
            "EmailIntakeFunction": self._email,
        }
        return makers[function]()

    def _submission(self) -> list[Any]:
        self.round += 1
        body = {
            "request_types": ["access"],
            "subject": {"email": f"subject{self.round}@example.com"},
            "jurisdiction": "UK",
        }
        address = f"198.51.100.{self.round % 250 + 1}"
        return [api_event("POST", "/requests", "/requests", body, source_ip=address)]

    def _email(self) -> list[Any]:
        event = json.loads((EVENTS / "email_intake" / "ses_receipt.json").read_text(encoding="utf-8"))
        mail = event["Records"][0]["ses"]["mail"]
        mail["messageId"] = f"snapstart-benchmark-{self.round}"
        raw = (EVENTS / "email_intake" / "access_request.eml").read_bytes()
        raw = raw.replace(b"alan@example.net", f"sender{self.round}@example.net".encode())
        self.services.client("s3").put_object(
            Bucket=self.services.template.physical_name("InboundMailBucket"),
            Key=f"inbound/{mail['messageId']}",
            Body=raw,
        )
        return [event]

    def note(self, function: str, answer: Any) -> None:
        """Keep what the next events need; refuse an answer that shows the event did less."""
        if function == "IntakeApiFunction":
            self.request_ids.append(json.loads(answer["body"])["request_id"])
        elif function == "AcknowledgeRequestFunction" and answer != {"sent": True}:
            raise RuntimeError(f"the acknowledgement was not sent: {answer}")
        elif isinstance(answer, dict) and int(answer.get("statusCode", 200)) >= 400:
            raise RuntimeError(f"{function} answered {answer.get('statusCode')}")


FUNCTIONS = (
    "IntakeApiFunction",
    "AcknowledgeRequestFunction",
    "StartVerificationFunction",
    "StaffApiFunction",
    "StaffConsoleFunction",
    "EmailIntakeFunction",
)


def resumed_first_event_ms(folders: dict[str, Sequence[str]], rounds: int) -> dict[str, float]:
    """For each SnapStart function named in ``folders`` (a built artifact's folders, as the
    cold-start benchmark gives them), the median first event once resumed from its snapshot:
    the before-snapshot hook has run, and the time is what the event still imports and its
    handling. The intake function runs in each round whenever the tasks need its request."""
    chosen = [function for function in FUNCTIONS if function in folders]
    needs_a_request = {"AcknowledgeRequestFunction", "StartVerificationFunction"} & set(chosen)
    times: dict[str, list[float]] = {function: [] for function in chosen}
    if not chosen:
        return {}
    with moto_over_http() as services:
        scenario = Scenario(services)
        for _ in range(rounds):
            for function in FUNCTIONS:
                if function not in chosen and not (function == "IntakeApiFunction" and needs_a_request):
                    continue
                events = scenario.events(function, restored=True)
                resumed = services.first_events(
                    function, events, restored=True, folders=folders.get(function, ())
                )
                scenario.note(function, resumed.runs[0]["answer"])
                if function in times:
                    times[function].append(resumed.runs[0]["ms"])
    return {function: round(statistics.median(runs), 1) for function, runs in times.items()}


def run(scale: float) -> list[Figure]:
    rounds = max(MIN_ROUNDS, round(FULL_ROUNDS * scale))
    cold: dict[str, list[float]] = {function: [] for function in FUNCTIONS}
    restored: dict[str, list[float]] = {function: [] for function in FUNCTIONS}
    imported: dict[str, set[str]] = {function: set() for function in FUNCTIONS}
    with moto_over_http() as services:
        scenario = Scenario(services)
        for _ in range(rounds):
            for function in FUNCTIONS:
                events = scenario.events(function, restored=False)
                without = services.first_events(function, events, restored=False)
                scenario.note(function, without.runs[0]["answer"])
                cold[function].append(without.import_ms + without.runs[0]["ms"])
                events = scenario.events(function, restored=True)
                resumed = services.first_events(function, events, restored=True)
                scenario.note(function, resumed.runs[0]["answer"])
                restored[function].append(resumed.runs[0]["ms"])
                imported[function].update(resumed.runs[0]["imported"])
    return [
        Figure(
            BENCHMARK,
            f"{function}: first event, resumed from its snapshot (with before-snapshot loading)",
            statistics.median(restored[function]),
            "ms",
            baseline="a cold start without SnapStart: import, then the first event",
            baseline_value=statistics.median(cold[function]),
            detail={
                "rounds": rounds,
                "resumed_ms": restored[function],
                "cold_start_ms": cold[function],
                "imported_by_the_first_event": sorted(imported[function]),
            },
        )
        for function in FUNCTIONS
    ]
