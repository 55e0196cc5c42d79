"""Each function's own permissions, enforced: the roles the SAM translator generates from
template.yaml, and every AWS call a function makes checked against its role, as AWS would.

The roles are read from the CloudFormation that aws-sam-translator makes of the template (the
policy templates expanded as in a deployment), their intrinsics resolved to the local cloud's
names. A call is attributed to the function whose handler is running (``acting_as``, set by the
Lambda bridge); calls outside any function (the local cloud's own set-up, tests looking at the
result) are the account owner's and go unchecked. The state machine's Lambda tasks are checked
against the state machine's own role.

The evaluator is moto's (``moto.iam.access_control``): an explicit Deny wins, then any Allow,
otherwise the call is refused. Moto matches patterns as regular expressions without escaping them
and actions case-sensitively, and reads no ``NotResource``; ``_Statement`` matches as IAM does
(``*`` and ``?`` wildcards, everything else literal, actions without regard to case), and a role
with a ``NotResource`` or a ``Condition`` is refused when the cloud starts rather than evaluated
wrongly."""

from __future__ import annotations

import contextvars
import copy
import functools
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.exceptions import ClientError
from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult

from local_cloud.template import ACCOUNT_ID, REGION, Template

# The AWS managed policies SAM attaches to every function (logs, and X-Ray for Tracing: Active):
# AWS publishes their documents; the desk's code calls neither service itself (Lambda's runtime
# writes the logs, and the local cloud runs no X-Ray daemon), so they are read as AWS has them.
MANAGED_POLICIES: dict[str, dict[str, Any]] = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            }
        ],
    },
    # What SAM attaches to a function with a DynamoDB stream event: reading streams (the event
    # source mapping reads with the function's role) and logs.
    "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                "Resource": "*",
            }
        ],
    },
    # What SAM attaches to a function with a VpcConfig (the database's subnets): its network
    # interfaces, and logs.
    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                "Resource": "*",
            }
        ],
    },
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ],
                "Resource": "*",
            }
        ],
    },
}

_acting_as: contextvars.ContextVar[RolePolicy | None] = contextvars.ContextVar("acting_as", default=None)


@contextmanager
def acting_as(role: RolePolicy | None) -> Iterator[None]:
    """Every AWS call made meanwhile (on this thread) is checked against ``role``."""
    token = _acting_as.set(role)
    try:
        yield
    finally:
        _acting_as.reset(token)


def current_role() -> RolePolicy | None:
    return _acting_as.get()


