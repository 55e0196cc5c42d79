"""Where a system of the registry holds its data, and how the desk reaches it: the kinds of store
the desk's own connectors work in (a DynamoDB table, S3 objects of several layouts) and the routes a
task is handed off by (a processor over OpenDSR, a vendor by email, a customer's administrators,
a system's owner inside the company), each checked when the registry is read. What a system's
actions do, and the registry itself, are ``dsr.core.registry``'s.
"""

import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal, Self

from pydantic import ConfigDict, EmailStr, Field, model_validator

from dsr.core.desk_model import DeskModel
from dsr.core.key_templates import KEY_TEMPLATE_PLACEHOLDERS, key_template_problems

if TYPE_CHECKING:
    from dsr.core.saas_definitions import SaasDefinition

SystemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,62}$")]
AttributeName = Annotated[str, Field(min_length=1, max_length=255)]
CorrectionField = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,99}$")]
FlagValue = str | bool | int
Replacement = str | bool | int | None
"""What anonymizing writes instead of a personal value; ``null`` removes the value."""


class RegistryError(ValueError):
    """The registry file cannot be used; the message says where it is wrong."""


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


class S3ParquetStore(S3Bucket):
    """A Parquet data lake: many people's rows in each object under a prefix (e.g. events
    partitioned by date). Found by the row groups' statistics, then the identity column alone."""

    kind: Literal["s3_parquet"]
    prefix: str = ""
    identity_column: str = Field(min_length=1, description="the column that holds the identity")
    identity: IdentityKind = Field(default="email", description="what the identity column holds")
    personal_columns: list[str] = Field(
        default=[],
        description="the columns anonymization may replace; empty: any column of the objects",
    )


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


class SaasStore(RegistryModel):
    """A SaaS tool reached over its HTTP API, as its definition (dsr/config/saas/<tool>.yaml) says."""

    kind: Literal["saas"]
    tool: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,40}$", description="the definition's file name")

    @model_validator(mode="after")
    def _definition_exists(self) -> Self:
        self.definition()  # a missing or invalid definition is a registry error
        return self

    def definition(self) -> "SaasDefinition":
        from dsr.core.saas_definitions import load_definition  # noqa: PLC0415 - only saas systems read it

        return load_definition(self.tool)


# ------------------------------------------------------------------------------ hand-offs
# Data the desk cannot change itself: it asks whoever can, and waits for their answer.

EnvironmentName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,127}$")]


SilenceRule = Literal["fail", "block_closing"]
"""Silence past the answer-by date: ``fail`` ends the task failed (and tells staff); ``block_closing``
keeps it waiting, so the request cannot close, telling staff again until an answer comes."""


class HandOffRoute(RegistryModel):
    answer_within_days: int = Field(
        default=14, ge=1, le=90, description="the answer-by date, counted from the day it was asked"
    )
    remind_every_days: int | None = Field(default=None, ge=1, le=89, description="ask again this often")
    when_silent: SilenceRule = Field(default="fail", description="what the answer-by date passing does")

    @model_validator(mode="after")
    def _reminders_come_before_the_answer_by_date(self) -> Self:
        every = self.remind_every_days
        if every is not None and every >= self.answer_within_days:
            raise ValueError(
                f"remind_every_days ({every}) must be fewer than answer_within_days "
                f"({self.answer_within_days}): a reminder comes before the answer-by date"
            )
        return self

    waits_on_a_person: ClassVar[bool] = False
    """A person answers (through a link to the owner's page, dsr.fulfilment.owner_links), not a
    machine (a processor's signed callback)."""

    def answerer(self, holder: str) -> str:
        """Who gave an answer through ``holder``'s link, as the audit trail names them (ids, never
        addresses)."""
        return f"owner:{holder}"


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
        if self.remind_every_days is not None:
            raise ValueError(
                "a processor is not reminded by email: it answers by callback (no remind_every_days)"
            )
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

    waits_on_a_person: ClassVar[bool] = True

    def answerer(self, holder: str) -> str:
        return f"vendor:{self.vendor}"


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

    waits_on_a_person: ClassVar[bool] = True

    def answerer(self, holder: str) -> str:
        return f"customer:{holder}"


