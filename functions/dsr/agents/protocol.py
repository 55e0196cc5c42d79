"""The five routes of the Data Rights Protocol 1.0 as the covered business answers them.

Each function takes the desk, the deployment's DRP settings, the ``Authorization`` header and the
body as received, and either answers (a dict the route sends as JSON) or raises
:class:`ProtocolError`, answered with the spec's error body (3.06) and its status: never a 5xx
for anything an agent sent.
"""

import hashlib
from datetime import timedelta
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger
from pydantic import Field, StringConstraints

from dsr.agents import tokens
from dsr.agents.directory import AgentEntry, AgentStatus, agent_store, known_agent
from dsr.agents.exercise import ExerciseBody, ExerciseRefused, new_request, read_exercise
from dsr.agents.exercise_status import DrpState, ExerciseStatus, current_exercise_status
from dsr.agents.signed_messages import MAX_VALIDITY, MessageRefused, open_signed
from dsr.closing.cancellation import CANCELLABLE, NotCancellableError, cancel
from dsr.core.desk_model import DeskModel
from dsr.core.models import Channel, Status
from dsr.core.protocol_agents import ProtocolAgentLink
from dsr.intake.submission import submit
from dsr.intake.throttling import TooManyAttemptsError, enforce
from dsr.policies.rights import RightNotGivenError
from dsr.storage.rate_limits import CALLS_PER_AGENT
from dsr.wiring.desk import Desk

logger = Logger(child=True)

LOCAL_CALLBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost"})


class DrpSettings(DeskModel):
    """The deployment's settings for the protocol (template.yaml, the drp_api function)."""

    business_id: Annotated[str, StringConstraints(pattern=r"^[A-Z_]*$")] = Field(
        alias="DRP_BUSINESS_ID",
        description="this business in the service directory; empty: DRP is not offered",
    )
    local_callbacks: bool = Field(
        default=False,
        alias="DRP_LOCAL_CALLBACKS",
        description="the local cloud only: status callbacks may also go to http://127.0.0.1",
    )


