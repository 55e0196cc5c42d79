"""The request as every channel, stage and store sees it."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self, cast

from pydantic import (
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.config import JsonDict, JsonValue
from pydantic_core import InitErrorDetails, PydanticCustomError

from dsr.core.desk_model import DeskModel
from dsr.core.field_types import (
    CountryCode,
    FreeText,
    Jurisdiction,
    LanguageTag,
    RegionCode,
    documented_country,
    unknown_subdivision,
)
from dsr.core.identities import (
    AuthorizedAgent,
    Correction,
    RecordedIdentity,
    SubjectIdentity,
    normalized_phone,
)
from dsr.core.jurisdictions import infer_jurisdiction
from dsr.core.protocol_agents import ProtocolAgentLink


class RequestType(StrEnum):
    ACCESS = "access"
    PORTABILITY = "portability"
    ERASURE = "erasure"
    RECTIFICATION = "rectification"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    MARKETING_OPT_OUT = "marketing_opt_out"
    SALE_SHARING_OPT_OUT = "sale_sharing_opt_out"
    LIMIT_SENSITIVE = "limit_sensitive"
    """California's request to limit the use of sensitive personal information (11 CCR 7027):
    its own type, since a GDPR restriction (Art. 18) holds data while a dispute is settled, while
    a limit keeps the business using sensitive data only for the purposes 7027(m) allows."""
    ADMT_OPT_OUT = "admt_opt_out"
    """Opt out of automated decision-making technology used for significant decisions (11 CCR 7221)."""
    ADMT_ACCESS = "admt_access"
    """Information about the automated decision-making technology used about the person (11 CCR 7222)."""
    THIRD_PARTY_LIST = "third_party_list"
    """The specific third parties the person's data was disclosed to (ORS 646A.574(1)(a)(B))."""
    PROFILING_REVIEW = "profiling_review"
    """Question the result of profiling, learn its reason and have it reviewed (Minn. Stat. 325M.14)."""


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
    DRP = "drp"
    """From an authorized agent over the Data Rights Protocol (``PrivacyRequest.protocol_agent``)."""
    GPC = "gpc"
    """Opened by a Global Privacy Control signal from a known person (``dsr.verification.gpc_signals``)."""


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

    documented_country(schema)
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
    protocol_agent: ProtocolAgentLink | None = None
    """The authorized agent that sent the request over the Data Rights Protocol, if one did."""
    preferred_language: str | None = None
    language: str | None = None
    """The language the desk speaks to the subject in, chosen at intake (``dsr.core.languages``):
    one the desk ships, such as ``fr_CA``. None on requests recorded before languages were chosen."""
    global_privacy_control: bool = False
    linked_to: str | None = None
    subject_hash: str | None = None
    package_key: str | None = None
    readable_package_key: str | None = None
    package_available_until: datetime | None = None
    package_held_at: datetime | None = None
    """When the access package was held for a reviewer's release (``dsr.fulfilment.package_review``)."""
    workflow_started_at: datetime | None = None
    acknowledged_at: datetime | None = None
    closing_notice_sent_at: datetime | None = None
    closed_at: datetime | None = None
    records_kept_until: datetime | None = None
    """The record (and, by TTL, every item of the request) expires after this."""
    identity_reduced_at: datetime | None = None
    profiling_review_answer: dict[str, str] | None = None
    """Staff's answer to a profiling review: decision_reason, review_result, reviewed_by."""
    assigned_to: str | None = None
    """The staff member who works the request, as the queue shows it (``dsr.review.bulk``)."""

    @property
    def request_types_answered_without_systems_only(self) -> bool:
        """Asks only for what no system acts on: a third-party list, a profiling review."""
        return set(self.request_types) <= {RequestType.THIRD_PARTY_LIST, RequestType.PROFILING_REVIEW}


class AuditEvent(DeskModel):
    """One line of a request's append-only trail: who or what did what, with which outcome."""

    request_id: str
    at: datetime
    actor: str
    action: str
    outcome: str
    detail: dict[str, str | int | bool | None] = Field(default_factory=dict)
