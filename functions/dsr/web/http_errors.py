"""Refusals as the API answers them (a message; for invalid input each field, where it was, and
why), and as its OpenAPI documents describe them.

Each kind of refusal (``dsr.core.refusals``) has one status, registered once on an API's resolver by
:func:`answer_refusals`: a route lets the domain's error go, and the caller gets the status, the
error's sentence and its details. The mapping names the kinds, never the modules that raise
them, so a route's lazily imported module stays unloaded until that route runs."""

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from dsr.core.desk_model import DeskModel
from dsr.core.refusals import (
    NoSuchItemError,
    NotPermittedError,
    RefusalError,
    SignInRequiredError,
    StateConflictError,
)

if TYPE_CHECKING:  # the OpenAPI types are only needed to check; importing them costs a cold start
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

# The one place a kind of refusal becomes a status.
STATUS_OF_REFUSAL: dict[type[RefusalError], int] = {
    SignInRequiredError: 401,
    NotPermittedError: 403,
    NoSuchItemError: 404,
    StateConflictError: 409,
}


def invalid_fields(errors: Sequence[Any]) -> dict[str, Any]:
    """The body of a 422: ``detail`` lists ``loc`` (where), ``type`` (what kind) and ``msg`` (why)."""
    detail = [
        {
            "loc": list(error.get("loc", ())),
            "type": error.get("type", "invalid"),
            "msg": str(error.get("msg", "invalid value")).removeprefix("Value error, "),
        }
        for error in errors
    ]
    fields = ", ".join(".".join(str(part) for part in item["loc"][1:]) or "body" for item in detail)
    return {"message": f"Invalid request: {fields}", "detail": detail}


class ErrorMessage(DeskModel):
    """The body of every refusal: what is wrong, in a sentence."""

    message: str


class InvalidField(DeskModel):
    loc: list[str | int] = Field(description="where: body, query or path, then the field's path")
    type: str = Field(description="what kind of problem")
    msg: str = Field(description="why the value was refused")


class InvalidRequest(DeskModel):
    """The body of a 422: the fields that were refused."""

    message: str
    detail: list[InvalidField]


def documented_answer(description: str, model: type[BaseModel] = ErrorMessage) -> "OpenAPIResponse":
    """One answer of a route in its OpenAPI document: the status's description and its body."""
    return {"description": description, "content": {"application/json": {"model": model}}}


# What the body checks (``http_guards.refusal``) answer, before a route reads the body.
TOO_LARGE = documented_answer("the body is larger than 512 KiB")
BODY_REFUSALS: "dict[int, OpenAPIResponse]" = {
    400: documented_answer("the body is not UTF-8 text, or nests more than 32 levels deep"),
    413: TOO_LARGE,
    415: documented_answer("the body was not sent as the route's content type (application/json)"),
}


def with_invalid_request_schema(document: str) -> str:
    """An OpenAPI document whose 422s have the body the API answers (``message`` and ``detail``)
    rather than Powertools' own ``HTTPValidationError`` (``detail`` alone)."""
    parsed = json.loads(document)
    schemas = parsed.get("components", {}).get("schemas", {})
    if "HTTPValidationError" in schemas:
        answered = InvalidRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(answered.pop("$defs", {}))
        schemas["HTTPValidationError"] = answered
        schemas.pop("ValidationError", None)
    return json.dumps(parsed)


def refused(status: int, error: RefusalError) -> Response[dict[str, Any]]:
    """The answer to a refusal: its sentence, and what the caller may need beside it."""
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"message": str(error), **error.details},
    )


def invalid_input(error: RequestValidationError) -> Response[dict[str, Any]]:
    """A 422 naming each field that was refused, where it was, and why."""
    return Response(
        status_code=422, content_type=content_types.APPLICATION_JSON, body=invalid_fields(error.errors())
    )


def _answering(status: int) -> Callable[[RefusalError], Response[dict[str, Any]]]:
    def answer(error: RefusalError) -> Response[dict[str, Any]]:
        return refused(status, error)

    return answer


def answer_refusals(resolver: "ApiGatewayResolver") -> None:
    """Register, once per API, the answer to every kind of refusal and to invalid input. A
    handler the API registers for a narrower error (a subject told less than staff) wins, as
    Powertools looks an error's own class up before its bases."""
    for kind, status in STATUS_OF_REFUSAL.items():
        resolver.exception_handler(kind)(_answering(status))
    resolver.exception_handler(RequestValidationError)(invalid_input)
