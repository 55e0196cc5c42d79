"""The Data Rights Exercise body (DRP 1.0, 2.01 and 3.04), and the desk request it becomes.

The rights (3.01) and what the desk does for each:

- ``sale:opt-out``: an opt-out of sale and sharing (needs no proof of identity, 11 CCR 7026(d));
- ``deletion``: erasure;
- ``access`` and ``access:specific``: access to the specific pieces, with a portable copy, which
  California asks to be verified to a reasonably high degree of certainty (11 CCR 7062(c)): the
  desk's portability rule (three data points);
- ``access:categories``: access at the desk's own rule for it, a reasonable degree (7062(b));
- ``sale:opt-in``: the desk takes no opt-in: refused as unsupported, and not offered in the
  business directory entry.

The jurisdiction: ``regime: ccpa`` is California's (US-CA); without a regime, the address claim's
country and region; without those, the deployment's default (``dsr.core.jurisdictions``).
"""

from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints, ValidationError

from dsr.core.desk_model import DeskModel
from dsr.core.models import NewRequest, Relationship, RequestType

Exercise = Literal[
    "sale:opt-out", "sale:opt-in", "deletion", "access", "access:categories", "access:specific"
]

REQUEST_TYPES_OF: Final[dict[str, list[RequestType]]] = {
    "sale:opt-out": [RequestType.SALE_SHARING_OPT_OUT],
    "deletion": [RequestType.ERASURE],
    "access": [RequestType.ACCESS, RequestType.PORTABILITY],
    "access:specific": [RequestType.ACCESS, RequestType.PORTABILITY],
    "access:categories": [RequestType.ACCESS],
}
SUPPORTED_ACTIONS: Final = tuple(REQUEST_TYPES_OF)
"""What the business directory entry lists (``supported_actions``)."""

RELATIONSHIP_HINTS: Final[dict[str, Relationship]] = {
    "account": Relationship.ACCOUNT_HOLDER,
    "account_holder": Relationship.ACCOUNT_HOLDER,
    "user": Relationship.ACCOUNT_HOLDER,
    "customer": Relationship.CUSTOMER_CONTACT,
    "marketing": Relationship.MARKETING_LEAD,
    "newsletter": Relationship.MARKETING_LEAD,
    "lead": Relationship.MARKETING_LEAD,
    "job_applicant": Relationship.JOB_APPLICANT,
    "applicant": Relationship.JOB_APPLICANT,
    "employment": Relationship.JOB_APPLICANT,
    "visitor": Relationship.WEBSITE_VISITOR,
    "website": Relationship.WEBSITE_VISITOR,
}
"""The agent's relationship hints the desk's relationships answer; any other hint is kept on the
request as sent, and the relationship stays ``other``."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class AddressClaim(DeskModel):
    """OpenID Connect Core 1.0's address claim (5.1.1)."""

    model_config = ConfigDict(extra="ignore")

    formatted: Annotated[str, StringConstraints(max_length=500)] | None = None
    street_address: Text | None = None
    locality: Text | None = None
    region: Text | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    country: Text | None = None


