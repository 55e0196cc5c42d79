"""A SaaS tool that throttles: the SaaS connector exports from a stand-in that answers 429 (with
Retry-After) to every third request, from several threads sharing one container's client.

What is measured, from the stand-in's own clock (the time each request arrived):

1. the requests in the busiest window of the tool's declared period: never more than its
   declared rate, 429s and retries included;
2. the exports completed, each whole (the customer, every page of charges, the invoices);
3. the retries the client counted, beside the 429s the stand-in answered: every one retried;
4. the shortest gap between two arrivals, beside the declared interval (no target: a request
   delayed on its way narrows the gap to the next one without raising the rate).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from benchmarks.figures import Figure
from dsr.connectors.base import Subject
from dsr.connectors.saas import SaasConnector
from dsr.connectors.saas_http import SaasHttp
from dsr.core.saas_definitions import load_definition
from local_cloud.demo_data import ADA, PEOPLE
from local_cloud.saas_standins import SaasStandIn, vendor_stand_in

BENCHMARK = "SaaS rate limit"
TOOL = "stripe"
EXPORTS = 30
THREADS = 4
THROTTLE_EVERY = 3
RETRY_AFTER_SECONDS = "0.2"
RECORDS_PER_EXPORT = 5  # Ada's customer, three charges (two pages) and an invoice


def busiest_window(arrivals: list[float], seconds: float) -> int:
    """The most arrivals in any half-open window [t, t + seconds)."""
    ordered = sorted(arrivals)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= seconds:
            start += 1
        most = max(most, end - start + 1)
    return most


def run(scale: float) -> list[Figure]:
    exports = max(3, round(EXPORTS * scale))
    definition = load_definition(TOOL)
    stand_in = SaasStandIn(vendor_stand_in(TOOL, PEOPLE)).start()
    try:
        stand_in.fail_every(THROTTLE_EVERY, retry_after=RETRY_AFTER_SECONDS)
        environment = {str(definition.base_url_env): stand_in.base_url}
        secret = stand_in.vendor.secret
        http = SaasHttp(definition, environment, lambda _: secret)
        lock = threading.Lock()
        complete: list[int] = []

        def export_once(_: int) -> None:
            records = list(SaasConnector(http, environment).export(Subject(email=ADA["email"])))
            with lock:
                complete.append(len(records))

        began = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(export_once, range(exports)))
        seconds = time.monotonic() - began
        log = list(stand_in.log)
    finally:
        stand_in.stop()

    limit = definition.rate_limit
    arrivals = [entry.at for entry in log]
    gaps = [b - a for a, b in zip(sorted(arrivals), sorted(arrivals)[1:], strict=False)]
    throttled = sum(1 for entry in log if entry.status == 429)
    detail = {"requests": len(log), "throttled": throttled, "seconds": round(seconds, 2), "threads": THREADS}
    whole = sum(1 for count in complete if count == RECORDS_PER_EXPORT)
    return [
        Figure(
            BENCHMARK,
            f"{TOOL} stand-in, 429 every {THROTTLE_EVERY}rd request: requests in the busiest "
            f"{limit.per_seconds:g} s (stand-in clock)",
            busiest_window(arrivals, limit.per_seconds),
            "requests",
            target=f"at most {limit.requests} (the declared rate)",
            met=busiest_window(arrivals, limit.per_seconds) <= limit.requests,
            detail=detail,
        ),
        Figure(
            BENCHMARK,
            f"{TOOL}: exports completed whole ({RECORDS_PER_EXPORT} records each)",
            whole,
            "exports",
            target=f"all {exports}",
            met=whole == exports,
        ),
        Figure(
            BENCHMARK,
            f"{TOOL}: retries counted by the client",
            http.retries,
            "retries",
            "429s the stand-in answered",
            throttled,
            target="one per 429",
            met=http.retries == throttled and throttled > 0,
        ),
        Figure(
            BENCHMARK,
            f"{TOOL}: shortest gap between two requests",
            round(min(gaps) * 1000, 2) if gaps else 0.0,
            "ms",
            "the declared interval",
            round(limit.interval * 1000, 2),
            # No target: requests leave spaced at least the interval apart, but an arrival
            # delayed by the network or the stand-in's threads narrows the gap after it; the
            # rate is the busiest window's count above.
        ),
    ]
