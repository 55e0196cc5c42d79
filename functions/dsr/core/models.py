"""The request as every channel, stage and store sees it."""

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Literal, Self, cast

from pydantic import (
    AfterValidator,
    Base64Bytes,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict, JsonValue
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError

from dsr.core.desk_model import DeskModel
from dsr.core.jurisdictions import infer_jurisdiction


class RequestType(StrEnum):
    ACCESS = "access"
    PORTABILITY = "portability"
    ERASURE = "erasure"
    RECTIFICATION = "rectification"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    MARKETING_OPT_OUT = "marketing_opt_out"
    SALE_SHARING_OPT_OUT = "sale_sharing_opt_out"


class Relationship(StrEnum):
    """How the subject relates to the company, in the words of its privacy policy."""

    ACCOUNT_HOLDER = "account_holder"
    CUSTOMER_CONTACT = "customer_contact"
    MARKETING_LEAD = "marketing_lead"
    JOB_APPLICANT = "job_applicant"
    WEBSITE_VISITOR = "website_visitor"
    OTHER = "other"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"


class Status(StrEnum):
    RECEIVED = "RECEIVED"
    VERIFYING = "VERIFYING"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    PARTIALLY_COMPLETED = "PARTIALLY_COMPLETED"
    DENIED = "DENIED"
    UNVERIFIABLE = "UNVERIFIABLE"
    FAILED = "FAILED"
    LINKED = "LINKED"
    CANCELLED = "CANCELLED"
    """Withdrawn before anything was carried out: at the subject's word, or by staff (spam, a test)."""

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STATUSES


CLOSED_STATUSES = frozenset(
    {
        Status.COMPLETED,
        Status.PARTIALLY_COMPLETED,
        Status.DENIED,
        Status.UNVERIFIABLE,
        Status.FAILED,
        Status.LINKED,
        Status.CANCELLED,
    }
)

# Characters no name or message needs, refused at intake: control characters (NUL is dropped
# instead, as some clients append one) and the bidirectional embeddings, overrides and isolates,
# which make text read differently from what it is ("U+202E" turns "exe.txt" into "txt.exe").
# The marks that only set a direction (U+200E, U+200F, U+061C) and the joiners scripts need stay.
BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS: Final = frozenset("\t\n\r")


def control_character_problem(text: str, *, line_breaks: bool) -> str | None:
    """Why ``text`` cannot be taken in, naming the first character refused; None if it can."""
    for character in text:
        if character in BIDI_CONTROLS:
            return (
                f"contains a character that changes the direction text is shown in "
                f"(U+{ord(character):04X}); remove it"
            )
        if unicodedata.category(character) == "Cc" and not (line_breaks and character in LINE_BREAKS):
            return f"contains a control character (U+{ord(character):04X}); remove it"
    return None


def without_control_characters(text: str) -> str:
    """``text`` with every character :func:`control_character_problem` refuses taken out (line
    breaks kept): for free text that arrives by email, where refusing would lose the message."""
    return "".join(
        character
        for character in text
        if character not in BIDI_CONTROLS
        and (unicodedata.category(character) != "Cc" or character in LINE_BREAKS)
    )


def _without_nul(value: object) -> object:
    return value.replace("\x00", "") if isinstance(value, str) else value


def _single_line(value: str) -> str:
    problem = control_character_problem(value, line_breaks=False)
    if problem:
        raise PydanticCustomError("control_character", problem)
    return value


def _free_text(value: str) -> str:
    problem = control_character_problem(value, line_breaks=True)
    if problem:
        raise PydanticCustomError("control_character", problem)
    return value


# The same rule in the OpenAPI document, as a pattern (what the validators above check in code);
# NUL is allowed there, as it is dropped, but it does not make a value more than spaces.
_REFUSED_IN_A_LINE = r"\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_REFUSED_IN_TEXT = r"\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"


class _DocumentedPattern:
    """Puts ``pattern`` in a type's JSON schema, over any the type already has there."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


def _documented(refused: str, *, non_blank: bool = False) -> _DocumentedPattern:
    if non_blank:
        return _DocumentedPattern(f"^[^{refused}]*[^{refused}\\s\\x00\\x1c-\\x1f\\x85][^{refused}]*$")
    return _DocumentedPattern(f"^[^{refused}]*$")


SingleLine = [AfterValidator(_single_line), BeforeValidator(_without_nul), _documented(_REFUSED_IN_A_LINE)]
NonBlankLine = [
    AfterValidator(_single_line),
    BeforeValidator(_without_nul),
    _documented(_REFUSED_IN_A_LINE, non_blank=True),
]
FreeText = [AfterValidator(_free_text), BeforeValidator(_without_nul), _documented(_REFUSED_IN_TEXT)]
NonBlankText = [
    AfterValidator(_free_text),
    BeforeValidator(_without_nul),
    _documented(_REFUSED_IN_TEXT, non_blank=True),
]
# More than spaces, as the document says too (the spaces around a value are dropped): a character
# that is no space to JSON Schema's regular expressions nor to Python's str.strip(), which also
# strips the separators \x1c-\x1f and NEL (\x85).
NOT_ONLY_SPACES = r"[^\s\x1c-\x1f\x85]"
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NOT_ONLY_SPACES),
    *NonBlankLine,
]
AccountId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _iso_country(code: str) -> str:
    """An ISO 3166-1 alpha-2 code that names a country (``XX`` does not)."""
    import pycountry  # noqa: PLC0415 - its data load on first use; only submissions check a country

    if pycountry.countries.get(alpha_2=code) is None:
        raise PydanticCustomError(
            "country_code",
            "{code} is not a country code (ISO 3166-1): use two letters such as GB, DE or US",
            {"code": code},
        )
    return code


def unknown_subdivision(country: str, region: str) -> bool:
    """True unless ``region`` is one of ``country``'s ISO 3166-2 subdivisions (``US`` and ``CA``)."""
    import pycountry  # noqa: PLC0415 - as for the country

    return pycountry.subdivisions.get(code=f"{country}-{region}") is None  # type: ignore[no-untyped-call]


# The before-validators are listed last so that they run first, ahead of the pattern.
CountryCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_iso_country), BeforeValidator(_upper)
]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,3}$"), BeforeValidator(_upper)]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)]
Jurisdiction = Literal[
    "EU", "UK", "US-CA", "US-VA", "US-CO", "US-CT", "US-TX", "US-UT", "BR", "CA", "CA-QC", "DEFAULT"
]
MAX_PERMISSION_DOCUMENT_BYTES = 300 * 1024