class ExerciseBody(DeskModel):
    """The signed exercise message's claims (the envelope is checked by ``signed_messages``)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    agent_id: str = Field(alias="agent-id")
    agent_request_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, alias="agent-request-id"
    )
    exercise: Exercise
    regime: Literal["ccpa"] | None = None
    relationships: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=list, max_length=20
    )
    status_callback: Annotated[str, StringConstraints(max_length=500)] | None = None
    name: Text | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)] | None = None
    email_verified: StrictBool = False
    phone_number: Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")] | None = None
    phone_number_verified: StrictBool = False
    address: AddressClaim | None = None
    address_verified: StrictBool = False
    power_of_attorney: Annotated[str, StringConstraints(max_length=4000)] | None = None

    def verified_claims(self) -> list[str]:
        """The claims the agent marks verified (and gave): ``email``, ``phone_number``, ``address``."""
        given = {"email": self.email, "phone_number": self.phone_number, "address": self.address}
        marked = {
            "email": self.email_verified,
            "phone_number": self.phone_number_verified,
            "address": self.address_verified,
        }
        return [name for name in given if given[name] and marked[name]]


class ExerciseRefused(Exception):  # noqa: N818 - a refusal, answered as the protocol's error
    """The exercise cannot be taken: ``message`` names the field and the problem."""

    def __init__(self, message: str, status: int = 400) -> None:
        self.message = message
        self.status = status
        super().__init__(message)


def read_exercise(claims: Mapping[str, Any]) -> ExerciseBody:
    """The exercise's claims as a model; ``ExerciseRefused`` naming the first field that is wrong."""
    try:
        body = ExerciseBody.model_validate(claims)
    except ValidationError as problem:
        first = problem.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise ExerciseRefused(f"{field}: {first['msg']}") from problem
    if body.exercise not in REQUEST_TYPES_OF:
        raise ExerciseRefused(
            f"exercise {body.exercise} is unsupported: this business takes {', '.join(SUPPORTED_ACTIONS)}"
        )
    if not body.email:
        raise ExerciseRefused(
            "email: the claim is needed; the business reaches and verifies the person by email"
        )
    return body


def relationship_of(hints: list[str]) -> Relationship:
    for hint in hints:
        found = RELATIONSHIP_HINTS.get(hint.strip().lower())
        if found is not None:
            return found
    return Relationship.OTHER


def _country_code(country: str | None) -> str | None:
    if not country:
        return None
    import pycountry  # noqa: PLC0415 - only an address claim with a country name needs the tables

    text = country.strip()
    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return str(found.alpha_2)


def _region_code(country: str | None, region: str | None) -> str | None:
    if not country or not region:
        return None
    import pycountry  # noqa: PLC0415 - as for the country

    text = region.strip().upper()
    for subdivision in pycountry.subdivisions.get(country_code=country) or []:  # type: ignore[no-untyped-call]
        code = str(subdivision.code).split("-", 1)[1]
        if text in (code, str(subdivision.name).upper()):
            return code
    return None


def new_request(body: ExerciseBody, *, agent_name: str, agent_email: str | None) -> NewRequest:
    """The desk's request for the exercise; ``ExerciseRefused`` naming the claim a desk request
    cannot take (an email address that cannot receive mail, say)."""
    address = body.address or AddressClaim()
    country = _country_code(address.country)
    region = _region_code(country, address.region)
    postal = (
        {
            "street": address.street_address,
            "city": address.locality,
            "region": region,
            "postal_code": address.postal_code,
            "country": country,
        }
        if address.street_address and address.locality and country
        else None
    )
    subject: dict[str, Any] = {"email": body.email, "name": body.name or None, "phone": body.phone_number}
    if postal:
        subject["postal_address"] = postal
    fields: dict[str, Any] = {
        "request_types": REQUEST_TYPES_OF[body.exercise],
        "subject": {name: value for name, value in subject.items() if value},
        "relationship": relationship_of(body.relationships),
        "jurisdiction": "US-CA" if body.regime == "ccpa" else None,
        "country": None if body.regime == "ccpa" else country,
        "region": None if body.regime == "ccpa" else region,
    }
    if body.power_of_attorney and agent_email:
        import base64  # noqa: PLC0415 - only a power of attorney is kept as a document

        fields["agent"] = {
            "name": agent_name,
            "email": agent_email,
            "organisation": agent_name,
            "power_of_attorney": True,
            "permission_document": base64.b64encode(body.power_of_attorney.encode()).decode(),
        }
    try:
        return NewRequest.model_validate(fields)
    except ValidationError as problem:
        first = problem.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        claim = {"subject.email": "email", "subject.phone": "phone_number", "subject.name": "name"}.get(
            field,
            "address"
            if field.startswith("subject.postal_address") or field in ("country", "region")
            else field,
        )
        raise ExerciseRefused(f"{claim}: {first['msg']}") from problem
