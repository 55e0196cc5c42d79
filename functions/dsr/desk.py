"""Everything a stage needs, wired once per cold start: adapters, settings, registry and clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from dsr.clock import Clock, system_clock
from dsr.keyed_hash import KeyedHasher
from dsr.mailer import Mailer
from dsr.models import AuditEvent
from dsr.packages import PackageStore
from dsr.rate_limits import RateLimiter
from dsr.settings import DeskSettings
from dsr.store import RequestStore
from dsr.workflow import WorkflowEngine

if TYPE_CHECKING:
    from pathlib import Path

    from mypy_boto3_dynamodb import DynamoDBServiceResource
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

    from dsr.notices import Notice  # only senders build one: the notices load with their code
    from dsr.registry import SystemRegistry


@dataclass
class Desk:
    settings: DeskSettings
    store: RequestStore
    mailer: Mailer
    workflow: WorkflowEngine
    hasher: KeyedHasher
    packages: PackageStore
    registry_path: Path
    """The system registry's file, read and checked on first use (``registry``)."""
    dynamodb: DynamoDBServiceResource
    s3: S3Client
    alerts: SNSClient
    limiter: RateLimiter
    clock: Clock
    _tables: dict[str, Table] = field(default_factory=dict, repr=False)
    _registry: SystemRegistry | None = field(default=None, repr=False)
    _registry_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @property
    def registry(self) -> SystemRegistry:
        """The systems, read and checked when a stage first reaches one: acknowledging, verifying,
        reviewing and taking in a request never do, so their functions neither import the
        registry's models nor parse its file."""
        if self._registry is None:
            # One reading, even when the first tasks of a fan-out ask at once (the local cloud runs
            # functions in threads), and pydantic builds the registry's deferred models only once.
            with self._registry_lock:
                if self._registry is None:
                    from dsr.registry import load_registry  # noqa: PLC0415

                    self._registry = load_registry(self.registry_path)
        return self._registry

    @registry.setter
    def registry(self, registry: SystemRegistry) -> None:
        with self._registry_lock:
            self._registry = registry

    def table(self, name: str) -> Table:
        """A DynamoDB table, made once per cold start (making one costs about a millisecond)."""
        if name not in self._tables:
            self._tables[name] = self.dynamodb.Table(name)
        return self._tables[name]

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

    def send_notice(self, to: str, notice: Notice, request_id: str) -> None:
        """Email the subject, and remember which request the message belongs to, so a reply
        quoting SES's Message-ID still finds its request."""
        sent_id = self.mailer.send(to, notice.subject, notice.body, request_id)
        self.store.remember_sent_message(sent_id, request_id, self.now())

    def now(self) -> datetime:
        return self.clock.now()

    def status_url(self, request_id: str, status_token: str) -> str:
        """The subject's status page (HTML; the same status as JSON is at /requests/{id})."""
        return f"{self.settings.public_base_url}/status/{request_id}?token={status_token}"


@cache
def desk_from_environment() -> Desk:
    """Built on first use in a cold start, never at import."""
    import boto3  # noqa: PLC0415

    settings = DeskSettings.from_environment()
    dynamodb = boto3.resource("dynamodb")
    s3 = boto3.client("s3")
    return Desk(
        settings=settings,
        store=RequestStore(dynamodb.Table(settings.requests_table)),
        mailer=Mailer(boto3.client("sesv2"), settings.sender_address),
        workflow=WorkflowEngine(boto3.client("stepfunctions"), settings.state_machine_arn),
        hasher=KeyedHasher(boto3.client("kms"), settings.identity_key_id),
        packages=PackageStore(s3, settings.packages_bucket, settings.data_key_id),
        registry_path=settings.system_registry_path,
        dynamodb=dynamodb,
        s3=s3,
        alerts=boto3.client("sns"),
        limiter=RateLimiter(dynamodb.Table(settings.requests_table)),
        clock=system_clock,
    )
