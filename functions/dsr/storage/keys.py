"""Every key of the requests table, built in one place (the layout is described in ``dsr.storage.store``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REQUEST_PREFIX = "REQ#"
REQUEST_SK = "REQUEST"
UNSTARTED_SK = "UNSTARTED"
TASK_PREFIX = "TOKEN#"
EVENT_PREFIX = "EVT#"
OUTCOME_PREFIX = "SYS#"
STEP_PREFIX = "STEP#"
NOTICE_PREFIX = "NOTICE#"
REFERENCE_LENGTH = 8

Key = dict[str, str]


def request_pk(request_id: str) -> str:
    return f"{REQUEST_PREFIX}{request_id}"


def request_key(request_id: str) -> Key:
    return {"pk": request_pk(request_id), "sk": REQUEST_SK}


def request_item_key(request_id: str, sort_key: str) -> Key:
    """Any item kept beside the request (an event, a task, an outcome, a step, an appeal)."""
    return {"pk": request_pk(request_id), "sk": sort_key}


def task_key(request_id: str, stage: str) -> Key:
    return request_item_key(request_id, f"{TASK_PREFIX}{stage}")


def outcome_key(request_id: str, system_id: str, action: str) -> Key:
    return request_item_key(request_id, f"{OUTCOME_PREFIX}{system_id}#{action}")


def system_and_action(item: Mapping[str, Any]) -> tuple[str, str]:
    """The system and action an outcome item is kept under (``SYS#<system>#<action>``)."""
    _, system_id, action = str(item["sk"]).split("#", 2)
    return system_id, action


def step_key(request_id: str, step: str) -> Key:
    return request_item_key(request_id, f"{STEP_PREFIX}{step}")


def unstarted_key(request_id: str) -> Key:
    return request_item_key(request_id, UNSTARTED_SK)


def reference_of(request_id: str) -> str:
    """The short reference staff see: the id's first characters."""
    return request_id[:REFERENCE_LENGTH]


def reference_pk(reference: str) -> str:
    return f"REF#{reference}"


def reference_key(request_id: str) -> Key:
    return {"pk": reference_pk(reference_of(request_id)), "sk": request_pk(request_id)}


def triage_key(triage_id: str) -> Key:
    return {"pk": f"TRIAGE#{triage_id}", "sk": "TRIAGE"}


def subject_claim_key(subject_hash: str, request_type: str) -> Key:
    return {"pk": f"SUBJECT#{subject_hash}", "sk": f"OPEN#{request_type}"}


def suppression_key(subject_hash: str) -> Key:
    return {"pk": f"SUPPRESS#{subject_hash}", "sk": "SUPPRESS"}


def sent_mail_key(sent_message_id: str) -> Key:
    return {"pk": f"MAIL#{sent_message_id}", "sk": "MAIL"}


def subject_request_key(subject_request_id: str) -> Key:
    return {"pk": f"OPENDSR#{subject_request_id}", "sk": "OPENDSR"}


def certificate_key(system_id: str) -> Key:
    return {"pk": f"PROCESSOR#{system_id}", "sk": "CERTIFICATE"}


def callback_key(fingerprint: str) -> Key:
    return {"pk": f"CALLBACK#{fingerprint}", "sk": "CALLBACK"}


def rate_pk(rule: str, key: str) -> str:
    return f"RATE#{rule}#{key}"


def hand_off_stage(system_id: str, action: str) -> str:
    """The task item of one system and action handed off: ``TOKEN#HANDOFF#<system>#<action>``."""
    return f"HANDOFF#{system_id}#{action}"


def key_of(item: Mapping[str, Any]) -> Key:
    """The primary key of a stored (or index-projected) item."""
    return {"pk": str(item["pk"]), "sk": str(item["sk"])}


def request_id_of(item: Mapping[str, Any]) -> str:
    return str(item["pk"]).removeprefix(REQUEST_PREFIX)


def stage_of(item: Mapping[str, Any]) -> str:
    return str(item["sk"]).removeprefix(TASK_PREFIX)


AGENTS_PK = "AGENTS"
"""The one partition of the Data Rights Protocol agents the desk knows (a few dozen at most)."""


def protocol_agent_key(agent_id: str) -> Key:
    return {"pk": AGENTS_PK, "sk": f"AGENT#{agent_id}"}


def agent_token_key(token_hash: str) -> Key:
    return {"pk": f"DRPTOKEN#{token_hash}", "sk": "TOKEN"}


def signed_message_key(digest: str) -> Key:
    return {"pk": f"DRPMSG#{digest}", "sk": "SEEN"}


def agent_request_key(agent_id: str, agent_request_digest: str) -> Key:
    return {"pk": f"DRPREQ#{agent_id}#{agent_request_digest}", "sk": "REQUEST"}


def browser_signal_key(browser_hash: str) -> Key:
    return {"pk": f"GPC#BROWSER#{browser_hash}", "sk": "SIGNAL"}


def signal_count_key(year: int, jurisdiction: str) -> Key:
    return {"pk": f"GPC#COUNTS#{year}", "sk": jurisdiction}
