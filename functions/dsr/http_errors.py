"""Refusals as the API answers them (a message; for invalid input each field, where it was, and
why), and as its OpenAPI documents describe them."""

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from dsr.desk_model import DeskModel

if TYPE_CHECKING:  # the OpenAPI types are only needed to check; importing them costs a cold start
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse


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
