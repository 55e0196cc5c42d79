"""Taking a request in: record it first, then start exactly one execution named by its id.

Nothing is lost: the request item is written (conditionally) before anything else, a failed
start leaves it RECEIVED for the reconciler, and a redelivery finds the first request. A second
request of the same type from the same subject is taken in like any other: it is linked to the
open one only once its email address is verified (``dsr.intake.duplicates``), so the answer here never
tells whether an address has asked before.
"""

import uuid
from datetime import date, datetime

from aws_lambda_powertools import Logger

from dsr.core.desk_model import DeskModel
from dsr.core.keyed_hash import normalized_email
from dsr.core.languages import LanguageHints, chosen_language
from dsr.core.masking import mask_email
from dsr.core.models import AgentRecord, Channel, NewRequest, PrivacyRequest, Status
from dsr.core.protocol_agents import ProtocolAgentLink
from dsr.intake import proof_of_identity, throttling
from dsr.intake.duplicates import claim_or_find_open_request
from dsr.intake.status_tokens import status_token
from dsr.policies import rights
from dsr.policies.request_deadlines import deadlines_for, local_day
from dsr.storage.dynamo import AlreadyExistsError
from dsr.storage.rate_limits import SUBMISSIONS_PER_SUBJECT
from dsr.wiring.desk import Desk

logger = Logger(child=True)


class Receipt(DeskModel):
    request_id: str
    status: Status
    respond_by: datetime
    respond_on: date
    """The due date where the request's law counts days: what people are shown."""
    status_token: str


def submit(
    desk: Desk,
    new_request: NewRequest,
    channel: Channel,
    request_id: str | None = None,
    *,
    global_privacy_control: bool = False,
    protocol_agent: ProtocolAgentLink | None = None,
    language_hints: LanguageHints | None = None,
) -> Receipt:
    """Record the request, then start its execution. From the web or an agent over the Data
    Rights Protocol (``protocol_agent``), a type the jurisdiction's law does not give is refused
    (``RightNotGivenError``) unless the company offers it everyone.

    A caller that can be redelivered (email) passes an id derived from what it received, so the
    second delivery finds the first request instead of making another. ``language_hints``: what
    the channel knows of the subject's language (the email's, the browser's); the request's own
    ``preferred_language`` comes first.
    """
    if channel in (Channel.WEB, Channel.DRP):  # email is read by staff, who see which are the law's
        rights.check_given(
            new_request.resolved_jurisdiction(),
            new_request.request_types,
            local_day(new_request.resolved_jurisdiction(), desk.now()),
            everywhere=rights.offered_everywhere(desk.settings.rights_offered_everywhere),
        )
    request_id = request_id or str(uuid.uuid4())
    existing = desk.store.find(request_id)
    if existing is not None:
        logger.info("redelivered submission", request_id=request_id)
        _finish_recording(desk, existing)
        return _receipt(desk, existing)
    received_at = desk.now()
    subject_hash = desk.hasher.digest(normalized_email(str(new_request.subject.email)))
    types = list(dict.fromkeys(new_request.request_types))
    throttling.enforce(
        desk, SUBMISSIONS_PER_SUBJECT, throttling.mailbox_key(desk, str(new_request.subject.email))
    )
    # Claimed now, so that whichever of two open requests is verified second is linked to the other.
    claim_or_find_open_request(desk, subject_hash, [t.value for t in types], request_id)
    jurisdiction = new_request.resolved_jurisdiction()
    deadlines = deadlines_for(
        jurisdiction, types, received_at, country=new_request.country, region=new_request.region
    )
    request = PrivacyRequest(
        request_id=request_id,
        request_types=types,
        subject=new_request.subject,
        relationship=new_request.relationship,
        jurisdiction=jurisdiction,
        channel=channel,
        status=Status.RECEIVED,
        received_at=received_at,
        respond_by=deadlines.respond_by,
        acknowledge_by=deadlines.acknowledge_by,
        target_by=deadlines.target_by,
        extended_respond_by=deadlines.extended_respond_by,
        extension_notice_by=deadlines.extension_notice_by,
        deadline_policy=deadlines.policy,
        deadline_policy_version=deadlines.policy_version,
        watch_at=deadlines.watch_at,
        details=new_request.details,
        country=new_request.country,
        region=new_request.region,
        corrections=new_request.corrections,
        agent=_store_agent_permission(desk, request_id, new_request),
        preferred_language=new_request.preferred_language,
        language=chosen_language(
            (language_hints or LanguageHints())._replace(preferred=new_request.preferred_language),
            jurisdiction,
        ),
        global_privacy_control=global_privacy_control,
        subject_hash=subject_hash,
        protocol_agent=protocol_agent,
    )
    desk.store.mark_unstarted(request_id, received_at)  # first, so a failure after is found
    try:
        desk.store.create(request)
    except AlreadyExistsError:
        return _receipt(desk, desk.store.get(request_id))
    _audit_receipt(desk, request)
    logger.info(
        "request recorded",
        request_id=request_id,
        subject=mask_email(str(request.subject.email)),
        channel=channel.value,
    )
    start_workflow(desk, request_id)
    return _receipt(desk, request)


