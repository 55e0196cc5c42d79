"""A function's first events in a fresh interpreter, as Lambda runs them: import the handler,
then (for an environment resumed from a SnapStart snapshot) run the before-snapshot hooks in the
reverse order of registration and the after-restore hooks in order, then the events. Reports how
long the import and each event took, and what each event imported that was not loaded yet.

The AWS services are moto's, served over HTTP from this process, so that the function's
interpreter imports nothing but the function: the local cloud would load much of the desk
before the handler does, and hide what a first event imports. Used by the SnapStart benchmark
(``benchmarks.snapstart``) and its tests."""

from __future__ import annotations

import json
import logging
import os
import subprocess  # nosec B404
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from local_cloud.template import ACCOUNT_ID, REGION, Template, read_template

CODE_ROOT = Path(__file__).resolve().parents[2] / "functions"
TEMPLATE_PATH = Path(os.environ.get("DSR_TEMPLATE", CODE_ROOT.parent / "template.yaml"))
RESULT_MARK = "first-events:"
PARAMETERS = {
    "PrivacyMailbox": "privacy@desk.example",
    "SenderAddress": "privacy@desk.example",
    "AlertEmail": "privacy-team@desk.example",
    "PublicBaseUrl": "https://privacy.desk.example",
}

CHILD_SCRIPT = f"""
import importlib, json, sys, time
module, attribute, events, arn = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
restored = sys.argv[5] == "restored"
sys.path[:0] = json.loads(sys.argv[6])  # a built artifact's folders, as Lambda's bootstrap puts them

class Context:
    function_name = arn.rsplit(":", 1)[-1]
    function_version = "1"
    invoked_function_arn = arn + ":live"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000001"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "snapshot"
    def get_remaining_time_in_millis(self):
        return 25_000

started = time.perf_counter()
handler = getattr(importlib.import_module(module), attribute)
import_ms = (time.perf_counter() - started) * 1000
import snapshot_restore_py as hooks
if restored:
    for hook, args, kwargs in reversed(hooks.get_before_snapshot()):
        hook(*args, **kwargs)
    for hook, args, kwargs in hooks.get_after_restore():
        hook(*args, **kwargs)

def built_models():
    desk_model = sys.modules.get("dsr.core.desk_model")
    found, waiting = set(), [desk_model.DeskModel] if desk_model else []
    while waiting:
        for model in waiting.pop().__subclasses__():
            waiting.append(model)
            if model.__pydantic_complete__:
                found.add(model.__module__ + "." + model.__qualname__)
    return found

runs = []
for event in events:
    before = set(sys.modules)
    built_before = built_models()
    started = time.perf_counter()
    answer = handler(event, Context())
    runs.append({{
        "ms": (time.perf_counter() - started) * 1000,
        "imported": sorted(set(sys.modules) - before),
        "built": sorted(built_models() - built_before),
        "answer": answer,
    }})
result = {{"hooks": len(hooks.get_before_snapshot()), "import_ms": import_ms, "runs": runs}}
print({RESULT_MARK!r} + json.dumps(result, default=str))
"""


class FirstEventsError(RuntimeError):
    """A function failed in its fresh interpreter (the message ends with what it printed)."""


@dataclass
class FirstEvents:
    hooks: int
    """How many before-snapshot hooks the handler's import registered."""
    import_ms: float
    runs: list[dict[str, Any]]
    """Per event: ``ms``, ``imported`` (modules not loaded before it), ``built`` (the desk's models
    it built, each built on first use) and ``answer``."""


