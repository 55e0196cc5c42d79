"""The system registry: every place that holds personal data, and what can be done there.

The registry is a YAML file a privacy team keeps. It is validated when loaded; a mistake is
reported with the system and field at fault rather than discovered mid-request.

Each system declares the actions it supports (see ``SystemActions``), and may declare retention
exemptions: an action the law does not let us carry out in full (invoices kept for tax law), what
is done instead, and the reason and citation the subject is told.
"""

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, EmailStr, Field, ValidationError, model_validator

from dsr.core.actions import Action
from dsr.core.desk_model import DeskModel

SystemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,62}$")]
AttributeName = Annotated[str, Field(min_length=1, max_length=255)]
CorrectionField = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,99}$")]
FlagValue = str | bool | int
Replacement = str | bool | int | None
"""What anonymizing writes instead of a personal value; ``null`` removes the value."""

# The identities an s3_objects key template may use. An email address never appears in a key:
# {email_hash} is the SHA-256 hex digest of the address, trimmed and lower-cased.
KEY_TEMPLATE_PLACEHOLDERS = frozenset({"email_hash", "account_id"})


class RegistryModel(DeskModel):
    """Unknown fields are refused, so a misspelt key is an error rather than silently ignored.

    Validators are built when first used, not at import: most functions never read this file."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------------------- stores


IdentityKind = Literal["email", "account_id"]
"""What finds a subject: the verified email, or an account id (vouched for by the product, or
resolved from the email in a system that ``provides`` it)."""


class DynamoDbStore(RegistryModel):
    kind: Literal["dynamodb"]
    table: str
    index: str | None = Field(
        default=None, description="index keyed by the identity attribute, projecting ALL attributes"
    )
    identity_attribute: str
    identity: IdentityKind = Field(default="email", description="what the identity attribute holds")
    key_attributes: list[str] = Field(min_length=1, max_length=2)


AccountId = Annotated[str, Field(pattern=r"^\d{12}$")]


class S3Bucket(RegistryModel):
    """A bucket the desk reads and changes but does not own: its stack never created it."""

    bucket: str
    owner_account: AccountId | None = Field(
        default=None,
        description="the AWS account that owns the bucket, named on every call to it "
        "(ExpectedBucketOwner), so a bucket of the same name in another account is never read or "
        "written; default: the desk's own account",
    )


class S3LinesStore(S3Bucket):
    """Objects of many records each, one record a line, under a prefix: archives, logs, exports."""

    prefix: str = ""
    identity_attribute: str = Field(description="the field or column that holds the subject's email")


class S3JsonLinesStore(S3LinesStore):
    kind: Literal["s3_jsonl"]


class S3CsvStore(S3LinesStore):
    """CSV with a header row naming the columns."""

    kind: Literal["s3_csv"]


class S3ObjectsStore(S3Bucket):
    """Objects that belong to one subject each (CVs, uploads), found under a per-subject prefix."""

    kind: Literal["s3_objects"]
    key_template: str = Field(
        description="the subject's prefix, e.g. cvs/{email_hash}/; placeholders: "
        + ", ".join(sorted(KEY_TEMPLATE_PLACEHOLDERS))
    )
    max_inline_bytes: int = Field(
        default=5 * 1024 * 1024, ge=0, description="larger objects are exported as metadata only"
    )

    @model_validator(mode="after")
    def _template_finds_one_subject(self) -> Self:
        problems = key_template_problems(self.key_template)
        if problems:
            raise ValueError("key_template: " + "; ".join(problems))
        return self

    @property
    def placeholders(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.key_template) if name}


def key_template_problems(template: str) -> list[str]:
    """Why ``template`` cannot name one subject's prefix safely; empty if it can."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        return [f"not a template: {error}"]
    names = [name for _, name, _, _ in parts if name is not None]
    problems = []
    if "email" in names:
        problems.append(
            "an email address must never appear in an object key; use {email_hash} "
            "(SHA-256 hex of the trimmed, lower-cased address)"
        )
    unknown = sorted(set(names) - KEY_TEMPLATE_PLACEHOLDERS - {"email"})
    if unknown:
        allowed = ", ".join(f"{{{p}}}" for p in sorted(KEY_TEMPLATE_PLACEHOLDERS))
        problems.append(f"unknown placeholder(s) {', '.join(unknown)}; use {allowed}")
    if not names:
        problems.append("needs a placeholder naming the subject, e.g. cvs/{email_hash}/")
    if any(spec or conversion for _, name, spec, conversion in parts if name is not None):
        problems.append("placeholders take no format spec or conversion")
    following = [parts[i + 1][0] if i + 1 < len(parts) else "" for i, p in enumerate(parts) if p[1]]
    if not template.endswith("/") or any(not text.startswith("/") for text in following):
        problems.append("each placeholder must be followed by '/' and the template end with '/'")
    return problems


