"""The policy evaluation the local cloud enforces roles with: IAM's rules, not regular expressions."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local_cloud.iam import Addressing, RolePolicy, acting_as, carry_role_into_thread_pools, current_role

BUCKET = "arn:aws:s3:::desk.packages"


def role(*statements: dict[str, Any]) -> RolePolicy:
    return RolePolicy("TestRole", "test", [{"Version": "2012-10-17", "Statement": list(statements)}])


def allow(action: Any, resource: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def test_nothing_is_allowed_unless_a_statement_allows_it() -> None:
    assert not role().allows("s3:GetObject", f"{BUCKET}/a")
    assert not role(allow("s3:GetObject", f"{BUCKET}/evidence/*")).allows("s3:GetObject", f"{BUCKET}/parts/a")


def test_a_dot_in_a_resource_is_a_dot_not_any_character() -> None:
    granted = role(allow("s3:GetObject", f"{BUCKET}/*"))
    assert granted.allows("s3:GetObject", f"{BUCKET}/a")
    assert not granted.allows("s3:GetObject", "arn:aws:s3:::deskxpackages/a")


def test_a_question_mark_is_exactly_one_character() -> None:
    granted = role(allow("s3:GetObject", f"{BUCKET}/part?"))
    assert granted.allows("s3:GetObject", f"{BUCKET}/part1")
    assert not granted.allows("s3:GetObject", f"{BUCKET}/part")
    assert not granted.allows("s3:GetObject", f"{BUCKET}/part12")


def test_actions_match_without_regard_to_case_and_resources_with_it() -> None:
    granted = role(allow("S3:getobject", f"{BUCKET}/A*"))
    assert granted.allows("s3:GetObject", f"{BUCKET}/Abc")
    assert not granted.allows("s3:GetObject", f"{BUCKET}/abc")


def test_an_explicit_deny_wins_over_any_allow() -> None:
    granted = role(
        allow("s3:*", f"{BUCKET}/*"),
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": f"{BUCKET}/evidence/*"},
    )
    assert granted.allows("s3:DeleteObject", f"{BUCKET}/parts/a")
    assert not granted.allows("s3:DeleteObject", f"{BUCKET}/evidence/a")


def test_not_action_allows_every_other_action() -> None:
    granted = role({"Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": f"{BUCKET}/*"})
    assert granted.allows("s3:PutObject", f"{BUCKET}/a")
    assert not granted.allows("s3:DeleteObject", f"{BUCKET}/a")


@pytest.mark.parametrize("element", ["NotResource", "Condition"])
def test_what_the_local_cloud_cannot_evaluate_is_refused_not_guessed(element: str) -> None:
    statement = {"Effect": "Deny", "Action": "s3:*", element: {"Bool": {"aws:SecureTransport": "false"}}}
    with pytest.raises(ValueError, match="NotResource or Condition"):
        role(allow("s3:*", "*"), statement)


def test_a_refusal_is_the_services_own_error() -> None:
    with pytest.raises(ClientError) as refused:
        role().check("dynamodb", "PutItem", "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/t")
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert refused.value.operation_name == "PutItem"
    with pytest.raises(ClientError) as s3_refused:
        role().check("s3", "PutObject", "s3:PutObject", f"{BUCKET}/a")
    assert (
        s3_refused.value.response["Error"]["Code"],
        s3_refused.value.response["ResponseMetadata"]["HTTPStatusCode"],
    ) == (
        "AccessDenied",
        403,
    )


def test_what_each_call_addresses() -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/k1"
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:privacy-desk-requests"
    addressing = Addressing(bucket_keys={"desk.packages": key}, state_machine_arns=[machine])
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/requests"

    assert addressing.targets("dynamodb", "Query", {"TableName": "requests", "IndexName": "OpenByDue"}) == [
        ("dynamodb:Query", f"{table}/index/OpenByDue")
    ]
    assert addressing.targets(
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "requests"}},
                {"ConditionCheck": {"TableName": "requests"}},
            ]
        },
    ) == [("dynamodb:PutItem", table), ("dynamodb:ConditionCheckItem", table)]
    assert addressing.targets("s3", "PutObject", {"Bucket": "desk.packages", "Key": "evidence/r/x"}) == [
        ("s3:PutObject", f"{BUCKET}/evidence/r/x"),
        ("kms:GenerateDataKey", key),
    ]
    assert addressing.targets("s3", "HeadObject", {"Bucket": "desk.packages", "Key": "a"}) == [
        ("s3:GetObject", f"{BUCKET}/a")
    ]
    assert addressing.targets("s3", "ListObjectsV2", {"Bucket": "desk.packages"}) == [
        ("s3:ListBucket", BUCKET)
    ]
    assert addressing.targets("ses", "SendEmail", {"FromEmailAddress": "Privacy <privacy@desk.example>"}) == [
        ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/privacy@desk.example")
    ]
    assert addressing.targets("states", "SendTaskSuccess", {"taskToken": "t", "output": "{}"}) == [
        ("states:SendTaskSuccess", machine)
    ]
    assert addressing.targets("kms", "GenerateMac", {"KeyId": "k1"}) == [("kms:GenerateMac", key)]
    assert addressing.targets(
        "sqs", "SendMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/dlq"}
    ) == [("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:dlq")]


def test_work_a_function_hands_to_a_thread_pool_runs_as_the_function() -> None:
    carry_role_into_thread_pools()
    acting = role(allow("s3:GetObject", "*"))
    with ThreadPoolExecutor(max_workers=1) as pool:
        with acting_as(acting):
            inside = pool.submit(current_role).result()
        outside = pool.submit(current_role).result()
    assert inside is acting
    assert outside is None


def test_no_function_code_starts_a_thread_of_its_own() -> None:
    """A thread started by hand would not carry the function's role, and its calls would go
    unchecked; thread pools do carry it (S3's managed transfers use one)."""
    functions = Path(__file__).resolve().parents[2] / "functions"
    starting = [
        str(path.relative_to(functions))
        for path in functions.rglob("*.py")
        if re.search(r"threading\.Thread\(|\bThread\(|_thread\.start_new", path.read_text(encoding="utf-8"))
    ]
    assert starting == []
