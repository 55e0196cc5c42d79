"""Cost per request: what one erasure costs in AWS with 5, 20 and 50 planned systems, from what
real runs on the local cloud did (``benchmarks.workflow_runs``), priced at AWS list prices.

Prices: US East (N. Virginia), on-demand list prices as published by AWS in 2025 (DynamoDB
on-demand after its November 2024 reduction). Free tiers are left out, and so are the processors'
and vendors' own charges, CloudWatch logs and the sweeper's runs (shared by every request).
"""

from __future__ import annotations

import math
from typing import Any

from benchmarks.figures import Figure
from benchmarks.workflow_runs import WorkflowRun, measured_runs

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
    for measured in measured_runs(scale):
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
    return figures