def _any_case(name: str) -> str:
    return "".join(f"[{letter.lower()}{letter.upper()}]" for letter in name)


# The email validator refuses the special-use domains (RFC 6761) mail cannot be delivered to; the
# document says so with a pattern, as it cannot name the validator.
SPECIAL_USE_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")
DELIVERABLE_EMAIL = r"^[^@]+@(?!(?:[^@]*\.)?(?:" + "|".join(map(_any_case, SPECIAL_USE_DOMAINS)) + r")\.?$)"
DeliverableEmail = Annotated[
    EmailStr, WithJsonSchema({"type": "string", "format": "email", "pattern": DELIVERABLE_EMAIL})
]
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$"


def _strict_base64(value: object) -> object:
    """Standard base64 with its padding, nothing else: what the document's pattern says."""
    if isinstance(value, str) and not re.match(BASE64, value):
        raise ValueError("not base64 (A-Z, a-z, 0-9, + and /, padded with =)")
    return value


def _country_codes() -> list[str]:
    import pycountry  # noqa: PLC0415 - as for the country, when the document is first built

    return sorted(country.alpha_2 for country in pycountry.countries)


def _documented_country(schema: JsonDict) -> None:
    """The document lists the country codes ``_iso_country`` accepts, rather than a pattern."""
    codes: JsonDict = {"type": "string", "enum": list[JsonValue](_country_codes())}
    country = cast(dict[str, Any], schema["properties"])["country"]
    if "anyOf" in country:
        country["anyOf"] = [codes, {"type": "null"}]
    else:
        country.pop("pattern", None)
        country.update(codes)


class PostalAddress(DeskModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_documented_country)

    street: ShortText
    city: ShortText
    region: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), *SingleLine] | None = (
        None
    )
    postal_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=20), *SingleLine] | None
    ) = None
    country: CountryCode


class RecordedIdentity(DeskModel):
    """Who the request is about, as the request records it. Every value was checked as it came in
    (``SubjectIdentity``), so a stage reads it back as stored: no function but intake loads the
    email validator."""

    email: str
    name: str | None = None
    phone: str | None = None
    postal_address: PostalAddress | None = None
    account_id: str | None = None


class SubjectIdentity(RecordedIdentity):
    """Who the request is about, as submitted. Email is how we reach and verify the subject."""

    # Built on first use: only the channels that take submissions validate one.
    model_config = ConfigDict(extra="forbid")

    email: DeliverableEmail
    name: ShortText | None = None
    # "phone" names the format for the document's readers: a number valid in its country.
    phone: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=40),
            WithJsonSchema({"type": "string", "maxLength": 40, "format": "phone"}),
            *SingleLine,
        ]
        | None
    ) = Field(default=None, description="any common format; stored in E.164 (+442071234567)")
    postal_address: PostalAddress | None = None
    account_id: AccountId | None = None


