"""Cost per request: what one erasure costs in AWS with 5, 20 and 50 planned systems, from what
real runs on the local cloud did (``benchmarks.workflow_runs``), priced at AWS list prices.

Prices: US East (N. Virginia), on-demand list prices as published by AWS in 2025 (DynamoDB
on-demand after its November 2024 reduction). Free tiers are left out, and so are the processors'
and vendors' own charges, CloudWatch logs and the sweeper's runs (shared by every request).

SnapStart (Python) adds two charges of its own (aws.amazon.com/lambda/pricing, "SnapStart",
US East (N. Virginia), as read on 2026-12-06): the snapshot's cache, per GB of the function's
memory and second a published version is active (at least 3 hours), and each restore, per GB,
when a new environment resumes from the snapshot. Two figures show them apart from the request's
on-demand cost: a month of cache for every SnapStart function (template.yaml), and what one
erasure's calls to those functions would add were every one of them a cold start (a bound: a
warm environment pays no restore).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure
from benchmarks.workflow_runs import WorkflowRun, measured_runs
from local_cloud.template import load_template

REGION = "us-east-1"
PRICES_AS_OF = "2025"
STEP_FUNCTIONS_PER_TRANSITION = 0.025 / 1_000  # Standard workflows
LAMBDA_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_PER_GB_SECOND = 0.0000166667  # x86
DYNAMODB_PER_WRITE_UNIT = 0.625 / 1_000_000  # on-demand
DYNAMODB_PER_READ_UNIT = 0.125 / 1_000_000
SES_PER_EMAIL = 0.10 / 1_000
S3_PER_PUT_COPY_POST_LIST = 0.005 / 1_000
S3_PER_GET_AND_OTHER = 0.0004 / 1_000
KMS_PER_REQUEST = 0.03 / 10_000
SNS_PER_PUBLISH = 0.50 / 1_000_000
API_GATEWAY_PER_REQUEST = 3.50 / 1_000_000  # REST APIs
MANUAL_REQUEST = 1_400.0  # Gartner's widely cited figure for a request handled by hand
TARGET_SYSTEMS = 20
TARGET_DOLLARS = 0.002
S3_TIER_1 = {"PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2", "ListObjectVersions",
             "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}  # fmt: skip
BENCHMARK = "Cost per request"
SNAPSTART_PRICES_AS_OF = "2026-12-06"
SNAPSTART_CACHE_PER_GB_SECOND = 0.0000015046
SNAPSTART_RESTORE_PER_GB = 0.0001397998
SECONDS_PER_MONTH = 730 * 3600  # AWS's pricing examples count a month as 730 hours
TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"


def snapstart_memory(template_path: Path = TEMPLATE_PATH) -> dict[str, int]:
    """Each SnapStart function of the template and its memory (MB)."""
    document = load_template(template_path)
    default = int(document.get("Globals", {}).get("Function", {}).get("MemorySize", 128))
    return {
        name: int(resource["Properties"].get("MemorySize", default))
        for name, resource in document["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function" and "SnapStart" in resource["Properties"]
    }


def snapstart_cache_per_month(memory: dict[str, int]) -> float:
    """A month of cached snapshots, one published version of each function active."""
    return sum(mb / 1024 * SECONDS_PER_MONTH * SNAPSTART_CACHE_PER_GB_SECOND for mb in memory.values())


def snapstart_restores_at_most(run: WorkflowRun, memory: dict[str, int]) -> float:
    """The restores of one run, were every call to a SnapStart function a cold start."""
    return sum(
        memory[i.function] / 1024 * SNAPSTART_RESTORE_PER_GB for i in run.invocations if i.function in memory
    )


def priced(run: WorkflowRun) -> dict[str, float]:
    """Dollars per service for one run."""
    calls = run.calls
    gb_seconds = sum(math.ceil(i.milliseconds) / 1000 * i.memory_mb / 1024 for i in run.invocations)
    s3_tier_1 = sum(n for (service, op), n in calls.calls.items() if service == "s3" and op in S3_TIER_1)
    s3_other = calls.count("s3") - s3_tier_1
    return {
        "Step Functions": run.state_transitions * STEP_FUNCTIONS_PER_TRANSITION,
        "Lambda": len(run.invocations) * LAMBDA_PER_REQUEST + gb_seconds * LAMBDA_PER_GB_SECOND,
        "DynamoDB": calls.dynamodb_write_units * DYNAMODB_PER_WRITE_UNIT
        + calls.dynamodb_read_units * DYNAMODB_PER_READ_UNIT,
        "SES": calls.count("sesv2", "SendEmail") * SES_PER_EMAIL,
        "S3": s3_tier_1 * S3_PER_PUT_COPY_POST_LIST + s3_other * S3_PER_GET_AND_OTHER,
        "KMS": calls.count("kms") * KMS_PER_REQUEST,
        "SNS": calls.count("sns", "Publish") * SNS_PER_PUBLISH,
        "API Gateway": run.api_requests * API_GATEWAY_PER_REQUEST,
    }


def usage(run: WorkflowRun) -> dict[str, Any]:
    return {
        "state_transitions": run.state_transitions,
        "lambda_invocations": len(run.invocations),
        "lambda_gb_seconds": round(
            sum(math.ceil(i.milliseconds) / 1000 * i.memory_mb / 1024 for i in run.invocations), 3
        ),
        "dynamodb_write_units": run.calls.dynamodb_write_units,
        "dynamodb_read_units": run.calls.dynamodb_read_units,
        "emails": run.calls.count("sesv2", "SendEmail"),
        "s3_requests": run.calls.count("s3"),
        "kms_requests": run.calls.count("kms"),
        "states_entered": dict(run.states_entered),
        "records_erased": run.records_erased,
    }


def run(scale: float) -> list[Figure]:
    figures = []
    memory = snapstart_memory()
    runs = measured_runs(scale)
    # SnapStart's restores for one of them: the target's size, else (a small run) the largest.
    restored = next((m for m in runs if m.systems == TARGET_SYSTEMS), runs[-1])
    for measured in runs:
        dollars = priced(measured)
        total = sum(dollars.values())
        is_target = measured.systems == TARGET_SYSTEMS
        figures.append(
            Figure(
                BENCHMARK,
                f"One erasure, {measured.systems} systems ({REGION} list prices, {PRICES_AS_OF})",
                total,
                "USD",
                baseline="a request handled by hand (Gartner)",
                baseline_value=MANUAL_REQUEST,
                target=f"under ${TARGET_DOLLARS} at {TARGET_SYSTEMS} systems" if is_target else None,
                met=total < TARGET_DOLLARS if is_target else None,
                detail={"by_service": dollars, "usage": usage(measured), "status": measured.status},
            )
        )
        figures.append(
            Figure(
                BENCHMARK,
                f"{measured.systems} systems: a request by hand costs this many times as much",
                MANUAL_REQUEST / total,
                "x",
            )
        )
        if measured is restored:
            restores = snapstart_restores_at_most(measured, memory)
            figures.append(
                Figure(
                    BENCHMARK,
                    f"One erasure, {measured.systems} systems: SnapStart restores, every call to a"
                    f" SnapStart function a cold start ({REGION}, {SNAPSTART_PRICES_AS_OF})",
                    restores,
                    "USD",
                    baseline="the same erasure without SnapStart",
                    baseline_value=total,
                    detail={
                        "restores": sum(1 for i in measured.invocations if i.function in memory),
                        "usage": usage(measured),
                        "status": measured.status,
                    },
                )
            )
    cache = snapstart_cache_per_month(memory)
    figures.append(
        Figure(
            BENCHMARK,
            f"SnapStart snapshot cache, {len(memory)} functions, a month"
            f" ({REGION}, {SNAPSTART_PRICES_AS_OF})",
            cache,
            "USD/month",
            detail={"memory_mb": memory, "per_gb_second": SNAPSTART_CACHE_PER_GB_SECOND},
        )
    )
    return figures