class ProtocolError(Exception):
    """Answered as ``{"code", "message", "fatal"}`` with ``status`` (``body=False``: none at all)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        fatal: bool = True,
        retry_after: int | None = None,
        body: bool = True,
    ) -> None:
        self.status = status
        self.message = message
        self.fatal = fatal
        self.retry_after = retry_after
        self.body = body
        super().__init__(message)

    def answer(self) -> dict[str, Any]:
        return {"code": str(self.status), "message": self.message, "fatal": self.fatal}


NOT_THIS_AGENT = "the bearer token is not a current token of an active agent for this resource"
MISSING_CREDENTIALS = "no bearer token: set up a pairwise key (POST /v1/agent/{agent-id}) and send its token"


def _presented(authorization: str | None) -> None:
    """A call without any bearer token is 401 (HTTP's answer to missing credentials); a token
    that is not right for the resource is the spec's 403."""
    if not (authorization or "").strip():
        raise ProtocolError(401, MISSING_CREDENTIALS)


def set_up_key(desk: Desk, settings: DrpSettings, agent_id: str, body: str) -> dict[str, str]:
    """POST /v1/agent/{agent-id}: a new pairwise token; any failure is 403 with no body (2.05.1)."""
    try:
        _accept_key_set_up(desk, settings, agent_id, body)
    except MessageRefused as refused:
        logger.warning("drp key set-up refused", agent_id=agent_id[:100], check=refused.check)
        raise ProtocolError(403, refused.message, body=False) from refused
    token = tokens.issue_token(desk, agent_id)
    if token is None:
        raise ProtocolError(403, "unknown or suspended agent", body=False)
    logger.info("drp token issued", agent_id=agent_id)
    return {"agent-id": agent_id, "token": token}


def _accept_key_set_up(desk: Desk, settings: DrpSettings, agent_id: str, body: str) -> None:
    agent = known_agent(desk, agent_id)
    if agent is None or agent.status is not AgentStatus.ACTIVE:
        raise MessageRefused("agent", "unknown or suspended agent", status=403)
    message = open_signed(
        body, verify_key=agent.verify_key, agent_id=agent_id, business_id=settings.business_id, now=desk.now()
    )
    if not agent_store(desk).accept_once(message.digest, message.expires_at or desk.now()):
        raise MessageRefused("replay", "this signed message was accepted before", status=403)


def agent_information(desk: Desk, authorization: str | None, agent_id: str) -> dict[str, str]:
    """GET /v1/agent/{agent-id}: ``{}`` for a current token of that agent, else 403."""
    _presented(authorization)
    if tokens.agent_of_bearer(desk, authorization) != agent_id:
        raise ProtocolError(403, NOT_THIS_AGENT)
    return {}


def _calling_agent(desk: Desk, authorization: str | None) -> AgentEntry:
    _presented(authorization)
    agent_id = tokens.agent_of_bearer(desk, authorization)
    agent = known_agent(desk, agent_id) if agent_id else None
    if agent is None:
        raise ProtocolError(403, NOT_THIS_AGENT)
    try:
        enforce(desk, CALLS_PER_AGENT, hashlib.sha256(f"drp-agent:{agent.id}".encode()).hexdigest())
    except TooManyAttemptsError as throttled:
        raise ProtocolError(
            429, "too many calls from this agent", fatal=False, retry_after=throttled.retry_after_seconds
        ) from throttled
    return agent


def check_callback(url: str, agent: AgentEntry, *, local_callbacks: bool) -> None:
    """A status callback goes over https to a host of the agent's (``callback_hosts``, else its
    web_url's host); the local cloud may also allow http to this machine."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise ExerciseRefused("status_callback: a plain https URL, without credentials or fragment")
    if parts.scheme == "https" and host in agent.allowed_callback_hosts():
        return
    if local_callbacks and parts.scheme in ("http", "https") and host in LOCAL_CALLBACK_HOSTS:
        return
    hosts = ", ".join(sorted(agent.allowed_callback_hosts()))
    raise ExerciseRefused(f"status_callback: must be an https URL on a host of the agent's ({hosts})")


def _opened(desk: Desk, settings: DrpSettings, agent: AgentEntry, body: str, *, envelope: bool = True) -> Any:
    try:
        message = open_signed(
            body,
            verify_key=agent.verify_key,
            agent_id=agent.id,
            business_id=settings.business_id,
            now=desk.now(),
            envelope=envelope,
        )
    except MessageRefused as refused:
        logger.warning("drp message refused", agent_id=agent.id, check=refused.check)
        raise ProtocolError(refused.status, refused.message) from refused
    return message


def exercise(desk: Desk, settings: DrpSettings, authorization: str | None, body: str) -> dict[str, Any]:
    """POST /v1/data-rights-request: the request made (or the first one for the same
    ``agent-request-id``), as its Exercise Status."""
    agent = _calling_agent(desk, authorization)
    message = _opened(desk, settings, agent, body)
    try:
        claims, request = _read(settings, agent, message.claims)
    except ExerciseRefused as refused:
        raise ProtocolError(refused.status, refused.message) from refused
    if not agent_store(desk).accept_once(message.digest, message.expires_at or desk.now() + MAX_VALIDITY):
        raise ProtocolError(409, "this signed message was accepted before: sign a new one")
    request_id = _first_request_of(desk, agent, claims)
    if request_id is not None and desk.store.find(request_id) is not None:
        return current_exercise_status(desk, desk.store.get(request_id)).as_drp()
    link = ProtocolAgentLink(
        agent_id=agent.id,
        agent_name=agent.name,
        agent_request_id=claims.agent_request_id,
        status_callback=claims.status_callback,
        exercise=claims.exercise,
        regime=claims.regime,
        relationships=claims.relationships,
        verified_claims=claims.verified_claims(),
    )
    try:
        receipt = submit(desk, request, Channel.DRP, request_id=request_id, protocol_agent=link)
    except RightNotGivenError as refused:
        raise ProtocolError(400, f"claim_not_covered: {refused}") from refused
    except TooManyAttemptsError as throttled:
        raise ProtocolError(
            429,
            "too many requests for this person today",
            fatal=False,
            retry_after=throttled.retry_after_seconds,
        ) from throttled
    logger.info(
        "drp request received", request_id=receipt.request_id, agent_id=agent.id, exercise=claims.exercise
    )
    return current_exercise_status(desk, desk.store.get(receipt.request_id)).as_drp()


def _read(settings: DrpSettings, agent: AgentEntry, signed: dict[str, Any]) -> tuple[ExerciseBody, Any]:
    claims = read_exercise(signed)
    if claims.status_callback:
        check_callback(claims.status_callback, agent, local_callbacks=settings.local_callbacks)
    return claims, new_request(claims, agent_name=agent.name, agent_email=agent.technical_contact)


def _first_request_of(desk: Desk, agent: AgentEntry, claims: ExerciseBody) -> str | None:
    """The request id to use: the one made before for the same ``agent-request-id``, or a new
    one claimed for it now (None without an ``agent-request-id``: submit makes one)."""
    if claims.agent_request_id is None:
        return None
    import uuid  # noqa: PLC0415 - the id is made here only when it is claimed first

    digest = hashlib.sha256(claims.agent_request_id.encode()).hexdigest()
    fresh = str(uuid.uuid4())
    return agent_store(desk).claim_agent_request(agent.id, digest, fresh) or fresh


def _agents_request(desk: Desk, agent: AgentEntry, request_id: str) -> Any:
    request = desk.store.find(request_id) if len(request_id) <= 64 else None  # longer is no id of ours
    if request is None or request.protocol_agent is None or request.protocol_agent.agent_id != agent.id:
        raise ProtocolError(403, "this request is not one this agent sent")
    return request


def status(desk: Desk, authorization: str | None, request_id: str) -> dict[str, Any]:
    """GET /v1/data-rights-request/{request_id}: the status, to the agent that sent it only."""
    agent = _calling_agent(desk, authorization)
    return current_exercise_status(desk, _agents_request(desk, agent, request_id)).as_drp()


def revoke(
    desk: Desk, settings: DrpSettings, authorization: str | None, request_id: str, body: str
) -> dict[str, Any]:
    """DELETE /v1/data-rights-request/{request_id}: an open request is cancelled (``revoked``);
    one already carried out, or closed, cannot be, and the answer says so (409)."""
    agent = _calling_agent(desk, authorization)
    message = _opened(desk, settings, agent, body, envelope=False)
    request = _agents_request(desk, agent, request_id)
    reason = message.claims.get("reason")
    reason_text = (
        reason.strip()[:500]
        if isinstance(reason, str) and reason.strip()
        else "revoked by the person's agent"
    )
    until = message.expires_at or desk.now() + MAX_VALIDITY
    if not agent_store(desk).accept_once(message.digest, until + timedelta(seconds=1)):
        raise ProtocolError(409, "this signed message was accepted before: sign a new one")
    if request.status is not Status.CANCELLED:
        if request.status not in CANCELLABLE:
            raise ProtocolError(409, _why_not_revocable(request.status))
        try:
            cancel(desk, request_id, reason_text, f"agent {agent.id}", actor=f"agent {agent.id} via drp")
        except NotCancellableError as refused:
            raise ProtocolError(409, _why_not_revocable(desk.store.get(request_id).status)) from refused
    told = current_exercise_status(desk, desk.store.get(request_id))
    if told.status is not DrpState.REVOKED:
        raise ProtocolError(409, _why_not_revocable(desk.store.get(request_id).status))
    return told.as_drp()


def _why_not_revocable(current: Status) -> str:
    if current in (Status.IN_PROGRESS, Status.COMPLETED, Status.PARTIALLY_COMPLETED):
        return "the request has already been carried out (in whole or part) and cannot be revoked"
    return f"the request is closed ({current.value.lower()}) and cannot be revoked"


def exercise_status_of(desk: Desk, request_id: str) -> ExerciseStatus:
    """The status an agent is told of ``request_id`` (what the status callback sends)."""
    return current_exercise_status(desk, desk.store.get(request_id))
