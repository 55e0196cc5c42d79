"""Intake throughput: submissions per second through the local HTTP API from 8 concurrent
clients, beside the same number of bare DynamoDB writes from 8 threads through the same local
cloud.

Each submission is the whole of intake as a subject meets it: validation, the per-address and
per-subject limits, the Idempotency-Key record, the request and its trail written with
conditional puts, and the execution started (which then acknowledges the request and sends a
code, on the same machine, while later submissions arrive). The bare writes show what the local
cloud itself can take, so the gap between the two is the desk's own work.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3

from benchmarks.figures import Figure

SUBMISSIONS = 200
CLIENTS = 8
BENCHMARK = "Intake throughput"


def run(scale: float) -> list[Figure]:
    from dsr_cli.load import run_load  # noqa: PLC0415
    from dsr_cli.local import running_local_cloud  # noqa: PLC0415 - moto loads only when needed

    submissions = max(CLIENTS * 2, round(SUBMISSIONS * scale))
    with running_local_cloud() as api:
        report = run_load(api.cloud.base_url, submissions, CLIENTS, retry_share=0.0, timeout=600)
        bare_per_second = _bare_writes(submissions)
    if not report.passed:
        raise RuntimeError(
            f"intake under load lost or doubled requests: lost {report.lost}, doubled {report.doubled}, "
            f"stuck {report.stuck}"
        )
    return [
        Figure(
            BENCHMARK,
            f"{submissions} submissions from {CLIENTS} clients through the local HTTP API",
            report.per_second,
            "per second",
            baseline=f"{submissions} bare DynamoDB writes from {CLIENTS} threads",
            baseline_value=bare_per_second,
            detail={"latency_ms": report.latency_ms, "statuses": report.statuses, "seconds": report.seconds},
        ),
        Figure(BENCHMARK, "Submission latency, median", report.latency_ms["p50"], "ms"),
        Figure(BENCHMARK, "Submission latency, 99th percentile", report.latency_ms["p99"], "ms"),
    ]


def _bare_writes(count: int) -> float:
    """Writes per second of ``count`` small items, from 8 threads, to a table of the same local
    cloud."""
    client: Any = boto3.client("dynamodb")
    client.create_table(
        TableName="bench-bare-writes",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )

    def write(number: int) -> None:
        client.put_item(
            TableName="bench-bare-writes",
            Item={"pk": {"S": f"item-{number}"}, "body": {"S": "x" * 200}},
            ConditionExpression="attribute_not_exists(pk)",
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(write, range(count)))
    return count / (time.perf_counter() - started)