def carry_role_into_thread_pools() -> None:
    """A function's work handed to a thread pool is still the function's: S3's managed transfers
    (``upload_fileobj``) make their calls on the transfer's own threads. A task submitted while a
    role is acting runs as that role. (Threads started by hand would not: no handler starts one.)"""
    submit = ThreadPoolExecutor.submit
    if getattr(submit, "carries_role", False):
        return

    def submit_as_caller(pool: ThreadPoolExecutor, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        role = _acting_as.get()
        if role is None:
            return submit(pool, fn, *args, **kwargs)

        def run_as_role() -> Any:
            with acting_as(role):
                return fn(*args, **kwargs)

        return submit(pool, run_as_role)

    submit_as_caller.carries_role = True  # type: ignore[attr-defined]
    ThreadPoolExecutor.submit = submit_as_caller  # type: ignore[method-assign,assignment]


class _Statement(IAMPolicyStatement):
    """Moto's statement evaluation, with IAM's pattern matching."""

    def _check_element_matches(self, statement_element: Any, value: str) -> bool:
        patterns = self._statement[statement_element]
        patterns = patterns if isinstance(patterns, list) else [patterns]
        ignore_case = statement_element in {"Action", "NotAction"}
        return any(_pattern(str(pattern), ignore_case).match(value) for pattern in patterns)


@functools.lru_cache(maxsize=4096)
def _pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM's wildcards: ``*`` any run of characters, ``?`` any one; nothing else is special."""
    translated = "".join({"*": ".*", "?": "."}.get(char, re.escape(char)) for char in pattern)
    return re.compile(f"^{translated}$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


class _Policy(IAMPolicy):
    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__(json.dumps(document))
        statements = self._policy_json["Statement"]
        self.statements = [
            _Statement(s) for s in (statements if isinstance(statements, list) else [statements])
        ]

    def is_action_permitted(
        self,
        action: str,
        resource: str = "*",
        principal: str | None = None,
        incoming_condition_values: dict[str, str] | None = None,
    ) -> PermissionResult:
        permitted = False
        for statement in self.statements:
            result = statement.is_action_permitted(action, resource)
            if result == PermissionResult.DENIED:
                return result
            permitted = permitted or result == PermissionResult.PERMITTED
        return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


@dataclass
class RolePolicy:
    """One role: its name (for the messages AWS gives) and its policies, evaluated together."""

    role_name: str
    session_name: str
    documents: list[dict[str, Any]]

    def __post_init__(self) -> None:
        for document in self.documents:
            text = json.dumps(document)
            if '"NotResource"' in text or '"Condition"' in text:
                raise ValueError(
                    f"{self.role_name}: the local cloud does not evaluate NotResource or Condition"
                )
        self._policies = [_Policy(document) for document in self.documents]
        self._decisions: dict[tuple[str, str], bool] = {}

    @property
    def principal(self) -> str:
        return f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{self.role_name}/{self.session_name}"

    def allows(self, action: str, resource: str) -> bool:
        decided = self._decisions.get((action, resource))
        if decided is None:
            results = [policy.is_action_permitted(action, resource) for policy in self._policies]
            decided = PermissionResult.DENIED not in results and PermissionResult.PERMITTED in results
            if len(self._decisions) < 10_000:
                self._decisions[(action, resource)] = decided
        return decided

    def check(self, service: str, operation: str, action: str, resource: str) -> None:
        """Raise the error AWS gives when the role may not ``action`` on ``resource``."""
        if self.allows(action, resource):
            return
        code, status = _DENIAL.get(service, ("AccessDeniedException", 400))
        message = (
            f"User: {self.principal} is not authorized to perform: {action} on resource: {resource}"
            f" because no identity-based policy allows the {action} action"
        )
        error: Any = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        raise ClientError(error, operation)


# How each service reports a refused call (the code and HTTP status its API returns).
_DENIAL = {
    "s3": ("AccessDenied", 403),
    "ses": ("AccessDenied", 403),
    "sqs": ("AccessDenied", 403),
    "sns": ("AuthorizationError", 403),
}


def translated_template(template: Template) -> dict[str, Any]:
    """The CloudFormation aws-sam-translator makes of template.yaml, as ``sam deploy`` would.
    Code locations are what ``sam package`` makes of them (S3 addresses): the roles do not
    depend on them. Parameters stay intrinsics here, resolved with the roles' other references
    (``Template.resolve``), so one translation serves every local cloud of the same template."""
    return copy.deepcopy(_translated(json.dumps(template.document, sort_keys=True)))


@functools.lru_cache(maxsize=8)
def _translated(document_json: str) -> dict[str, Any]:
    from samtranslator.parser.parser import Parser  # noqa: PLC0415 - slow, needed at start only
    from samtranslator.translator.translator import Translator  # noqa: PLC0415

    document = json.loads(document_json)
    globals_function = document.get("Globals", {}).get("Function", {})
    if isinstance(globals_function.get("CodeUri"), str):
        globals_function["CodeUri"] = "s3://local-artifacts/code.zip"
    for resource in document["Resources"].values():
        props = resource.get("Properties", {})
        for location in ("CodeUri", "ContentUri", "DefinitionUri"):
            if isinstance(props.get(location), str) and not props[location].startswith("s3://"):
                props[location] = f"s3://local-artifacts/{props[location]}"
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=REGION))
    translated: dict[str, Any] = translator.translate(
        document,
        parameter_values={},
        get_managed_policy_map=lambda: {},
    )
    return translated