class Services:
    """moto over HTTP, with what template.yaml declares and the functions need."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.template: Template = read_template(TEMPLATE_PATH, PARAMETERS)
        self.refs: dict[str, str] = {}

    def client(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106  # nosec B106 - moto's, not a secret
        )

    def create(self) -> None:
        kms = self.client("kms")
        for logical_id, resource in self.template.of_type("AWS::KMS::Key").items():
            props = resource.get("Properties", {})
            key = kms.create_key(
                KeySpec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
                KeyUsage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            )["KeyMetadata"]
            self.refs[logical_id] = key["KeyId"]
        dynamodb = self.client("dynamodb")
        for logical_id, resource in self.template.of_type("AWS::DynamoDB::Table").items():
            props = resource["Properties"]
            extra = (
                {"GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"]}
                if "GlobalSecondaryIndexes" in props
                else {}
            )
            dynamodb.create_table(
                TableName=self.template.physical_name(logical_id),
                AttributeDefinitions=props["AttributeDefinitions"],
                KeySchema=props["KeySchema"],
                BillingMode="PAY_PER_REQUEST",
                **extra,
            )
        for logical_id in self.template.of_type("AWS::S3::Bucket"):
            self.client("s3").create_bucket(Bucket=self.template.physical_name(logical_id))
        for logical_id in self.template.of_type("AWS::SNS::Topic"):
            self.client("sns").create_topic(Name=self.template.physical_name(logical_id))
        self.client("ses").verify_email_identity(EmailAddress=PARAMETERS["SenderAddress"])
        self.client("stepfunctions").create_state_machine(
            name=self.template.physical_name("RequestWorkflow"),
            definition=self.template.state_machine_definition("RequestWorkflow", self.refs),
            roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/RequestWorkflowRole",
        )

    def environment(self, logical_id: str) -> dict[str, str]:
        """The function's variables from template.yaml, and Lambda's own, with AWS at moto."""
        spec = self.template.functions(self.refs)[logical_id]
        name = self.template.physical_name(logical_id)
        return {
            **spec.environment,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # nosec B105 - moto's, not a secret
            "AWS_SESSION_TOKEN": "testing",  # nosec B105
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "1",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            # Tracing is on, as deployed; the segments go nowhere (UDP, no daemon listening).
            "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
            "TZ": ":UTC",
            "PATH": os.environ.get("PATH", os.defpath),
        }

    def first_events(
        self,
        logical_id: str,
        events: list[Any],
        *,
        restored: bool = True,
        folders: Sequence[str] = (),
    ) -> FirstEvents:
        """The function's ``events`` in a fresh interpreter: resumed from its snapshot (the hooks
        run before the first), or, ``restored=False``, a cold start without SnapStart. Given the
        ``folders`` of a built artifact (the function's, the layer's, the runtime's SDK), the
        interpreter is a ``python -I -S -B`` that sees those alone, as in Lambda; otherwise it
        imports from the development environment."""
        isolated = ["-I", "-S", "-B"] if folders else []
        environment = self.environment(logical_id)
        if folders:
            environment["LAMBDA_TASK_ROOT"] = folders[0]
        spec = self.template.functions(self.refs)[logical_id]
        module, _, attribute = spec.handler.rpartition(".")
        # This very interpreter, on a fixed script; the module and attribute come from template.yaml.
        finished = subprocess.run(  # noqa: S603  # nosec B603
            [sys.executable, *isolated, "-c", CHILD_SCRIPT, module, attribute, json.dumps(events),
             self.template.arn(logical_id), "restored" if restored else "on-demand",
             json.dumps(list(folders))],
            cwd=folders[0] if folders else CODE_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )  # fmt: skip
        results = [line for line in finished.stdout.splitlines() if line.startswith(RESULT_MARK)]
        if finished.returncode != 0 or not results:
            raise FirstEventsError(
                f"{logical_id} failed (exit {finished.returncode}):\n{finished.stderr[-3000:]}"
            )
        document = json.loads(results[-1].removeprefix(RESULT_MARK))
        return FirstEvents(hooks=document["hooks"], import_ms=document["import_ms"], runs=document["runs"])


@contextmanager
def moto_over_http() -> Iterator[Services]:
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - only when a benchmark or test serves moto

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the server logs every call
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        services = Services(f"http://{host}:{port}")
        # moto keeps its services' state per process, shared by every server and mock in it.
        reset = urllib.request.Request(f"{services.endpoint}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(reset, timeout=30):  # noqa: S310  # nosec B310 - the server above
            pass
        services.create()
        yield services
    finally:
        server.stop()


def api_event(
    method: str,
    resource: str,
    path: str,
    body: Any = None,
    *,
    claims: dict[str, str] | None = None,
    source_ip: str = "198.51.100.23",
) -> dict[str, Any]:
    """An API Gateway proxy event, as the REST API delivers it."""
    params = dict(zip(
        [part[1:-1] for part in resource.split("/") if part.startswith("{")],
        [p for r, p in zip(resource.split("/"), path.split("/"), strict=True) if r.startswith("{")],
        strict=True,
    ))  # fmt: skip
    headers = {"host": "privacy.desk.example", "user-agent": "test", "x-forwarded-for": source_ip}
    if body is not None:
        headers["content-type"] = "application/json"
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": params or None,
        "stageVariables": None,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "accountId": ACCOUNT_ID,
            "apiId": "snapshot",
            "identity": {"sourceIp": source_ip, "userAgent": "test"},
            "authorizer": {"claims": claims} if claims else None,
        },
    }