def _receipt(desk: Desk, request: PrivacyRequest) -> Receipt:
    return Receipt(
        request_id=request.request_id,
        status=request.status,
        respond_by=request.respond_by,
        respond_on=local_day(request.jurisdiction, request.respond_by),
        status_token=status_token(desk, request.request_id),
    )


def _store_agent_permission(desk: Desk, request_id: str, new_request: NewRequest) -> AgentRecord | None:
    agent = new_request.agent
    if agent is None:
        return None
    key = desk.packages.put_evidence(request_id, "agent-permission", agent.permission_document)
    return AgentRecord(
        name=agent.name,
        email=str(agent.email),
        organisation=agent.organisation,
        power_of_attorney=agent.power_of_attorney,
        permission_document_key=key,
    )


def workflow_input(desk: Desk, request_id: str) -> dict[str, object]:
    """The execution's input: the id, the verification level and the waiting windows; nothing
    personal."""
    requirement = proof_of_identity.requirement_for(desk, desk.store.get(request_id))
    return {
        "request_id": request_id,
        "rerun": False,
        "appeal_granted": False,
        "verification": {"level": requirement.level.value},
        "timeouts": {
            "verification_seconds": desk.settings.verification_window_seconds,
            "review_seconds": desk.settings.review_window_seconds,
        },
    }


def _audit_receipt(desk: Desk, request: PrivacyRequest) -> None:
    desk.audit(
        request.request_id,
        actor=_sender(request),
        action="request received",
        outcome="recorded",
        types=",".join(request.request_types),
        jurisdiction=request.jurisdiction,
        global_privacy_control=request.global_privacy_control,
    )


def _sender(request: PrivacyRequest) -> str:
    """Who sent the request, for the trail: an agent over the protocol is named by its id."""
    if request.protocol_agent is not None:
        return f"agent {request.protocol_agent.agent_id} via {request.channel.value}"
    return f"{'agent' if request.agent else 'subject'} via {request.channel.value}"


def _finish_recording(desk: Desk, request: PrivacyRequest) -> None:
    """A delivery again (an email redelivered, a form retried with its Idempotency-Key) after the
    first failed midway, the request stored but its trail or its start not: finish what the first
    left undone now, rather than leave the start to the reconciler."""
    if request.status is not Status.RECEIVED or request.workflow_started_at is not None:
        return
    if not any(event.action == "request received" for event in desk.store.events(request.request_id)):
        _audit_receipt(desk, request)
    start_workflow(desk, request.request_id)


def start_workflow(desk: Desk, request_id: str) -> bool:
    """Start the request's execution. A failure leaves the request RECEIVED for the reconciler."""
    try:
        started = desk.workflow.start(request_id, workflow_input(desk, request_id))
    except Exception:
        logger.exception("could not start the workflow; the reconciler will retry", request_id=request_id)
        desk.audit(request_id, "intake", "start workflow", "deferred to the reconciler")
        return False
    if started:
        desk.audit(request_id, "intake", "start workflow", "started")
    desk.store.mark_started(request_id, desk.now())
    return started
