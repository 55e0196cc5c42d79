"""Builds the application in template.yaml inside moto and runs it on this machine."""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from dsr.core import catalogs
from dsr.core.languages import ENGLISH, shipped_language
from local_cloud import database as local_database
from local_cloud import hosted_sign_in
from local_cloud.bucket_owners import BucketOwnerCheck
from local_cloud.clock import use_local_clock, use_wall_clock
from local_cloud.demo_data import processor_holdings
from local_cloud.drp_agent import DemoDrpAgent
from local_cloud.faults import FaultSwitch
from local_cloud.iam import (
    Addressing,
    Enforcement,
    RolePolicy,
    carry_role_into_thread_pools,
    roles_from_template,
)
from local_cloud.lambda_bridge import LambdaBridge, StateMachineLambda
from local_cloud.opendsr_processor import DemoOpenDsrProcessor, SigningKey, generate_identity
from local_cloud.product_login import PRODUCT_SIGN_IN_PATH, DemoProductLogin
from local_cloud.saas_standins import SaasStandIn
from local_cloud.saas_standins.running import (
    create_secrets,
    stand_in_parameters,
    start_stand_ins,
    stop_stand_ins,
)
from local_cloud.streams import StreamDelivery, stream_sources
from local_cloud.template import ACCOUNT_ID, REGION, Template, load_template, read_template

REPOSITORY = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = Path(os.environ.get("DSR_TEMPLATE", REPOSITORY / "template.yaml"))

LOCAL_PARAMETERS = {
    "PrivacyMailbox": "privacy@desk.example",
    "SenderAddress": "privacy@desk.example",
    "AlertEmail": "privacy-team@desk.example",
    "DrpBusinessId": "PRIVACY_DESK_DEMO",
}

# template.yaml's parameter for the database secret's ARN, given the secret the local cloud makes.
DATABASE_SECRET_PARAMETER = "CrmDatabaseSecretArn"  # noqa: S105  # nosec B105 - a parameter's name
DATABASE_SECRET_READ = "before-parameter-build.secrets-manager.GetSecretValue"  # noqa: S105  # nosec B105 - an event

# template.yaml parameter -> the demonstration processor that plays it (see systems.yaml).
STOP_WAIT_SECONDS = 30.0
"""How long a stopping cloud lets the functions under way finish (a Lambda's own timeout is longer,
but no function of the desk runs this long on the local cloud)."""
DEMO_PROCESSORS = {"PaymentsOpenDsrUrl": "payments.example", "EmailProviderOpenDsrUrl": "mail.example"}

# What runs differently on one machine: no X-Ray daemon and no CloudWatch to send metrics to.
LOCAL_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "local",
    # moto's stand-in, not a credential
    "AWS_SECRET_ACCESS_KEY": "local",  # nosec B105
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
    # Staff sign in to the console as the demonstration staff, on the local cloud's stand-in for
    # the user pool's hosted page (local_cloud.hosted_sign_in), with tokens the local cloud signs.
    "STAFF_SIGN_IN": "local",
    # The demonstration agent listens on this machine: its status callbacks go over plain http.
    "DRP_LOCAL_CALLBACKS": "true",
}


def start_demo_processors() -> dict[str, DemoOpenDsrProcessor]:
    """The demonstration subprocessors, started (their certificates outlive any clock moves),
    each holding the demonstration people's records that demo_data gives it."""
    return {
        domain: DemoOpenDsrProcessor(
            domain, holdings=processor_holdings(domain), identity=_demo_processor_identity(domain)
        ).start()
        for domain in DEMO_PROCESSORS.values()
    }


@functools.cache
def _demo_processor_identity(domain: str) -> tuple[SigningKey, bytes]:
    """A demonstration processor's key and certificate, made once in a process: an RSA key takes a
    tenth of a second or more to generate, and each local cloud (one per test) starts both."""
    return generate_identity(domain, "rsa", datetime.now(UTC), timedelta(days=3650))


CODE_LINES = {
    "verification code": "Your verification code is %(code)s",
    "download code": "Your download code is %(code)s",
}
"""The line of each kind of email that gives a code, as the catalogs hold it (the English text)."""


def code_in(body: str, language: str | None, kind: str = "verification code") -> str | None:
    """The 6-digit code an email of ``kind`` gives, read by its line in the email's language
    (its Content-Language, English when it has none); None if the email is of another kind."""
    shipped = shipped_language([language or ENGLISH]) or ENGLISH
    said = re.escape(catalogs.gettext(shipped, CODE_LINES[kind], code="CODE")).replace("CODE", r"(\d{6})")
    found = re.search(said, body)
    return found.group(1) if found else None