def normalized_phone(raw: str, region: str | None) -> str:
    """E.164 form of a phone number, read in the subject's country when it has no +prefix."""
    import phonenumbers  # noqa: PLC0415 - large metadata; only requests that give a phone need it

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError("not a phone number; use the international form, e.g. +44 20 7123 4567") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Correction(DeskModel):
    """One field the subject wants corrected, and to what."""

    model_config = ConfigDict(extra="forbid")

    field: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NOT_ONLY_SPACES),
        *NonBlankLine,
    ]
    current_value: Annotated[str, StringConstraints(max_length=500), *FreeText] | None = None
    corrected_value: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=NOT_ONLY_SPACES),
        *NonBlankText,
    ]


class AuthorizedAgent(DeskModel):
    """Someone acting for the subject, with the subject's signed permission."""

    model_config = ConfigDict(extra="forbid")

    name: ShortText
    email: DeliverableEmail
    organisation: ShortText | None = None
    permission_document: Annotated[
        Base64Bytes,
        BeforeValidator(_strict_base64),
        WithJsonSchema(
            {
                "type": "string",
                "contentEncoding": "base64",
                "pattern": BASE64,
                "minLength": 4,
                "maxLength": MAX_PERMISSION_DOCUMENT_BYTES * 4 // 3,
            }
        ),
    ] = Field(description="the signed permission, base64-encoded (PDF or image), at most 300 KiB")
    power_of_attorney: StrictBool = False

    @field_validator("permission_document")
    @classmethod
    def _not_too_large(cls, document: bytes) -> bytes:
        if not document:
            raise ValueError("the signed permission document is empty")
        if len(document) > MAX_PERMISSION_DOCUMENT_BYTES:
            raise ValueError("the signed permission document is larger than 300 KiB")
        return document


# The rule of ``_corrections_go_with_rectification``, in the document too.
CORRECTIONS_GO_WITH_RECTIFICATION: JsonDict = {
    "anyOf": [
        {
            "required": ["request_types", "corrections"],
            "properties": {
                "request_types": {"contains": {"const": "rectification"}},
                "corrections": {"minItems": 1},
            },
        },
        {
            "properties": {
                "request_types": {"not": {"contains": {"const": "rectification"}}},
                "corrections": {"maxItems": 0},
            },
        },
    ]
}


# The regions the document lists: those of the countries whose laws differ by region. The API
# takes any ISO 3166-2 subdivision of the stated country.
DOCUMENTED_REGIONS_OF = ("US", "CA")


def _documented_new_request(schema: JsonDict) -> None:
    """The country codes, corrections with rectification, and a region only with its country."""
    import pycountry  # noqa: PLC0415 - as for the country

    _documented_country(schema)
    with_its_country: list[JsonValue] = [
        {
            "required": ["country", "region"],
            "properties": {
                "country": {"const": country},
                "region": {
                    "enum": sorted(
                        subdivision.code.split("-", 1)[1]
                        for subdivision in pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
                    )
                },
            },
        }
        for country in DOCUMENTED_REGIONS_OF
    ]
    region_rule: JsonDict = {"anyOf": [{"properties": {"region": {"type": "null"}}}, *with_its_country]}
    schema["allOf"] = [CORRECTIONS_GO_WITH_RECTIFICATION, region_rule]
    region = cast(dict[str, Any], schema["properties"])["region"]
    region["description"] = (
        "an ISO 3166-2 subdivision of the country, such as CA in US; listed here for US and CA"
    )


