"""``dsr local load``: many subjects submitting at once, some retrying, and nothing lost.

Submissions come from ``clients`` concurrent clients, each from its own loopback address (as
people arrive from many addresses; the desk limits how often one address may submit). A share
of the submissions are sent again with the same Idempotency-Key, some while the first is still
being recorded (answered 409 "retry", and retried). Afterwards every distinct submission must
have exactly one request, and every request must have its execution and be waiting for its
subject's code: none lost, none doubled, none stuck. The report gives throughput and the
latency distribution.
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit

from dsr_cli.http_client import DeskClient

ADDRESSES = 250  # distinct loopback source addresses the submissions come from
IN_PROGRESS_RETRIES = 100


@dataclass(frozen=True)
class Submission:
    number: int
    key: str
    body: bytes
    address: str


@dataclass
class LoadReport:
    submissions: int
    distinct: int
    clients: int
    seconds: float
    per_second: float
    statuses: dict[str, int]
    latency_ms: dict[str, float]
    requests: int
    doubled: list[str] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not (self.doubled or self.lost or self.stuck) and self.requests == self.distinct


def plan(submissions: int, retry_share: float, seed: int = 7) -> list[Submission]:
    """``submissions`` sends in all: distinct ones, and a ``retry_share`` of sends that repeat one
    of them with its Idempotency-Key; shuffled, so a retry may race its original."""
    retries = int(submissions * retry_share)
    distinct = [
        Submission(
            number,
            f"load-{number:06d}",
            json.dumps(
                {
                    "request_types": ["access"],
                    "subject": {"email": f"load-{number:06d}@example.com"},
                    "jurisdiction": "EU",
                }
            ).encode(),
            f"127.0.1.{1 + number % ADDRESSES}",
        )
        for number in range(submissions - retries)
    ]
    chooser = random.Random(seed)  # noqa: S311  # nosec B311 - a reproducible test plan, not a secret
    sends = distinct + [chooser.choice(distinct) for _ in range(retries)]
    chooser.shuffle(sends)
    return sends


def run_load(base_url: str, submissions: int, clients: int, retry_share: float, timeout: float) -> LoadReport:
    sends = plan(submissions, retry_share)
    waiting_before = _waiting_for_codes(_staff(base_url))
    url = urlsplit(base_url)
    answers: dict[int, list[str]] = {}
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    lock = threading.Lock()

    def send(submission: Submission) -> None:
        for _ in range(IN_PROGRESS_RETRIES):
            started = time.perf_counter()
            status, body = _post(url.hostname or "127.0.0.1", url.port or 80, submission)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 409:  # still being recorded by the other send: retry, as a client would
                time.sleep(0.05)
                continue
            if status == 201:
                with lock:
                    answers.setdefault(submission.number, []).append(str(body["request_id"]))
            return

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(send, sends))
    seconds = time.perf_counter() - started
    distinct = {s.number for s in sends}
    report = LoadReport(
        submissions=len(sends),
        distinct=len(distinct),
        clients=clients,
        seconds=round(seconds, 2),
        per_second=round(len(sends) / seconds, 1),
        statuses=dict(sorted(statuses.items())),
        latency_ms=_distribution(latencies),
        requests=len({rid for ids in answers.values() for rid in ids}),
        doubled=sorted(str(n) for n, ids in answers.items() if len(set(ids)) > 1),
        lost=sorted(n for n in distinct if n not in answers),
    )
    report.stuck = _stuck(base_url, {ids[0] for ids in answers.values()}, waiting_before, timeout)
    return report


def _post(host: str, port: int, submission: Submission) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection(host, port, timeout=60, source_address=(submission.address, 0))
    try:
        connection.request(
            "POST",
            "/requests",
            body=submission.body,
            headers={"Content-Type": "application/json", "Idempotency-Key": submission.key},
        )
        answer = connection.getresponse()
        raw = answer.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"message": raw.decode(errors="replace")}
        return answer.status, body if isinstance(body, dict) else {}
    finally:
        connection.close()


def _distribution(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {}
    ordered = sorted(latencies)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 99
    return {
        "p50": round(cuts[49], 1),
        "p90": round(cuts[89], 1),
        "p99": round(cuts[98], 1),
        "max": round(ordered[-1], 1),
        "mean": round(statistics.fmean(ordered), 1),
    }


def _staff(base_url: str) -> DeskClient:
    answer = DeskClient(base_url).post("/_local/staff-token", {"username": "analyst@desk.example"})
    return DeskClient(base_url, str(answer.body["token"]))


def _waiting_for_codes(staff: DeskClient) -> int:
    return int(staff.get("/staff/dashboard?weeks=1").body.get("by_status", {}).get("VERIFYING", 0))


def _stuck(base_url: str, request_ids: set[str], waiting_before: int, timeout: float) -> list[str]:
    """Requests whose execution has not brought them to wait for their subject's code. The
    dashboard's count of open requests waiting for a code is read until it has grown by the
    number of requests (one call each time); only if it never does are they looked up one by
    one."""
    staff = _staff(base_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _waiting_for_codes(staff) - waiting_before >= len(request_ids):
            return []
        time.sleep(1)
    return sorted(
        request_id
        for request_id in request_ids
        if staff.get(f"/staff/requests/{request_id}").body.get("status") != "VERIFYING"
    )


def print_load(
    url: str | None,
    submissions: int,
    clients: int,
    retry_share: float,
    timeout: float,
    *,
    out: TextIO,
    as_json: bool = False,
    logs: bool = False,
) -> int:
    from dsr_cli.local import desk_logs, running_local_cloud  # noqa: PLC0415 - moto loads only when needed

    with desk_logs(shown=logs):
        if url is not None:
            report = run_load(url, submissions, clients, retry_share, timeout)
        else:
            with running_local_cloud() as api:
                report = run_load(api.cloud.base_url, submissions, clients, retry_share, timeout)
    if as_json:
        print(json.dumps({**asdict(report), "passed": report.passed}, indent=2), file=out)
    else:
        print(_summary(report), file=out)
    return 0 if report.passed else 1


def _summary(report: LoadReport) -> str:
    verdict = "nothing lost, doubled or stuck" if report.passed else "FAILED"
    latency = ", ".join(f"{name} {ms:.0f} ms" for name, ms in report.latency_ms.items())
    statuses = ", ".join(f"{count} x {status}" for status, count in sorted(report.statuses.items()))
    lines = [
        f"{report.submissions} sends ({report.distinct} distinct) from {report.clients} clients "
        f"in {report.seconds:.1f}s: {report.per_second:.0f} per second",
        f"  answers: {statuses}",
        f"  latency: {latency}",
        f"  requests: {report.requests} for {report.distinct} distinct submissions: {verdict}",
    ]
    lines += [f"  doubled: {', '.join(report.doubled)}"] if report.doubled else []
    lines += [f"  lost: {len(report.lost)} submissions"] if report.lost else []
    lines += [f"  stuck: {', '.join(report.stuck)}"] if report.stuck else []
    return "\n".join(lines)