@dataclass(frozen=True)
class SentMail:
    message_id: str
    to: list[str]
    subject: str
    body: str
    request_id: str | None
    language: str | None = None
    """The message's Content-Language (``de``, ``fr-CA``); None if it has none."""
    html: str | None = None
    """Its text/html part, sent beside the plain text read into ``body``; None if it has none."""
    attachments: list[str] = field(default_factory=list)
    """The file names of what is attached to it (a deletion certificate's PDF)."""


def create_keys(template: Template) -> dict[str, str]:
    """The KMS keys template.yaml declares, in moto: each one's id by its logical id."""
    kms = boto3.client("kms")
    ids = {}
    for logical_id, resource in template.of_type("AWS::KMS::Key").items():
        props = resource.get("Properties", {})
        key = kms.create_key(
            Description=props.get("Description", logical_id),
            KeySpec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
            KeyUsage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
        )["KeyMetadata"]
        ids[logical_id] = key["KeyId"]
    return ids


def create_tables(template: Template) -> dict[str, str]:
    """The DynamoDB tables template.yaml declares, with their indexes, streams and time to live, in
    moto: the ARN of each table's stream, by the table's logical id."""
    dynamodb = boto3.client("dynamodb")
    streams = {}
    for logical_id, resource in template.of_type("AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        name = template.physical_name(logical_id)
        kwargs: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        description = dynamodb.create_table(**kwargs)["TableDescription"]
        if "LatestStreamArn" in description:
            streams[logical_id] = description["LatestStreamArn"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    return streams


def create_buckets(template: Template) -> None:
    s3 = boto3.client("s3")
    for logical_id in template.of_type("AWS::S3::Bucket"):
        s3.create_bucket(Bucket=template.physical_name(logical_id))


class LocalCloud:
    def __init__(
        self,
        base_url: str,
        template_path: Path = TEMPLATE_PATH,
        processors: dict[str, DemoOpenDsrProcessor] | None = None,
    ) -> None:
        self.base_url = base_url
        self.product_login = DemoProductLogin()
        # The subprocessors in the demonstration registry, each on its own loopback port.
        self.processors = processors if processors is not None else start_demo_processors()
        # The SaaS tools' stand-ins, each on its own loopback port (local_cloud.saas_standins).
        self.saas: dict[str, SaasStandIn] = start_stand_ins()
        self.template: Template = read_template(
            template_path,
            {
                **LOCAL_PARAMETERS,
                "PublicBaseUrl": base_url,
                "ProductLoginUrl": f"{base_url}{PRODUCT_SIGN_IN_PATH}",
                "ProductLoginPublicKey": self.product_login.public_key_b64,
                **{
                    parameter: self.processors[domain].base_url
                    for parameter, domain in DEMO_PROCESSORS.items()
                },
                **stand_in_parameters(load_template(template_path), self.saas),
            },
        )
        # The demonstration authorized agent (Data Rights Protocol), registered with the desk at start.
        self.drp_agent = DemoDrpAgent(base_url, self.template.parameters["DrpBusinessId"])
        self._mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        self._refs: dict[str, str] = {}
        self.bridge: LambdaBridge | None = None
        self.enforcement: Enforcement | None = None
        self.faults = FaultSwitch()
        self.bucket_owners = BucketOwnerCheck(ACCOUNT_ID)
        self.state_machine_arn = ""
        self._lock = threading.Lock()
        self._reported_executions: set[str] = set()
        self.stream_arns: dict[str, str] = {}
        self.streams: StreamDelivery | None = None
        self.database = ""
        """This local cloud's PostgreSQL database (local_cloud.database), named at start."""
        self._database_made = False
        self._database_lock = threading.Lock()
        # The process environment's values before this cloud set its own (None: it had none).
        self._environment_before: dict[str, str | None] = {}

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> LocalCloud:
        self._set_environment(LOCAL_ENVIRONMENT)
        self._set_environment(self.s3_environment())
        _make_dynamodb_writes_atomic()
        _build_each_condition_expression_alone()
        _parse_each_json_path_once()
        _parse_each_definition_once()
        make_kms_key_pairs_on_first_use()
        self._mock.start()
        boto3.setup_default_session(region_name=REGION)
        _share_service_models(boto3.DEFAULT_SESSION)
        self._create_keys()
        self._create_tables()
        self._create_buckets()
        self._create_queues_and_topics()
        create_secrets(self.saas)
        self._verify_sender()
        self._create_database()
        functions = self.template.functions(self._refs)
        self._set_function_environment(functions)
        arns = {name: self.template.arn(name) for name in functions}
        roles = roles_from_template(self.template, self._refs)
        self.bridge = LambdaBridge(functions, arns, roles)
        # Every call a function makes is checked against its own role, as in AWS.
        self.enforcement = Enforcement(roles, self._addressing())
        carry_role_into_thread_pools()
        session_events = boto3.DEFAULT_SESSION.events  # type: ignore[union-attr]
        session_events.register("before-parameter-build", self.enforcement.on_before_parameter_build)
        boto3.DEFAULT_SESSION.events.register("before-send.lambda.Invoke", self.bridge.on_before_send)  # type: ignore[union-attr,arg-type]
        # Every client made from here on consults the fault switch (tests and demonstrations).
        boto3.DEFAULT_SESSION.events.register("before-call", self.faults.on_before_call)  # type: ignore[union-attr,arg-type]
        # ... and S3's check of the owner a call names (moto does not make it).
        events = boto3.DEFAULT_SESSION.events  # type: ignore[union-attr]
        events.register("before-parameter-build.s3", self.bucket_owners.on_before_parameter_build)
        events.register("before-call.s3", self.bucket_owners.on_before_call)  # type: ignore[arg-type]
        workflow_roles = [roles[name] for name in self.template.of_type("AWS::Serverless::StateMachine")]
        _state_machine_lambda_clients.reuse(
            self.bridge, workflow_roles[0] if workflow_roles else None
        )  # made from here on, so they carry the hooks above
        self._create_state_machines()
        # The tables' streams, read and delivered to their functions as Lambda's event source
        # mappings do, from here on (after the last of the set-up writes above).
        self.streams = StreamDelivery(
            stream_sources(self.template, self._refs), self.stream_arns, self.invoke, roles, arns
        ).open()
        from dsr.wiring.desk import desk_from_environment  # noqa: PLC0415 - after the environment is set

        use_local_clock()  # the desks made from here on read a clock demonstrations can move
        desk_from_environment.cache_clear()
        from dsr.agents.directory import register_agent  # noqa: PLC0415 - after the environment is set

        register_agent(desk_from_environment(), self.drp_agent.directory_entry())
        self.streams.start()
        return self

    def stop(self) -> None:
        # The functions under way finish first and no new ones start: a workflow step still
        # running once the cloud's services are gone would reach for AWS itself.
        if self.bridge is not None:
            self.bridge.close(wait_seconds=STOP_WAIT_SECONDS)
        if self.streams is not None:
            self.streams.stop()
        for processor in self.processors.values():
            processor.stop()
        stop_stand_ins(self.saas)
        if self.bridge is not None:
            boto3.DEFAULT_SESSION.events.unregister("before-send.lambda.Invoke", self.bridge.on_before_send)  # type: ignore[union-attr,arg-type]
        if self.enforcement is not None:
            boto3.DEFAULT_SESSION.events.unregister(  # type: ignore[union-attr]
                "before-parameter-build", self.enforcement.on_before_parameter_build
            )
        boto3.DEFAULT_SESSION.events.unregister("before-call", self.faults.on_before_call)  # type: ignore[union-attr,arg-type]
        events = boto3.DEFAULT_SESSION.events  # type: ignore[union-attr]
        events.unregister("before-parameter-build.s3", self.bucket_owners.on_before_parameter_build)
        events.unregister("before-call.s3", self.bucket_owners.on_before_call)  # type: ignore[arg-type]
        _state_machine_lambda_clients.forget()
        use_wall_clock()
        self._drop_database()
        self._mock.stop()
        self._restore_environment()

    def _set_environment(self, values: dict[str, str]) -> None:
        """Set ``values`` in the process environment, which the functions read, remembering what
        each name held before: a stopped cloud leaves the process as it found it (a command run
        after it must not find the cloud's secret ARNs and reach for AWS)."""
        for name, value in values.items():
            self._environment_before.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def _restore_environment(self) -> None:
        for name, before in self._environment_before.items():
            if before is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = before
        self._environment_before.clear()

    def _addressing(self) -> Addressing:
        """The buckets' default KMS keys and the state machines, for what calls address."""
        bucket_keys = {}
        for logical_id, resource in self.template.of_type("AWS::S3::Bucket").items():
            rules = (
                resource.get("Properties", {})
                .get("BucketEncryption", {})
                .get("ServerSideEncryptionConfiguration", [])
            )
            for rule in rules:
                default = rule.get("ServerSideEncryptionByDefault", {})
                if default.get("SSEAlgorithm") == "aws:kms" and "KMSMasterKeyID" in default:
                    key = str(self.template.resolve(default["KMSMasterKeyID"], self._refs))
                    arn = key if key.startswith("arn:") else f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/{key}"
                    bucket_keys[self.template.physical_name(logical_id)] = arn
        machines = [
            self.template.arn(name) for name in self.template.of_type("AWS::Serverless::StateMachine")
        ]
        return Addressing(bucket_keys=bucket_keys, state_machine_arns=machines)

    def add_policies(self, function: str, policies: list[Any]) -> None:
        """Deploy ``function`` with these SAM policies beside its own (a benchmark's registry of
        stores template.yaml does not list): its role is translated again and enforced from now on."""
        if self.bridge is None:
            raise RuntimeError("the local cloud is not started")
        document = copy.deepcopy(self.template.document)
        document["Resources"][function]["Properties"].setdefault("Policies", []).extend(policies)
        widened = Template(path=self.template.path, document=document, parameters=self.template.parameters)
        self.bridge.roles[function] = roles_from_template(widened, self._refs)[function]

    def s3_environment(self) -> dict[str, str]:
        """S3 at the local cloud's own address, as every S3 client made from here on sees it: the
        desk presigns links as in AWS and they open in a browser (local_cloud.s3_links answers
        them); moto serves the clients' calls in-process, as it does for AWS's own addresses."""
        return {"AWS_ENDPOINT_URL_S3": self.base_url, "MOTO_S3_CUSTOM_ENDPOINTS": self.base_url}

    # --- building what template.yaml declares ---------------------------------------------------

    def _create_keys(self) -> None:
        self._refs.update(create_keys(self.template))

    def _create_tables(self) -> None:
        self.stream_arns = create_tables(self.template)

    def _create_buckets(self) -> None:
        create_buckets(self.template)

    def _create_queues_and_topics(self) -> None:
        sqs, sns = boto3.client("sqs"), boto3.client("sns")
        for logical_id in self.template.of_type("AWS::SQS::Queue"):
            sqs.create_queue(QueueName=self.template.physical_name(logical_id))
        for logical_id in self.template.of_type("AWS::SNS::Topic"):
            sns.create_topic(Name=self.template.physical_name(logical_id))
        sqs.create_queue(QueueName="local-alerts")
        alerts_queue = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:local-alerts"
        for logical_id in self.template.of_type("AWS::SNS::Topic"):
            sns.subscribe(TopicArn=self.template.arn(logical_id), Protocol="sqs", Endpoint=alerts_queue)

    def _create_database(self) -> None:
        """The accounts and billing database (system crm-database): its secret in Secrets
        Manager now, whose ARN is the template's parameter as a deployment would give it; the
        database itself (a copy of the seeded demonstration one, on this process's PostgreSQL)
        when a function first reads the secret, so a local cloud that never reaches it pays
        nothing for it."""
        self.database = local_database.database_name("desk")
        secret = boto3.client("secretsmanager").create_secret(
            Name="privacy-desk/crm-database", SecretString=local_database.secret_string(self.database)
        )
        self.template.parameters[DATABASE_SECRET_PARAMETER] = secret["ARN"]
        boto3.DEFAULT_SESSION.events.register(  # type: ignore[union-attr]
            DATABASE_SECRET_READ, self._database_on_first_use
        )

    def _database_on_first_use(self, params: dict[str, Any] | None = None, **_: Any) -> None:
        if params is not None and params.get("SecretId") != self.template.parameters.get(
            DATABASE_SECRET_PARAMETER
        ):
            return  # another secret (a SaaS tool's)
        with self._database_lock:
            if not self._database_made:
                local_database.new_database(self.database)
                self._database_made = True

    def database_connection(self) -> Any:
        """A connection to this local cloud's database (made now if nothing reached it yet)."""
        self._database_on_first_use()
        return local_database.connect(self.database)

    def _drop_database(self) -> None:
        from dsr.connectors.postgresql_connection import close_sessions  # noqa: PLC0415

        boto3.DEFAULT_SESSION.events.unregister(  # type: ignore[union-attr]
            DATABASE_SECRET_READ, self._database_on_first_use
        )
        close_sessions()
        if self._database_made:
            local_database.drop_database_later(self.database)
            self._database_made = False

    def _verify_sender(self) -> None:
        boto3.client("ses").verify_email_identity(EmailAddress=self.template.parameters["SenderAddress"])

    def _set_function_environment(self, functions: dict[str, Any]) -> None:
        """All handlers share this process, so their environments must agree; they do, because
        every value is a name from template.yaml."""
        merged: dict[str, str] = {}
        for spec in functions.values():
            for key, value in spec.environment.items():
                if key in merged and merged[key] != value:
                    raise ValueError(f"functions disagree on {key}; the local cloud cannot share it")
                merged[key] = value
        merged.update({k: v for k, v in LOCAL_ENVIRONMENT.items() if k.startswith("POWERTOOLS_")})
        merged.update(self.sign_in_environment())
        self._set_environment(merged)

    def sign_in_environment(self) -> dict[str, str]:
        """The console's sign-in, pointed at the local cloud's hosted page instead of Cognito's."""
        return {
            "STAFF_SIGN_IN_AUTHORIZE_URL": f"{self.base_url}{hosted_sign_in.AUTHORIZE_PATH}",
            "STAFF_SIGN_IN_TOKEN_URL": f"{self.base_url}{hosted_sign_in.TOKEN_PATH}",
            "STAFF_SIGN_IN_CLIENT_ID": hosted_sign_in.CLIENT_ID,
            "STAFF_SIGN_IN_REDIRECT_URI": self.console_url,
            "STAFF_SIGN_OUT_URL": f"{self.base_url}{hosted_sign_in.LOGOUT_PATH}",
        }

    @property
    def console_url(self) -> str:
        return f"{self.base_url}/console"

    def _create_state_machines(self) -> None:
        sfn = boto3.client("stepfunctions")
        for logical_id in self.template.of_type("AWS::Serverless::StateMachine"):
            definition = self.template.state_machine_definition(logical_id, self._refs)
            arn = sfn.create_state_machine(
                name=self.template.physical_name(logical_id),
                definition=definition,
                roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{logical_id}Role",
            )["stateMachineArn"]
            self.state_machine_arn = arn

    # --- what a person or a test looks at -----------------------------------------------------

    def invoke(self, logical_id: str, event: Any) -> Any:
        if self.bridge is None:
            raise RuntimeError("the local cloud is not started")
        return self.bridge.invoke(logical_id, event)

    def outbox(self) -> list[SentMail]:
        from moto.ses.models import ses_backends  # noqa: PLC0415

        backend = ses_backends[ACCOUNT_ID][REGION]
        mails = []
        for sent in list(backend.sent_messages):
            raw = getattr(sent, "raw_data", None)
            if raw is None:
                continue
            message = BytesParser(policy=policy.default).parsebytes(raw.encode())
            if not isinstance(message, EmailMessage):
                continue
            body = message.get_body(preferencelist=("plain",))
            html = message.get_body(preferencelist=("html",))
            mails.append(
                SentMail(
                    message_id=str(message.get("Message-ID", sent.id)),
                    to=[str(address.addr_spec) for address in message["To"].addresses]
                    if message["To"]
                    else [],
                    # A subject too long for the header's first line is folded before its first
                    # word; unfolded, that leaves a space no mail client shows.
                    subject=str(message.get("Subject", "")).strip(),
                    body=str(body.get_content()) if body is not None else "",
                    request_id=message.get("X-Privacy-Request-Id"),
                    language=message.get("Content-Language"),
                    html=str(html.get_content()) if html is not None else None,
                    attachments=[str(part.get_filename()) for part in message.iter_attachments()],
                )
            )
        return mails

    def latest_code(self, request_id: str, kind: str = "verification code") -> str | None:
        """The 6-digit code in the newest email of ``kind`` (``verification code``, ``download
        code``) sent for the request, if any: its line read in the language the email is in."""
        for mail in reversed(self.outbox()):
            if mail.request_id == request_id and (code := code_in(mail.body, mail.language, kind)):
                return code
        return None

    def alerts(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        url = sqs.get_queue_url(QueueName="local-alerts")["QueueUrl"]
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return [json.loads(m["Body"]) for m in messages.get("Messages", [])]

    def execution_history(self, request_id: str) -> dict[str, Any]:
        sfn = boto3.client("stepfunctions")
        arn = self.execution_arn(request_id)
        status = sfn.describe_execution(executionArn=arn)["status"]
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        return {"status": status, "events": events}

    def execution_arn(self, request_id: str) -> str:
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{request_id}"

    # --- inbound mail, scheduled work and the execution-status rule ------------------------------

    def receive_email(self, raw: bytes, verdicts: dict[str, str] | None = None) -> Any:
        """What SES does for the privacy mailbox: store the raw message, then run the function."""
        _, _, function_id = self.template.mail_receipt()
        return self.invoke(function_id, self.ses_event_for(raw, verdicts))

    def ses_event_for(self, raw: bytes, verdicts: dict[str, str] | None = None) -> dict[str, Any]:
        """Store the raw message as the receipt rule's S3 action does; the event SES would send."""
        bucket_id, prefix, _ = self.template.mail_receipt()
        message_id = f"local-{uuid.uuid4()}"
        boto3.client("s3").put_object(
            Bucket=self.template.physical_name(bucket_id), Key=f"{prefix}{message_id}", Body=raw
        )
        mailbox = self.template.parameters["PrivacyMailbox"]
        return ses_receipt_event(raw, message_id, mailbox, verdicts or {})

    def deliver_streams(self) -> int:
        """Deliver what is new on the tables' streams now (the poller would, within a tenth of a
        second): how many records went to a function."""
        if self.streams is None:
            raise RuntimeError("the local cloud is not started")
        return self.streams.deliver()

    def run_schedules(self) -> None:
        for logical_id in self.template.scheduled_functions():
            self.invoke(logical_id, scheduled_event())
        self.report_ended_executions()

    def report_ended_executions(self) -> int:
        """The EventBridge rule on FAILED, TIMED_OUT and ABORTED executions, by polling."""
        sfn = boto3.client("stepfunctions")
        reported = 0
        for status in ("FAILED", "TIMED_OUT", "ABORTED"):
            listing = sfn.list_executions(stateMachineArn=self.state_machine_arn, statusFilter=status)
            for execution in listing["executions"]:
                if execution["executionArn"] in self._reported_executions:
                    continue
                self._reported_executions.add(execution["executionArn"])
                detail = sfn.describe_execution(executionArn=execution["executionArn"])
                for function_id in self.template.execution_event_functions():
                    self.invoke(function_id, execution_status_event(dict(detail)))
                reported += 1
        return reported


_service_model_loaders: list[Any] = []


def _share_service_models(session: boto3.Session | None) -> None:
    """Every local cloud sets up a default session of its own, and a new session reads botocore's
    service models from disk again (half a second of a start, and again in the first calls of each
    function's clients). The models are data no client changes: the first session's loader serves
    every later one in this process."""
    if session is None:
        return
    botocore_session = session._session  # boto3 exposes no other way to reach it
    if not _service_model_loaders:
        _service_model_loaders.append(botocore_session.get_component("data_loader"))
    else:
        botocore_session.register_component("data_loader", _service_model_loaders[0])


_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")
# Reads too: moto iterates an item's attributes while a write may be changing them, where the
# service returns each item whole.
_DYNAMODB_READS = ("get_item", "query", "scan", "batch_get_item")
_dynamodb_write_lock = threading.RLock()


def _make_dynamodb_writes_atomic() -> None:
    """DynamoDB checks a condition and writes as one step; moto's backend does not, when two
    threads write at once. Every decision here is a conditional write, so the local cloud
    serializes moto's DynamoDB writes (and the reads that could see one half done) to keep the
    service's guarantee."""
    from moto.dynamodb.models import DynamoDBBackend  # noqa: PLC0415
    from moto.dynamodb.responses import DynamoHandler  # noqa: PLC0415

    # Whole requests too: moto parses a query's key condition outside its backend, and two
    # threads parsing at once have been seen to lose a key.
    if not getattr(DynamoHandler.call_action, "_serialized", False):
        handle = DynamoHandler.call_action

        def handled(*args: Any, __handle: Any = handle, **kwargs: Any) -> Any:
            with _dynamodb_write_lock:
                return __handle(*args, **kwargs)

        handled._serialized = True  # type: ignore[attr-defined]
        DynamoHandler.call_action = handled  # type: ignore[method-assign]

    for name in (*_DYNAMODB_WRITES, *_DYNAMODB_READS):
        method = getattr(DynamoDBBackend, name)
        if getattr(method, "_serialized", False):
            continue

        def serialized(*args: Any, __method: Any = method, **kwargs: Any) -> Any:
            with _dynamodb_write_lock:
                return __method(*args, **kwargs)

        serialized._serialized = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, serialized)


def _build_each_condition_expression_alone() -> None:
    """boto3's DynamoDB resources write a condition (``Key("pk").eq(...)``) as an expression with
    one builder per client, reset and numbered for each call: two threads using one client at once
    can mix their placeholders, and DynamoDB refuses the result ("Query condition missed key schema
    element"). A Lambda environment runs one event at a time; here every function, and the tests,
    share a process and its cached desk, so the local cloud builds one expression at a time. (Bound
    when a resource is made: this runs before the cloud makes any.)"""
    from boto3.dynamodb.transform import TransformationInjector  # noqa: PLC0415

    inject = TransformationInjector.inject_condition_expressions
    if getattr(inject, "_serialized", False):
        return
    building = threading.Lock()

    def injected(self: Any, params: Any, model: Any, **kwargs: Any) -> None:
        with building:
            inject(self, params, model, **kwargs)

    injected._serialized = True  # type: ignore[attr-defined]
    TransformationInjector.inject_condition_expressions = injected  # type: ignore[method-assign]


def _parse_each_json_path_once() -> None:
    """Moto's state machine interpreter parses every JSONPath (InputPath, ResultPath, each
    Parameters reference) again each time a state runs, building a parser each time (about a third
    of a millisecond). A parsed path is never changed by its use, so the local cloud keeps each one."""
    from moto.stepfunctions.parser.asl.component.common.path import result_path  # noqa: PLC0415
    from moto.stepfunctions.parser.asl.utils import json_path  # noqa: PLC0415

    for module in (json_path, result_path):
        parse = module.parse
        if not hasattr(parse, "cache_info"):
            module.parse = functools.lru_cache(maxsize=1024)(parse)  # type: ignore[attr-defined]


def _parse_each_definition_once() -> None:
    """Moto's state machine interpreter parses the whole definition again for every execution it
    starts (ANTLR: about a third of the processor time of a submission on the local cloud). The
    syntax tree of a definition never changes, so the local cloud keeps it per definition and
    builds each execution's program from it afresh, as moto does: no execution shares another's
    program, only the tree the program was read from."""
    from antlr4 import CommonTokenStream, InputStream  # noqa: PLC0415
    from moto.stepfunctions.parser.asl.antlr.runtime.ASLLexer import ASLLexer  # noqa: PLC0415
    from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser  # noqa: PLC0415
    from moto.stepfunctions.parser.asl.parse import asl_parser  # noqa: PLC0415
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor  # noqa: PLC0415

    language = asl_parser.AmazonStateLanguageParser
    if getattr(language.parse, "keeps_syntax_trees", False):
        return

    @functools.lru_cache(maxsize=64)
    def syntax_tree(definition: str) -> Any:
        errors = asl_parser.SyntaxErrorListener()  # type: ignore[no-untyped-call]
        parser = ASLParser(CommonTokenStream(ASLLexer(InputStream(definition))))
        parser.removeErrorListeners()
        parser.addErrorListener(errors)
        tree = parser.state_machine()  # type: ignore[no-untyped-call]
        if errors.errors:  # raised, so never kept: the next attempt reports it again
            raise asl_parser.ASLParserException(errors=errors.errors)
        return tree

    def parse(definition: str) -> tuple[Any, Any]:
        tree = syntax_tree(definition)
        preprocessor = Preprocessor()
        # Moto keeps the preprocessor's stack of query-language scopes on the class, shared by
        # every execution starting at once (and left with an entry by a definition it refused);
        # each reading gets a stack of its own.
        preprocessor._query_language_per_scope = []
        return preprocessor.visit(tree), tree

    parse.keeps_syntax_trees = True  # type: ignore[attr-defined]
    language.parse = staticmethod(parse)  # type: ignore[method-assign]
    _validate_each_definition_once()


def _validate_each_definition_once() -> None:
    """Moto checks a definition at every CreateStateMachine by building a whole program from it
    (a tenth of a second, at every local cloud's start). A definition it accepted once is
    accepted again; one it refused is checked, and refused, every time."""
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend  # noqa: PLC0415

    validate = StepFunctionsParserBackend._validate_definition
    accepted: set[str] = set()

    def validate_once(definition: str) -> None:
        if definition not in accepted:
            validate(definition)
            accepted.add(definition)

    StepFunctionsParserBackend._validate_definition = staticmethod(validate_once)  # type: ignore[method-assign]


class _KeyPairMadeOnFirstUse:
    """Moto's key pair of a KMS key, generated when a call first signs, verifies or reads the
    public key: moto makes one for every key, symmetric and HMAC keys included, which never use it
    (an RSA key of 2,048 bits, a tenth of a second or more each, at every local cloud's start)."""

    def __init__(self, make: Any, key_spec: str) -> None:
        self._make = make
        self._key_spec = key_spec
        self._made: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # this object's own, not yet set (a copy being made)
            raise AttributeError(name)
        with self._lock:
            if self._made is None:
                self._made = self._make(self._key_spec)
        return getattr(self._made, name)


def make_kms_key_pairs_on_first_use() -> None:
    from moto.kms import models  # noqa: PLC0415

    make = models.generate_private_key  # type: ignore[attr-defined]
    if getattr(make, "makes_on_first_use", False):
        return

    def on_first_use(key_spec: str, __make: Any = make) -> Any:
        return _KeyPairMadeOnFirstUse(__make, key_spec)

    on_first_use.makes_on_first_use = True  # type: ignore[attr-defined]
    models.generate_private_key = on_first_use  # type: ignore[attr-defined]


class _StateMachineLambdaClients:
    """The emulated state machine makes a new boto3 client for every Lambda task it runs (moto's
    interpreter); making one costs more processor time than the task's own call, and on the local
    cloud every task shares one process. Step Functions keeps its connections; so does this: one
    client per region and service, made anew for each local cloud (a client keeps the event hooks
    of the session it was made from: the fault switch), and Lambda reached through the bridge
    directly (``StateMachineLambda``), so the fault switch does not see those invocations: a
    function's own faults are set with the bridge's ``fault``."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._make: Any = None
        self._bridge: LambdaBridge | None = None
        self._role: RolePolicy | None = None

    def reuse(self, bridge: LambdaBridge, role: RolePolicy | None = None) -> None:
        from moto.stepfunctions.parser.asl.component.state.exec.state_task import (  # noqa: PLC0415
            lambda_eval_utils,
        )

        self.forget()
        self._bridge = bridge
        self._role = role
        if self._make is None:
            self._make = lambda_eval_utils.boto_client_for  # type: ignore[attr-defined]
            lambda_eval_utils.boto_client_for = self._client_for  # type: ignore[attr-defined]

    def forget(self) -> None:
        """The cloud stopped: its clients go, but Lambda tasks keep reaching its (closed) bridge,
        which refuses them, until the next cloud starts. A workflow still under way then fails
        within the emulator instead of calling AWS's own Lambda endpoint."""
        with self._lock:
            self._clients.clear()

    def _client_for(self, region: str, service: str, state_credentials: Any = None) -> Any:
        # Moto's own maker ignores the task's credentials too: every client is the same.
        del state_credentials
        with self._lock:
            if (region, service) not in self._clients:
                client = self._make(region, service)
                if service == "lambda" and self._bridge is not None:
                    client = StateMachineLambda(self._bridge, client, self._role)
                self._clients[(region, service)] = client
            return self._clients[(region, service)]


_state_machine_lambda_clients = _StateMachineLambdaClients()


def eventbridge_event(
    detail_type: str, source: str, detail: dict[str, Any], resources: list[str]
) -> dict[str, Any]:
    """The envelope EventBridge puts around every event it delivers."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).isoformat(),
        "region": REGION,
        "resources": resources,
        "detail": detail,
    }


def scheduled_event() -> dict[str, Any]:
    return eventbridge_event("Scheduled Event", "aws.events", {}, [])


def execution_status_event(detail: dict[str, Any]) -> dict[str, Any]:
    fields = ("executionArn", "stateMachineArn", "name", "status", "error", "cause")
    return eventbridge_event(
        "Step Functions Execution Status Change",
        "aws.states",
        {field: detail.get(field) for field in fields},
        [detail["executionArn"]],
    )


def ses_receipt_event(
    raw: bytes, message_id: str, recipient: str, verdicts: dict[str, str]
) -> dict[str, Any]:
    """The event SES gives a receipt rule's Lambda action, for a message already stored."""
    message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    sender = str(message.get("From", ""))
    headers = [{"name": k, "value": str(v)} for k, v in message.items()]

    def verdict(name: str) -> dict[str, str]:
        return {"status": verdicts.get(name, "PASS")}

    return {
        "Records": [
            {
                "eventSource": "aws:ses",
                "eventVersion": "1.0",
                "ses": {
                    "mail": {
                        "timestamp": now,
                        "source": sender,
                        "messageId": message_id,
                        "destination": [recipient],
                        "headersTruncated": False,
                        "headers": headers,
                        "commonHeaders": {
                            "returnPath": str(message.get("Return-Path", sender)),
                            "from": [sender],
                            "date": str(message.get("Date", now)),
                            "to": [recipient],
                            "messageId": str(message.get("Message-ID", message_id)),
                            "subject": str(message.get("Subject", "")),
                        },
                    },
                    "receipt": {
                        "timestamp": now,
                        "processingTimeMillis": 1,
                        "recipients": [recipient],
                        "spamVerdict": verdict("spam"),
                        "virusVerdict": verdict("virus"),
                        "spfVerdict": verdict("spf"),
                        "dkimVerdict": verdict("dkim"),
                        "dmarcVerdict": verdict("dmarc"),
                        "action": {
                            "type": "Lambda",
                            "functionArn": "local",
                            "invocationType": "Event",
                        },
                    },
                },
            }
        ]
    }
