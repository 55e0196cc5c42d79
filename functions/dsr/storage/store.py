"""The requests table: one item per request, plus its audit trail, task tokens and system outcomes.

Layout (single table, partition key ``pk`` = ``REQ#<request id>``):

* ``sk = REQUEST``: the request itself. While it is open it carries ``open_pk`` and
  ``due_at``, which put it in the sparse ``OpenByDue`` index; closing removes both.
* ``sk = EVT#<epoch ms>#<uuid>``: append-only audit events.
* ``sk = TOKEN#<stage>``: a Step Functions task token waiting for a person, never sent out.
* ``sk = SYS#<system>#<action>``: what one system did for the request.
* ``sk = TOKEN#package review``: an access package held for review, with its redactions
  (``dsr.storage.package_reviews``).
* ``sk = TOKEN#HANDOFF#<system>#<action>``: a task handed to a processor, vendor or customer;
  while nobody has answered it is in the ``OpenByDue`` index (partition ``HANDOFF``, due at the
  answer-by time), so the sweeper finds overdue ones without a scan.

A closed request waits in the same index (partition ``REDUCE``, due when its download link runs
out) until the sweeper reduces its identity to the keyed hash (see ``dsr.policies.retention``).

* ``sk = UNSTARTED``: written just before a new request, removed once its execution has started;
  in the index (partition ``UNSTARTED``, due when received), so the sweeper finds the requests whose
  start failed without reading the open ones that started.
* A verification task (``TOKEN#<stage>`` with a window) waits in partition ``WINDOW``, due when its
  window ends, so the sweeper closes ended windows without reading every open request.

Short references: ``REF#<first 8 characters of the id>`` holds one item per request whose id
starts so (``sk = REQ#<request id>``), so the reference that lists, the console and emails print
finds its request, or all of them when two share it, without a scan.

Other partitions: ``OPENDSR#<subject request id>`` maps a processor's request back to exactly one
(request, system, action); ``PROCESSOR#<system>`` pins the certificate the processor's callbacks
must be signed with; ``CALLBACK#<sha-256>`` remembers callbacks already acted on;
``GPC#BROWSER#<hash>`` and ``GPC#COUNTS#<year>`` keep Global Privacy Control signals
(``dsr.storage.signals``).

Every decision is a conditional write, so two callers racing cannot both win.

The items are kept by one repository per kind, in :mod:`dsr.storage`; ``RequestStore`` is the
facade that joins them, so ``desk.store`` offers every named operation in one place.
"""

from __future__ import annotations

from dsr.storage.audit import AuditTrail
from dsr.storage.dynamo import AlreadyExistsError
from dsr.storage.hand_offs import HandOffRepository
from dsr.storage.identity import IdentityRecords
from dsr.storage.keys import request_key
from dsr.storage.outcomes import SystemOutcomes
from dsr.storage.package_reviews import PackageReviewRepository
from dsr.storage.processors import ProcessorRecords
from dsr.storage.request_index import RequestIndex
from dsr.storage.requests import (
    OPEN_PARTITION,
    AmbiguousReferenceError,
    RequestNotFoundError,
    TransitionRejectedError,
)
from dsr.storage.sent_mail import SentMail
from dsr.storage.signals import SignalRecords
from dsr.storage.subjects import SubjectRecords
from dsr.storage.tasks import TaskRepository
from dsr.storage.triage import TriageRepository

__all__ = [
    "OPEN_PARTITION",
    "AlreadyExistsError",
    "AmbiguousReferenceError",
    "RequestNotFoundError",
    "RequestStore",
    "TransitionRejectedError",
    "request_key",
]


class RequestStore(
    RequestIndex,
    IdentityRecords,
    SubjectRecords,
    SentMail,
    AuditTrail,
    SystemOutcomes,
    TriageRepository,
    HandOffRepository,
    ProcessorRecords,
    SignalRecords,
    TaskRepository,
    PackageReviewRepository,
):
    """Every repository of the requests table over one table: what ``desk.store`` offers."""
