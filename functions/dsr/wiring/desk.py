"""Everything a stage needs, wired once per cold start: settings, clock, and the adapters and
registry, each made when a stage first uses it."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote

from dsr.core import clock as clocks
from dsr.core.clock import Clock
from dsr.core.keyed_hash import KeyedHasher
from dsr.core.mailer import Attachment, Mailer
from dsr.core.models import AuditEvent
from dsr.core.settings import DeskSettings
from dsr.core.workflow import WorkflowEngine
from dsr.storage.packages import PackageStore
from dsr.storage.rate_limits import RateLimiter
from dsr.storage.store import RequestStore

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Protocol

    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

    from dsr.core.registry import SystemRegistry

    class Notice(Protocol):
        """What the desk sends a subject; the notices (a stage above the wiring) write each one."""

        @property
        def subject(self) -> str: ...

        @property
        def body(self) -> str: ...

        @property
        def language(self) -> str: ...

        @property
        def html(self) -> str | None: ...


Made = TypeVar("Made")


_clients: weakref.WeakSet[Any] = weakref.WeakSet()
"""Every AWS client the desk has made (a resource's included), for ``close_pooled_connections``."""


def _aws(kind: str, service: str, **options: Any) -> Any:
    """A boto3 client or resource; boto3 is imported here, by then loaded with the function."""
    import boto3  # noqa: PLC0415

    # The stubs type each service by its name as a literal; the properties below give the types.
    if kind == "resource":
        resource = boto3.resource(service, **options)  # type: ignore[call-overload]
        _clients.add(resource.meta.client)
        return resource
    client = boto3.client(service, **options)  # type: ignore[call-overload]
    _clients.add(client)
    return client


def close_pooled_connections() -> int:
    """Close the connections each of the desk's clients keeps open between calls; the next call
    opens a new one. After a restore from a snapshot none of them can be assumed alive. The
    clients themselves (their credentials refresh on their own) are kept. How many there were."""
    clients = list(_clients)
    for client in clients:
        client._endpoint.http_session.close()
    return len(clients)


def _s3_client() -> Any:
    """S3, presigning with Signature Version 4 (botocore's default for presigned links is still
    version 2 in some regions, which S3 no longer accepts everywhere)."""
    from botocore.config import Config  # noqa: PLC0415

    return _aws("client", "s3", config=Config(signature_version="s3v4"))


@dataclass
class Desk:
    """A stage's view of the desk. Each AWS client, adapter and the system registry is made the
    first time a stage asks for it, then kept for the life of the environment: a boto3 client
    costs 5 to 35 ms of a cold start (the DynamoDB resource, usually the first, about 75), and
    most functions use two or three of the six. One lock makes each once, even when the local
    cloud's threads ask at the same moment (boto3's default session is not safe to make clients
    from at once)."""

    settings: DeskSettings
    clock: Clock
    registry_path: Path
    """The system registry's file, read and checked on first use (``registry``)."""
    _made: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False, compare=False)

    def _once(self, name: str, make: Callable[[], Made]) -> Made:
        found = self._made.get(name)
        if found is None:
            with self._lock:
                found = self._made.get(name)
                if found is None:
                    found = self._made[name] = make()
        return cast("Made", found)

    # --- AWS ------------------------------------------------------------------------------------

    @property
    def dynamodb(self) -> DynamoDBServiceResource:
        return cast("DynamoDBServiceResource", self._once("dynamodb", lambda: _aws("resource", "dynamodb")))

    @property
    def s3(self) -> S3Client:
        return cast("S3Client", self._once("s3", _s3_client))

    def keep(self, name: str, make: Callable[[], Made]) -> Made:
        """What ``make`` makes, made once and kept for the life of the environment (a SaaS tool's
        credentials, token and rate bucket)."""
        return self._once(name, make)

    @property
    def alerts(self) -> SNSClient:
        return cast("SNSClient", self._once("sns", lambda: _aws("client", "sns")))

    @property
    def account_id(self) -> str:
        """The desk's own AWS account, the owner of any bucket the registry names no owner for:
        from the environment (template.yaml sets it), else asked of STS once."""

        def ask_sts() -> str:
            return str(_aws("client", "sts").get_caller_identity()["Account"])

        return self._once("account_id", lambda: self.settings.account_id or ask_sts())

    def secret_string(self, secret_arn: str) -> str:
        """A Secrets Manager secret's string (a database's credentials), read when asked."""
        client = self._once("secretsmanager", lambda: _aws("client", "secretsmanager"))
        return str(client.get_secret_value(SecretId=secret_arn)["SecretString"])

    def table(self, name: str) -> Table:
        """A DynamoDB table, made once per cold start (making one costs about a millisecond)."""
        return self._once(f"table:{name}", lambda: self.dynamodb.Table(name))

    # --- the desk's adapters ------------------------------------------------------------------

    @property
    def store(self) -> RequestStore:
        return self._once("store", lambda: RequestStore(self.table(self.settings.requests_table)))

    @property
    def limiter(self) -> RateLimiter:
        return self._once("limiter", lambda: RateLimiter(self.table(self.settings.requests_table)))

    @property
    def mailer(self) -> Mailer:
        return self._once("mailer", lambda: Mailer(_aws("client", "sesv2"), self.settings.sender_address))

    @property
    def workflow(self) -> WorkflowEngine:
        arn = self.settings.state_machine_arn
        return self._once("workflow", lambda: WorkflowEngine(_aws("client", "stepfunctions"), arn))

    @property
    def hasher(self) -> KeyedHasher:
        return self._once("hasher", lambda: KeyedHasher(_aws("client", "kms"), self.settings.identity_key_id))

    @property
    def packages(self) -> PackageStore:
        settings = self.settings
        return self._once(
            "packages", lambda: PackageStore(self.s3, settings.packages_bucket, settings.data_key_id)
        )

    @property
    def registry(self) -> SystemRegistry:
        """The systems, read and checked when a stage first reaches one: acknowledging, verifying,
        reviewing and taking in a request never do, so their functions neither import the
        registry's models nor parse its file. Read once, even when the first tasks of a fan-out
        ask at once; pydantic builds the registry's deferred models on that reading."""

        def read() -> SystemRegistry:
            from dsr.core.registry import load_registry  # noqa: PLC0415

            return load_registry(self.registry_path)

        return self._once("registry", read)

    @registry.setter
    def registry(self, registry: SystemRegistry) -> None:
        with self._lock:
            self._made["registry"] = registry

    def preload(self, *adapters: str) -> None:
        """Make the named adapters (``store``, ``mailer``...) and their clients now, rather than on
        first use: before a snapshot, what the first event would make."""
        for name in adapters:
            getattr(self, name)

    def audit(
        self,
        request_id: str,
        actor: str,
        action: str,
        outcome: str,
        **detail: str | int | bool | None,
    ) -> None:
        self.store.append_event(self.audit_event(request_id, actor, action, outcome, **detail))

    def audit_event(
        self,
        request_id: str,
        actor: str,
        action: str,
        outcome: str,
        **detail: str | int | bool | None,
    ) -> AuditEvent:
        """A line of the audit trail, now, for a write that records it with something else."""
        return AuditEvent(
            request_id=request_id,
            at=self.clock.now(),
            actor=actor,
            action=action,
            outcome=outcome,
            detail=detail,
        )

    def send_notice(
        self, to: str, notice: Notice, request_id: str, attachments: Sequence[Attachment] = ()
    ) -> None:
        """Email the subject (the plain text, and its HTML when the notice has one, tagged with its
        language, with ``attachments``), and remember which request the message belongs to, so a
        reply quoting SES's Message-ID still finds its request; and its subject line, for the
        request's evidence pack."""
        sent_id = self.mailer.send(
            to,
            notice.subject,
            notice.body,
            request_id,
            language=notice.language,
            html=notice.html,
            attachments=attachments,
        )
        self.store.remember_sent_message(sent_id, request_id, self.now())
        self.store.record_notice(
            request_id,
            self.now(),
            sent_message_id=sent_id,
            recipient=to,
            subject_line=notice.subject,
            language=notice.language,
        )

    def now(self) -> datetime:
        return self.clock.now()

    def status_url(self, request_id: str, status_token: str) -> str:
        """The subject's status page (HTML; the same status as JSON is at /requests/{id}): the
        one place its address is made, for the emails, the API's receipts and the pages."""
        return f"{self.settings.public_base_url}/status/{request_id}?token={quote(status_token, safe='')}"


@cache
def desk_from_environment() -> Desk:
    """Built on first use in a cold start, never at import; its clients on first use after."""
    settings = DeskSettings.from_environment()
    # Read when the desk is made, not at import: the local cloud may have put in its own clock.
    return Desk(settings=settings, clock=clocks.system_clock, registry_path=settings.system_registry_path)