def roles_from_template(template: Template, refs: dict[str, str]) -> dict[str, RolePolicy]:
    """Each function's and state machine's role, by the logical id of what it runs for."""
    translated = translated_template(template)
    resources = translated["Resources"]
    roles = {}
    for logical_id, resource in template.resources.items():
        if resource["Type"] not in {"AWS::Serverless::Function", "AWS::Serverless::StateMachine"}:
            continue
        role_id = f"{logical_id}Role"
        if role_id not in resources:
            raise ValueError(f"{logical_id}: the translated template has no role {role_id}")
        props = resources[role_id]["Properties"]
        documents = [template.resolve(p["PolicyDocument"], refs) for p in props.get("Policies", [])]
        for arn in props.get("ManagedPolicyArns", []):
            resolved = str(template.resolve(arn, refs))
            if resolved not in MANAGED_POLICIES:
                raise ValueError(f"{logical_id}: the local cloud does not know the managed policy {resolved}")
            documents.append(MANAGED_POLICIES[resolved])
        roles[logical_id] = RolePolicy(
            role_name=f"{template.physical_name(logical_id)}Role",
            session_name=template.physical_name(logical_id),
            documents=documents,
        )
    return roles


# --- what a call addresses ------------------------------------------------------------------------

_PREFIX = f"{REGION}:{ACCOUNT_ID}"

# S3 operations whose IAM action is named otherwise (the Service Authorization Reference).
_S3_ACTIONS = {
    "HeadObject": "GetObject",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "HeadBucket": "ListBucket",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "AbortMultipartUpload": "AbortMultipartUpload",
    "DeleteObjects": "DeleteObject",
    "CopyObject": "PutObject",
}

_DYNAMODB_TRANSACT = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