class NewRequest(DeskModel):
    """A submission, from any channel, before it is recorded."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_documented_new_request)

    request_types: list[RequestType] = Field(min_length=1, max_length=len(RequestType))
    subject: SubjectIdentity
    relationship: Relationship = Relationship.OTHER
    jurisdiction: Jurisdiction | None = Field(
        default=None, description="stated by the subject; inferred from country and region if absent"
    )
    country: CountryCode | None = None
    region: RegionCode | None = None
    corrections: list[Correction] = Field(default_factory=list, max_length=50)
    agent: AuthorizedAgent | None = None
    details: Annotated[str, StringConstraints(max_length=4000), *FreeText] | None = None
    preferred_language: LanguageTag | None = None

    @model_validator(mode="after")
    def _phone_in_e164(self) -> Self:
        """A number without +prefix is read in the country of the address, else the stated country."""
        if self.subject.phone is not None:
            address = self.subject.postal_address
            region = address.country if address else self.country
            try:
                self.subject.phone = normalized_phone(self.subject.phone, region)
            except ValueError as problem:
                detail = InitErrorDetails(
                    type=PydanticCustomError("phone_number", str(problem)),
                    loc=("subject", "phone"),
                    input=self.subject.phone,
                )
                raise ValidationError.from_exception_data(type(self).__name__, [detail]) from problem
        return self

    @model_validator(mode="after")
    def _region_of_the_country(self) -> Self:
        """A region is an ISO 3166-2 subdivision of the stated country (``CA`` of ``US``)."""
        if self.region is None:
            return self
        address = self.subject.postal_address
        country = self.country or (address.country if address else None)
        if country is None:
            problem = PydanticCustomError(
                "region_without_country",
                "a region needs its country: give the country too, such as US for CA",
            )
        elif unknown_subdivision(country, self.region):
            problem = PydanticCustomError(
                "region_code",
                "{region} is not a region of {country} (ISO 3166-2): use its code, such as CA in US",
                {"region": self.region, "country": country},
            )
        else:
            return self
        detail = InitErrorDetails(type=problem, loc=("region",), input=self.region)
        raise ValidationError.from_exception_data(type(self).__name__, [detail])

    @model_validator(mode="after")
    def _corrections_go_with_rectification(self) -> Self:
        asks_rectification = RequestType.RECTIFICATION in self.request_types
        if asks_rectification and not self.corrections:
            raise ValueError("a rectification request needs corrections: each field and its corrected value")
        if self.corrections and not asks_rectification:
            raise ValueError("corrections were given but rectification was not asked for")
        return self

    def resolved_jurisdiction(self) -> str:
        if self.jurisdiction:
            return self.jurisdiction
        country = self.country or (
            self.subject.postal_address.country if self.subject.postal_address else None
        )
        return infer_jurisdiction(country, self.region)


class AgentRecord(DeskModel):
    """What the request keeps about an agent: the document itself is stored encrypted in S3."""

    name: str
    email: str
    organisation: str | None = None
    power_of_attorney: bool = False
    permission_document_key: str


class RequestForSystems(DeskModel):
    """What a task carrying out one system's part reads of a request: who the subject is, how
    they were verified, the account ids resolved for them and their corrections. Nothing else of
    the request is read by the tasks that reach into every system."""

    request_id: str
    subject: RecordedIdentity
    verification_level: str | None = None
    resolved_account_ids: list[str] = Field(default_factory=list)
    corrections: list[Correction] = Field(default_factory=list)
    country: str | None = None


class PrivacyRequest(RequestForSystems):
    """The recorded request: what the stages read and update."""

    request_types: list[RequestType]
    relationship: Relationship
    jurisdiction: str
    channel: Channel
    status: Status
    received_at: datetime
    respond_by: datetime
    """The legal response date (the end of the local due day, in UTC); extended if staff extend."""
    acknowledge_by: datetime | None = None
    target_by: datetime | None = None
    """The company's internal target, stricter than the law; reminders follow the earlier."""
    extended_respond_by: datetime | None = None
    """The latest the law allows with an extension; None where it allows none."""
    extension_notice_by: datetime | None = None
    extended_at: datetime | None = None
    extension_reason: str | None = None
    clock_started_at: datetime | None = None
    """Where the law restarts the clock (UK: identification received), the new start."""
    paused_at: datetime | None = None
    """Waiting for the subject's clarification, where the law stops the clock meanwhile."""
    paused_days: int = 0
    deadline_policy: str | None = None
    deadline_policy_version: str | None = None
    watch_at: datetime | None = None
    """When the desk starts to worry: the earlier of the target and the legal date (the index key)."""
    details: str | None = None
    region: str | None = None
    agent: AgentRecord | None = None
    preferred_language: str | None = None
    global_privacy_control: bool = False
    linked_to: str | None = None
    subject_hash: str | None = None
    package_key: str | None = None
    readable_package_key: str | None = None
    package_available_until: datetime | None = None
    workflow_started_at: datetime | None = None
    acknowledged_at: datetime | None = None
    closing_notice_sent_at: datetime | None = None
    closed_at: datetime | None = None
    records_kept_until: datetime | None = None
    """The record (and, by TTL, every item of the request) expires after this."""
    identity_reduced_at: datetime | None = None


class AuditEvent(DeskModel):
    """One line of a request's append-only trail: who or what did what, with which outcome."""

    request_id: str
    at: datetime
    actor: str
    action: str
    outcome: str
    detail: dict[str, str | int | bool | None] = Field(default_factory=dict)
