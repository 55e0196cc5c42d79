"""The bodies the public API takes and answers, and what each route documents it may answer
besides its success and 422 (each status with the body the API really answers it with)."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field

from dsr.appeals.appeals import MAX_STATEMENT_CHARACTERS
from dsr.core.desk_model import DeskModel
from dsr.web.http_errors import documented_answer

API_TITLE = "Privacy request API"
API_VERSION = "1.0.0"

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
DataPointName = Literal["phone", "postal_code", "last_invoice_amount", "account_created_month"]
StatusToken = Annotated[
    str, Field(min_length=10, max_length=100, description="the status token of the request")
]


class SubmittedRequest(DeskModel):
    request_id: str
    status: str
    respond_by: str
    status_token: str = Field(description="shows the status to whoever holds it; keep it private")
    status_url: str


class CodeSubmission(DeskModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^\d{6}$")
    data_points: dict[DataPointName, Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict,
        description="when the emailed code asks for them: details we hold, e.g. phone, postal_code",
    )


class VerificationAnswer(DeskModel):
    verified: bool
    message: str
    details_needed: int = Field(
        default=0, description="when the code is right but details are missing or do not match: how many"
    )
    details: list[str] = Field(
        default_factory=list, description="the names of the details we hold, to send in data_points"
    )


class AppealSubmission(DeskModel):
    model_config = ConfigDict(extra="forbid")

    token: StatusToken
    statement: str = Field(
        min_length=1, max_length=MAX_STATEMENT_CHARACTERS, description="why the subject disagrees"
    )


class AccountAssertionSubmission(DeskModel):
    model_config = ConfigDict(extra="forbid")

    assertion: str = Field(min_length=10, max_length=4096, description="signed by the product's login")


class NewCodeAsk(DeskModel):
    model_config = ConfigDict(extra="forbid")

    token: StatusToken


UNAVAILABLE = documented_answer("a store or service failed; trying again is safe (see Retry-After)")
THROTTLED = documented_answer("too many attempts from this address or for this request (see Retry-After)")
NOT_FOUND = documented_answer("no request matches that reference and token")
CANNOT_APPEAL = documented_answer("this request cannot be appealed (the message says why)")
VERIFIED = documented_answer("the identity is confirmed", VerificationAnswer)
NOT_VERIFIED = documented_answer("the code or the details did not match", VerificationAnswer)
KEY_CONFLICT = documented_answer("the same Idempotency-Key is in use with another body, or still in progress")
NOT_WAITING = documented_answer("the request is not waiting for a code")