@dataclass
class Addressing:
    """What the local cloud knows beyond a call's own parameters: which key encrypts each bucket
    by default (an SSE-KMS object needs the caller's permission on its key) and the state
    machine's ARN (a task token names no resource of its own)."""

    bucket_keys: dict[str, str]
    state_machine_arns: list[str]

    def targets(self, prefix: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        """The (IAM action, resource ARN) pairs a call must be allowed."""
        handler = getattr(self, f"_{prefix.replace('-', '_')}", None)
        if handler is None:
            return [(f"{prefix}:{operation}", "*")]
        found: list[tuple[str, str]] = handler(operation, params)
        return found

    def _dynamodb(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        def table(name: str, index: str | None = None) -> str:
            arn = name if name.startswith("arn:") else f"arn:aws:dynamodb:{_PREFIX}:table/{name}"
            return f"{arn}/index/{index}" if index else arn

        if operation == "TransactWriteItems":
            return [
                (f"dynamodb:{_DYNAMODB_TRANSACT[kind]}", table(body["TableName"]))
                for item in params.get("TransactItems", [])
                for kind, body in item.items()
            ]
        if operation == "TransactGetItems":
            return [
                ("dynamodb:GetItem", table(item["Get"]["TableName"]))
                for item in params.get("TransactItems", [])
            ]
        if operation in {"BatchGetItem", "BatchWriteItem"}:
            return [(f"dynamodb:{operation}", table(name)) for name in params.get("RequestItems", {})]
        if "StreamArn" in params or "ShardIterator" in params:
            return [(f"dynamodb:{operation}", _stream_of(params))]
        if "TableName" in params:
            return [(f"dynamodb:{operation}", table(params["TableName"], params.get("IndexName")))]
        return [(f"dynamodb:{operation}", "*")]

    def _s3(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        bucket = params.get("Bucket")
        if bucket is None:
            return [(f"s3:{operation}", "*")]
        action = _S3_ACTIONS.get(operation, operation)
        if params.get("VersionId") and action in {"GetObject", "DeleteObject"}:
            action = f"{action}Version"
        if operation == "DeleteObjects":
            # Each object a version id names is a DeleteObjectVersion, as S3 checks it.
            return [
                (
                    f"s3:{'DeleteObjectVersion' if o.get('VersionId') else 'DeleteObject'}",
                    f"arn:aws:s3:::{bucket}/{o['Key']}",
                )
                for o in params.get("Delete", {}).get("Objects", [])
            ] or [("s3:DeleteObject", f"arn:aws:s3:::{bucket}")]
        if "Key" not in params:
            return [(f"s3:{action}", f"arn:aws:s3:::{bucket}")]
        targets = [(f"s3:{action}", f"arn:aws:s3:::{bucket}/{params['Key']}")]
        if operation == "CopyObject":
            source = params["CopySource"]
            source_bucket, source_key = (
                (source["Bucket"], source["Key"])
                if isinstance(source, dict)
                else source.lstrip("/").split("/", 1)
            )
            targets.append(("s3:GetObject", f"arn:aws:s3:::{source_bucket}/{source_key}"))
            targets.extend(self._key_use("GetObject", source_bucket))
        targets.extend(self._key_use(operation, bucket))
        return targets

    def _key_use(self, operation: str, bucket: str) -> list[tuple[str, str]]:
        """An object encrypted with the bucket's KMS key: writing it takes a data key, reading it
        decrypts one, both with the caller's own permissions on the key (a HEAD reads neither)."""
        key = self.bucket_keys.get(bucket)
        if key is None:
            return []
        if operation in {"PutObject", "CreateMultipartUpload", "CopyObject"}:
            return [("kms:GenerateDataKey", key)]
        if operation in {"GetObject", "CompleteMultipartUpload"}:
            return [("kms:Decrypt", key)]
        return []

    def _ses(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        sender = params.get("FromEmailAddress") or params.get("Source")
        if not sender:
            return [(f"ses:{operation}", "*")]
        address = parseaddr(str(sender))[1]
        return [(f"ses:{operation}", f"arn:aws:ses:{_PREFIX}:identity/{address}")]

    def _states(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        if "stateMachineArn" in params:
            return [(f"states:{operation}", params["stateMachineArn"])]
        if "executionArn" in params:
            return [(f"states:{operation}", params["executionArn"])]
        if "taskToken" in params:
            return [(f"states:{operation}", arn) for arn in self.state_machine_arns]
        return [(f"states:{operation}", "*")]

    def _secretsmanager(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        # A secret's ARN ends in a random suffix AWS adds to its name; policies name a prefix.
        named = params.get("SecretId")
        if not isinstance(named, str):
            return [(f"secretsmanager:{operation}", "*")]
        if named.startswith("arn:"):
            return [(f"secretsmanager:{operation}", named)]
        return [(f"secretsmanager:{operation}", f"arn:aws:secretsmanager:{_PREFIX}:secret:{named}-AbCdEf")]

    def _sns(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        return [(f"sns:{operation}", params.get("TopicArn") or params.get("TargetArn") or "*")]

    def _sqs(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        if "QueueUrl" in params:
            account, name = urlparse(params["QueueUrl"]).path.strip("/").split("/")[-2:]
            return [(f"sqs:{operation}", f"arn:aws:sqs:{REGION}:{account}:{name}")]
        if "QueueName" in params:
            return [(f"sqs:{operation}", f"arn:aws:sqs:{_PREFIX}:{params['QueueName']}")]
        return [(f"sqs:{operation}", "*")]

    def _kms(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        key = str(params.get("KeyId", "*"))
        if key != "*" and not key.startswith("arn:"):
            key = (
                f"arn:aws:kms:{_PREFIX}:{key}"
                if key.startswith("alias/")
                else f"arn:aws:kms:{_PREFIX}:key/{key}"
            )
        return [(f"kms:{operation}", key)]

    def _lambda(self, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
        action = "lambda:InvokeFunction" if operation == "Invoke" else f"lambda:{operation}"
        name = str(params.get("FunctionName", "*"))
        if name != "*" and not name.startswith("arn:"):
            name = f"arn:aws:lambda:{_PREFIX}:function:{name}"
        qualifier = params.get("Qualifier")
        return [(action, f"{name}:{qualifier}" if qualifier else name)]


def _stream_of(params: dict[str, Any]) -> str:
    """The stream a streams call reads: named, or at the start of moto's shard iterators."""
    if "StreamArn" in params:
        return str(params["StreamArn"])
    stream = str(params["ShardIterator"]).split("|", 1)[0]
    return stream if stream.startswith("arn:") else "*"


class Enforcement:
    """The botocore hook that checks each call against the role of the function making it."""

    def __init__(self, roles: dict[str, RolePolicy], addressing: Addressing) -> None:
        self.roles = roles
        self.addressing = addressing

    def on_before_parameter_build(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        role = _acting_as.get()
        if role is None:
            return
        prefix = model.service_model.signing_name
        for action, resource in self.addressing.targets(prefix, model.name, params):
            role.check(prefix, model.name, action, resource)
