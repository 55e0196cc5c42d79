"""A small load run in the suite (``make load`` runs 1,000 submissions): concurrent clients from
many addresses, a fifth of the sends retried with their Idempotency-Key, some while the first is
still being recorded. Every distinct submission gets exactly one request, and every request its
execution."""

from __future__ import annotations

from dsr.wiring.desk import Desk
from dsr_cli.load import plan, run_load
from local_cloud.http_api import LocalApi


def test_the_plan_repeats_a_fifth_of_the_sends_with_their_keys() -> None:
    sends = plan(100, 0.2)
    assert len(sends) == 100
    assert len({s.number for s in sends}) == 80
    assert all(s.key == f"load-{s.number:06d}" for s in sends)
    assert len({s.address for s in sends}) > 50  # from many addresses, as people are


def test_concurrent_submissions_with_retries_make_one_request_each_and_none_is_stuck(
    local_api: LocalApi, desk: Desk
) -> None:
    report = run_load(local_api.cloud.base_url, submissions=40, clients=8, retry_share=0.2, timeout=60)

    assert report.passed, report
    assert (report.submissions, report.distinct, report.requests) == (40, 32, 32)
    assert report.statuses.get("201") == 40
    assert not {status for status in report.statuses if status.startswith("5")}
    assert len(desk.store.open_requests()) == 32
    assert report.latency_ms["p50"] <= report.latency_ms["p99"] <= report.latency_ms["max"]