# ------------------------------------------------------------------------------ hand-offs
# Data the desk cannot change itself: it asks whoever can, and waits for their answer.

EnvironmentName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,127}$")]


class HandOffRoute(RegistryModel):
    answer_within_days: int = Field(
        default=14, ge=1, le=90, description="after this, the task fails and staff are told"
    )


class OpenDsrProcessor(HandOffRoute):
    """A subprocessor that takes requests over OpenDSR 2.0 (or OpenGDPR 1) and calls back, signed."""

    kind: Literal["opendsr"]
    domain: str = Field(
        pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
        description="the processor's domain: its callbacks name it and its certificate must",
    )
    base_url: str | None = Field(default=None, description="https URL of the processor's OpenDSR API")
    base_url_env: EnvironmentName | None = Field(
        default=None, description="or the environment variable that holds it (differs per deployment)"
    )
    identity_format: Literal["raw", "sha256", "sha1", "md5"] = "sha256"

    @model_validator(mode="after")
    def _one_way_to_the_processor(self) -> Self:
        if (self.base_url is None) == (self.base_url_env is None):
            raise ValueError("give exactly one of base_url and base_url_env")
        if self.base_url is not None and not self.base_url.startswith("https://"):
            raise ValueError("base_url must be https")
        return self

    def resolved_base_url(self, environment: Mapping[str, str]) -> str:
        if self.base_url is not None:
            return self.base_url
        url = environment.get(str(self.base_url_env), "")
        if not url:
            raise RegistryError(f"environment variable {self.base_url_env} (the processor's URL) is not set")
        return url


class VendorByEmail(HandOffRoute):
    """A vendor without an API: the desk emails instructions; staff confirm the vendor's answer."""

    kind: Literal["vendor_email"]
    vendor: str = Field(min_length=1, max_length=200)
    privacy_address: EmailStr


class CustomerControllers(HandOffRoute):
    """Data the company holds for its customers (it is their processor): the people in a customer's
    CRM. The desk must not change a customer's records on its own; it tells each customer's
    administrators what was asked, and staff record their answer."""

    kind: Literal["customer_controllers"]
    contacts_table: str
    contacts_index: str = Field(description="index keyed by identity_attribute, projecting ALL")
    identity_attribute: str = "email"
    customer_attribute: str = "customer_id"
    customers_table: str = Field(description="keyed by customer_attribute")
    customer_name_attribute: str = "name"
    admins_attribute: str = Field(default="admin_emails", description="a list or set of addresses")


HAND_OFF_KINDS = frozenset({"opendsr", "vendor_email", "customer_controllers"})

StoreLocation = Annotated[
    DynamoDbStore
    | S3JsonLinesStore
    | S3CsvStore
    | S3ObjectsStore
    | OpenDsrProcessor
    | VendorByEmail
    | CustomerControllers,
    Field(discriminator="kind"),
]


# ------------------------------------------------------------------------------ actions


class ExportSpec(RegistryModel):
    """Access and portability: copy every record that holds the subject into their package."""


class AnonymizeSpec(RegistryModel):
    """Write a replacement instead of each named personal value; the record itself stays."""

    method: Literal["anonymize"]
    fields: dict[AttributeName, Replacement] = Field(min_length=1)


class EraseSpec(RegistryModel):
    """``method: delete`` removes the records; ``method: anonymize`` replaces the named values."""

    method: Literal["delete", "anonymize"] = "delete"
    fields: dict[AttributeName, Replacement] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fields_go_with_anonymize(self) -> Self:
        if self.method == "anonymize" and not self.fields:
            raise ValueError("method anonymize needs fields: {attribute: replacement}")
        if self.method == "delete" and self.fields:
            raise ValueError("method delete removes whole records and takes no fields")
        return self

    @property
    def anonymization(self) -> AnonymizeSpec | None:
        return AnonymizeSpec(method="anonymize", fields=self.fields) if self.method == "anonymize" else None