class SystemOwner(HandOffRoute):
    """A system the desk cannot reach (a finance spreadsheet, say): its owner inside the company,
    the team named here, is emailed what to do at its address; staff record the team's answer."""

    kind: Literal["system_owner"]
    team: str = Field(min_length=1, max_length=200)
    address: EmailStr
    waits_on_a_person: ClassVar[bool] = True

    def answerer(self, holder: str) -> str:
        return f"owner:{self.team}"


# ------------------------------------------------------------------------------ SQL databases

SqlName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
"""A table or column as the registry names it; the connector also finds each one in the
database's catalog before it quotes it into a statement."""


class SqlIdentity(RegistryModel):
    column: SqlName
    holds: IdentityKind = Field(default="email", description="what the column holds")


class SqlParentKey(RegistryModel):
    """Rows of this table belong to the subject when ``column`` holds the key of one of the
    subject's rows in the parent table (an invoice's account_id, of the subject's account)."""

    table: SqlName
    column: SqlName
    parent_column: SqlName | None = Field(default=None, description="the parent's key; default: column")

    @property
    def key_in_parent(self) -> str:
        return self.parent_column or self.column


class SqlAnonymize(RegistryModel):
    anonymize: dict[SqlName, Replacement] = Field(min_length=1)


class SqlTable(RegistryModel):
    """One table of a database system: how a subject's rows are found, which columns are
    exported, and what erasure does to its rows."""

    table: SqlName
    identity: SqlIdentity | None = None
    parent: SqlParentKey | None = None
    export: list[SqlName] = Field(min_length=1, description="the columns copied into the package")
    erase: Literal["delete", "keep"] | SqlAnonymize = Field(
        default="delete",
        description="delete the rows, keep them, or {anonymize: {column: replacement}}",
    )

    @model_validator(mode="after")
    def _found_one_way(self) -> Self:
        if (self.identity is None) == (self.parent is None):
            raise ValueError(f"table {self.table}: give exactly one of identity and parent")
        return self

    @property
    def lookup_column(self) -> str:
        """The column a subject's rows are found by (its identity or its parent's key)."""
        if self.identity is not None:
            return self.identity.column
        if self.parent is not None:
            return self.parent.column
        raise ValueError(f"table {self.table}: neither identity nor parent")


class SqlStore(RegistryModel):
    """Tables of a database, reached with the credentials of a Secrets Manager secret (JSON:
    host, port, username, password, dbname) whose ARN an environment variable holds."""

    kind: Literal["postgresql", "mysql"]
    secret_arn_env: EnvironmentName = Field(description="the variable that holds the secret's ARN")
    schema_name: SqlName | None = None
    tables: list[SqlTable] = Field(min_length=1)

    @model_validator(mode="after")
    def _parents_are_declared_first(self) -> Self:
        seen: set[str] = set()
        for index, table in enumerate(self.tables):
            if table.table in seen:
                raise ValueError(f"tables[{index}]: table {table.table} appears twice")
            if table.parent is not None and table.parent.table not in seen:
                raise ValueError(
                    f"tables[{index}].parent.table: {table.parent.table} must be declared before "
                    f"{table.table} (parents first)"
                )
            seen.add(table.table)
        return self

    def table(self, name: str) -> SqlTable:
        return next(table for table in self.tables if table.table == name)

    def written_column_problems(self, where: str, names: list[str]) -> list[str]:
        """An action's attribute names a column as ``table.column`` of a declared table."""
        declared = {table.table for table in self.tables}
        return [
            f"{where}: {name} must name a declared table's column as table.column"
            for name in names
            if name.count(".") != 1 or name.split(".")[0] not in declared
        ]


class PostgresStore(SqlStore):
    """Tables of a PostgreSQL database (pg8000)."""

    kind: Literal["postgresql"]
    schema_name: SqlName = "public"


class MySqlStore(SqlStore):
    """Tables of a MySQL or MariaDB database, InnoDB (PyMySQL); ``schema_name`` is the database,
    by default the secret's dbname."""

    kind: Literal["mysql"]


HAND_OFF_KINDS = frozenset({"opendsr", "vendor_email", "customer_controllers", "system_owner"})

StoreLocation = Annotated[
    DynamoDbStore
    | S3JsonLinesStore
    | S3CsvStore
    | S3ParquetStore
    | S3ObjectsStore
    | SaasStore
    | PostgresStore
    | MySqlStore
    | OpenDsrProcessor
    | VendorByEmail
    | CustomerControllers
    | SystemOwner,
    Field(discriminator="kind"),
]
