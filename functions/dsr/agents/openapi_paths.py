"""The Data Rights Protocol routes in the desk's public OpenAPI document (their shapes follow the
spec's section 2 and its drp-openapi.yaml, brought to 1.0: text/plain signed bodies, JSON answers,
the 3.06 error body)."""

import json
from typing import Any

from dsr.agents.exercise_status import ExerciseStatus

SIGNED_BODY = {
    "required": True,
    "description": "base64 of the Ed25519 signature (64 bytes) followed by the JSON message it signs",
    "content": {"text/plain": {"schema": {"type": "string", "maxLength": 65536}}},
}
ERROR = {"$ref": "#/components/schemas/DrpError"}
STATUS = {"$ref": "#/components/schemas/DrpExerciseStatus"}
BEARER: list[dict[str, list[str]]] = [{"DrpBearer": []}]
AGENT_ID = {
    "name": "agent_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Z_]{1,100}$"},
    "description": "the agent's id in the service directory",
}
REQUEST_ID = {
    "name": "request_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9a-f-]{36}$"},
}


def _refusal(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


THROTTLED = {
    **_refusal("too many calls from this agent; not fatal"),
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}},
}
NOT_OFFERED = _refusal("this business takes no Data Rights Protocol requests (no DrpBusinessId)")
NOT_THIS_AGENT = _refusal("no current token of an active agent, or not this agent's resource")
NO_TOKEN = {
    **_refusal("no Authorization header: no bearer token at all"),
    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
}
MESSAGE_REFUSED = {
    400: _refusal("the body does not decode, is not a JSON object, or a claim is missing or wrong (named)"),
    401: NO_TOKEN,
    403: _refusal("the signature, agent-id or business-id does not check out, or no current token"),
    409: _refusal("this signed message was accepted before (fatal), or the request cannot be revoked"),
    413: _refusal("the body is larger than 64 KiB"),
    429: THROTTLED,
    404: NOT_OFFERED,
}


def _status_answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": STATUS}}}


PATHS: dict[str, Any] = {
    "/v1/agent/{agent_id}": {
        "post": {
            "summary": "Pairwise key set-up (DRP 2.05)",
            "operationId": "drp_set_up_key",
            "parameters": [AGENT_ID],
            "requestBody": SIGNED_BODY,
            "responses": {
                "200": {
                    "description": "the agent's new token (its last stops working)",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DrpToken"}}},
                },
                "403": {"description": "any check failed: no body (2.05.1)"},
                "404": NOT_OFFERED,
            },
        },
        "get": {
            "summary": "Agent information: is the token still valid (DRP 2.06)",
            "operationId": "drp_agent_information",
            "parameters": [AGENT_ID],
            "security": BEARER,
            "responses": {
                "200": {
                    "description": "the token is the agent's",
                    "content": {"application/json": {"schema": {"type": "object", "maxProperties": 0}}},
                },
                "401": NO_TOKEN,
                "403": NOT_THIS_AGENT,
                "404": NOT_OFFERED,
            },
        },
    },
    "/v1/data-rights-request": {
        "post": {
            "summary": "Exercise a right (DRP 2.01)",
            "operationId": "drp_exercise",
            "security": BEARER,
            "requestBody": SIGNED_BODY,
            "responses": {
                "200": _status_answer("the request made, or the first one for its agent-request-id"),
                **MESSAGE_REFUSED,
            },
        },
    },
    "/v1/data-rights-request/{request_id}": {
        "get": {
            "summary": "The status of a request (DRP 2.02)",
            "operationId": "drp_status",
            "parameters": [REQUEST_ID],
            "security": BEARER,
            "responses": {
                "200": _status_answer("its status"),
                "401": NO_TOKEN,
                "403": NOT_THIS_AGENT,
                "404": NOT_OFFERED,
                "429": THROTTLED,
            },
        },
        "delete": {
            "summary": "Revoke a request (DRP 2.04)",
            "operationId": "drp_revoke",
            "parameters": [REQUEST_ID],
            "security": BEARER,
            "requestBody": SIGNED_BODY,
            "responses": {"200": _status_answer("revoked"), **MESSAGE_REFUSED},
        },
    },
}

DRP_METHODS = {
    "/v1/agent/{agent_id}": ("GET", "POST"),
    "/v1/data-rights-request": ("POST",),
    "/v1/data-rights-request/{request_id}": ("DELETE", "GET"),
}
"""What each DRP path takes; API Gateway sends its other methods (ANY) for a 405."""


def with_drp_routes(document: str) -> str:
    """The public OpenAPI document with the DRP routes, their schemas and the bearer scheme."""
    parsed = json.loads(document)
    parsed.setdefault("paths", {}).update(PATHS)
    components = parsed.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    status = ExerciseStatus.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    schemas.update(status.pop("$defs", {}))
    schemas["DrpExerciseStatus"] = status
    schemas["DrpError"] = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "fatal": {"type": "boolean"},
        },
    }
    schemas["DrpToken"] = {
        "type": "object",
        "required": ["agent-id", "token"],
        "properties": {"agent-id": {"type": "string"}, "token": {"type": "string"}},
    }
    components.setdefault("securitySchemes", {})["DrpBearer"] = {"type": "http", "scheme": "bearer"}
    return json.dumps(parsed)