class RectifySpec(RegistryModel):
    """Which of the subject's corrections this store holds: {correction field: store attribute}."""

    fields: dict[CorrectionField, AttributeName] = Field(min_length=1)


class SetFieldsSpec(RegistryModel):
    """Restriction, objection and opt-out: the fields that record the subject's choice."""

    set_fields: dict[AttributeName, FlagValue] = Field(min_length=1)


class SystemActions(RegistryModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    export: ExportSpec | None = None
    erase: EraseSpec | None = None
    rectify: RectifySpec | None = None
    restrict: SetFieldsSpec | None = None
    object_: SetFieldsSpec | None = Field(default=None, alias="object")
    opt_out: SetFieldsSpec | None = None

    def declared(self) -> list[Action]:
        return [action for action in Action if self.spec(action) is not None]

    def spec(self, action: Action) -> RegistryModel | None:
        value: RegistryModel | None = getattr(self, _FIELD_OF_ACTION[action])
        return value

    def flags(self, action: Action) -> SetFieldsSpec | None:
        """The fields restrict, object or opt_out set; None for other actions or if undeclared."""
        spec = self.spec(action)
        return spec if isinstance(spec, SetFieldsSpec) else None


_FIELD_OF_ACTION = {action: "object_" if action is Action.OBJECT else action.value for action in Action}


class Exemption(RegistryModel):
    """A legal reason an action is not carried out in full, and what is done instead (if anything)."""

    applies_to: list[Action] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=500)
    citation: str = Field(min_length=1, max_length=300)
    instead: AnonymizeSpec | None = None


# Which actions each kind of store can carry out. Objects that belong to one subject (CVs) are
# exported or deleted whole: there is nothing inside them to anonymize, correct or flag.
ACTIONS_BY_STORE_KIND: dict[str, frozenset[Action]] = {
    "dynamodb": frozenset(Action),
    "s3_jsonl": frozenset(Action),
    "s3_csv": frozenset(Action),
    "s3_objects": frozenset({Action.EXPORT, Action.ERASE}),
    # OpenDSR carries access, portability and erasure only.
    "opendsr": frozenset({Action.EXPORT, Action.ERASE}),
    "vendor_email": frozenset(Action),
    "customer_controllers": frozenset(Action),
}


class SystemEntry(RegistryModel):
    id: SystemId
    name: str
    owner: str
    categories: list[str] = Field(min_length=1)
    store: StoreLocation
    actions: SystemActions
    exemptions: list[Exemption] = Field(default_factory=list)
    provides: dict[Literal["account_id"], AttributeName] = Field(
        default_factory=dict,
        description="identifiers this system's records map the email to (account_id: attribute): "
        "resolved before fan-out, so systems keyed by them find the subject too",
    )

    @model_validator(mode="after")
    def _store_can_carry_out_its_actions(self) -> Self:
        allowed = ACTIONS_BY_STORE_KIND[self.store.kind]
        unsupported = [a.value for a in self.actions.declared() if a not in allowed]
        if unsupported:
            raise ValueError(
                f"actions: a {self.store.kind} store cannot {', '.join(unsupported)} "
                f"(it supports {', '.join(sorted(a.value for a in allowed))})"
            )
        erase = self.actions.erase
        anonymizes = (erase is not None and erase.method == "anonymize") or any(
            e.instead for e in self.exemptions
        )
        if anonymizes and isinstance(self.store, S3ObjectsStore):
            raise ValueError("a s3_objects store cannot anonymize: its objects are deleted whole")
        if self.hands_off and (anonymizes or self.exemptions):
            raise ValueError(
                f"a {self.store.kind} system decides how to carry out an action and reports any "
                "exemption itself: declare erase: {} and no exemptions"
            )
        return self

    @model_validator(mode="after")
    def _provides_from_records_found_by_email(self) -> Self:
        if self.provides and not (isinstance(self.store, DynamoDbStore) and self.store.identity == "email"):
            raise ValueError("provides: only a dynamodb system found by email can resolve identifiers")
        return self

    @model_validator(mode="after")
    def _exemptions_name_declared_actions(self) -> Self:
        seen: set[Action] = set()
        for index, exemption in enumerate(self.exemptions):
            where = f"exemptions.{index}"
            for action in exemption.applies_to:
                if self.actions.spec(action) is None:
                    raise ValueError(f"{where}.applies_to: {action.value} is not among the system's actions")
                if action in seen:
                    raise ValueError(f"{where}.applies_to: {action.value} has more than one exemption")
                seen.add(action)
            if exemption.instead is not None and Action.EXPORT in exemption.applies_to:
                raise ValueError(f"{where}.instead: an export cannot be carried out another way")
        return self

    @model_validator(mode="after")
    def _keys_are_never_written(self) -> Self:
        if not isinstance(self.store, DynamoDbStore):
            return self
        keys = set(self.store.key_attributes)
        for where, attributes in self._written_attributes():
            clash = sorted(keys & set(attributes))
            if clash:
                raise ValueError(
                    f"{where}: {', '.join(clash)} is a key of table {self.store.table!r}; keys cannot change"
                )
        return self

    def _written_attributes(self) -> list[tuple[str, list[str]]]:
        written: list[tuple[str, list[str]]] = []
        if self.actions.erase is not None:
            written.append(("actions.erase.fields", list(self.actions.erase.fields)))
        if self.actions.rectify is not None:
            written.append(("actions.rectify.fields", list(self.actions.rectify.fields.values())))
        for action in (Action.RESTRICT, Action.OBJECT, Action.OPT_OUT):
            flags = self.actions.flags(action)
            if flags is not None:
                written.append((f"actions.{action.value}.set_fields", list(flags.set_fields)))
        for index, exemption in enumerate(self.exemptions):
            if exemption.instead is not None:
                written.append((f"exemptions.{index}.instead.fields", list(exemption.instead.fields)))
        return written

    def supports(self, action: Action) -> bool:
        return self.actions.spec(action) is not None

    @property
    def hands_off(self) -> bool:
        """The desk asks someone else (a processor, a vendor, a customer) and waits for the answer."""
        return self.store.kind in HAND_OFF_KINDS

    def exemption_for(self, action: Action) -> Exemption | None:
        return next((e for e in self.exemptions if action in e.applies_to), None)


class SystemRegistry(RegistryModel):
    systems: list[SystemEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Self:
        seen: set[str] = set()
        for system in self.systems:
            if system.id in seen:
                raise ValueError(f"system id {system.id!r} appears twice")
            seen.add(system.id)
        return self

    def system(self, system_id: str) -> SystemEntry:
        for system in self.systems:
            if system.id == system_id:
                return system
        raise KeyError(f"no system {system_id!r} in the registry")

    def supported_actions(self) -> set[Action]:
        return {action for system in self.systems for action in system.actions.declared()}


class RegistryError(ValueError):
    """The registry file cannot be used; the message says where it is wrong."""


def parse_registry(text: str, source: str = "registry") -> SystemRegistry:
    import yaml  # noqa: PLC0415 - needed only when the registry file is first read

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RegistryError(f"{source}: not valid YAML: {error}") from error
    try:
        return SystemRegistry.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(_describe(issue["loc"], issue["msg"], document) for issue in error.errors())
        raise RegistryError(f"{source}: {problems}") from error


def _describe(location: tuple[int | str, ...], message: str, document: Any) -> str:
    """``systems.1.actions.erase (system 'invoices'): ...``: the path, and the system it is in."""
    path = ".".join(str(part) for part in location)
    message = message.removeprefix("Value error, ")
    if len(location) >= 2 and location[0] == "systems" and isinstance(location[1], int):
        try:
            system_id = document["systems"][location[1]]["id"]
        except (KeyError, IndexError, TypeError):
            system_id = None
        if isinstance(system_id, str):
            return f"{path} (system {system_id!r}): {message}"
    return f"{path}: {message}"


@cache
def load_registry(path: Path) -> SystemRegistry:
    return parse_registry(path.read_text(encoding="utf-8"), source=str(path))
