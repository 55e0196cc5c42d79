"""Declarative SaaS connectors: one YAML file per tool, ``dsr/config/saas/<tool>.yaml``.

A definition says how the desk reaches one SaaS tool over HTTP: where its API is, how it signs
in, how fast it may call, how it finds a person, how it exports their records and what each
action sends. The engine (``dsr.connectors.saas``) carries it out; ``dsr registry check`` checks
every request it can make against the vendor's published API description. A system of the
registry uses it with ``store: {kind: saas, tool: <tool>}``. A company adds a tool by writing one
file; nothing else changes (its secret and its base-URL variable go in template.yaml).

Example (an abridged ``stripe.yaml``)::

    tool: stripe                           # the file's name, without .yaml
    base_url: https://api.stripe.com       # https; the variable below overrides it (the local
    base_url_env: STRIPE_API_URL           # cloud points it at its stand-in)
    auth:                                  # credentials: a Secrets Manager secret (JSON object)
      scheme: bearer                       # bearer | basic | api_key_header | oauth_client_credentials
      secret: privacy-desk/saas/stripe     # under the template's SaasSecretPrefix
      token_field: api_key                 # bearer: the secret's field sent as the token
    rate_limit: {requests: 25, per_seconds: 1}   # never faster (a token bucket)
    transient_statuses: [429, 500, 502, 503, 504] # retried with backoff; 429 honours Retry-After
    settings: {}                           # {placeholder: ENVIRONMENT_VARIABLE}, e.g. list_id
    find:                                  # who the person is in the tool
      identity: email                      # email | email_md5 | email_sha256 (keyed by a hash)
      request: {method: GET, path: /v1/customers, query: {email: "{email}", limit: 100}}
      records_at: data                     # dotted path to the list (or one object) found
      id_field: id                         # each record's id: {id} in later requests
      keep: [id, email, name, phone, address, created]   # fields exported (all if omitted)
    export:                                # more of the person's records, per record found
      - name: charges
        request: {method: GET, path: /v1/charges, query: {customer: "{id}", limit: 100}}
        records_at: data
        pagination: {style: cursor_from_last_record, param: starting_after, has_more_at: has_more}
        keep: [id, amount, currency, created, description]
    actions:                               # per action, the requests made for each record found
      erase: {method: delete, steps: [{method: DELETE, path: "/v1/customers/{id}"}]}
      restrict:                            # the registry's set_fields are put at values_at
        steps: [{method: POST, path: "/v1/customers/{id}", body_encoding: form, values_at: metadata}]

Placeholders (in paths, query values and body strings): ``{email}``, ``{email_md5}``,
``{email_sha256}``, ``{id}`` (the record found), each name in ``find.record_values`` (more of the
record found: Mailchimp's ``{list_id}``, since one person is a member of several audiences under
the same id) and each name in ``settings``. In a path each value is percent-encoded. The base URL
may hold settings too, each filled with one DNS label (Mailchimp's data centre:
``https://{data_center}.api.mailchimp.com/3.0``); ``base_url_env``, when set, replaces the whole
URL. Bodies are JSON, or form-encoded (``body_encoding: form``) with nested keys
bracketed as Stripe reads them (``metadata[processing_restricted]=true``).

Pagination styles: ``none``; ``cursor_from_last_record`` (Stripe: the last record's id as
``param`` while ``has_more_at`` is true); ``cursor_from_field`` (HubSpot ``paging.next.after``,
Intercom ``pages.next.starting_after``, Zendesk ``meta.after_cursor`` with ``meta.has_more``: the
value at ``cursor_at`` as ``param``, in the query or, with ``param_in: body``, at a dotted body
path); ``offset`` (Mailchimp ``offset``/``count`` until ``total_at``); ``next_url`` (the absolute URL
at ``next_url_at``).

Action steps run in order for every record found (Zendesk: delete, then delete permanently). A
step with ``for_each: <export>`` is sent once for each record that export lists for the record
found (read once, before the first such step), with ``{item_id}`` that record's id: Zendesk deletes
each ticket the user requested, then each for good, then the user. A
step whose answer is one of ``absent_statuses`` (default 404) finds the record already gone, so an
action carried out twice changes the records once. The values an action writes (the registry's
``set_fields``, the corrections of a rectification, the replacements of an anonymization) go into
the body at ``values_at`` (a dotted path; empty: the body's top level).
"""

import os
import string
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, ValidationError, model_validator

from dsr.core.desk_model import DeskModel

SAAS_DEFINITIONS_DIR = Path(__file__).parents[1] / "config" / "saas"

ToolName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,40}$")]
EnvironmentName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{0,127}$")]
DottedPath = Annotated[str, Field(pattern=r"^([A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*)?$")]
SettingName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
HttpStatus = Annotated[int, Field(ge=100, le=599)]
QueryValue = str | int | bool

IDENTITY_PLACEHOLDERS = frozenset({"email", "email_md5", "email_sha256"})
RECORD_PLACEHOLDERS = frozenset({"id"})
ITEM_PLACEHOLDERS = frozenset({"item_id"})


class SaasDefinitionError(ValueError):
    """A definition cannot be used; the message names the file and the field."""


class SaasModel(DeskModel):
    """Unknown fields are refused: a misspelt key is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# ------------------------------------------------------------------------------ auth


class BearerAuth(SaasModel):
    scheme: Literal["bearer"]
    secret: str = Field(min_length=1, max_length=512, description="Secrets Manager secret id")
    token_field: str = "api_key"  # noqa: S105 - the name of a field of the secret


class BasicAuth(SaasModel):
    """HTTP basic: Mailchimp takes any user name and the key; Zendesk ``<email>/token`` and a token."""

    scheme: Literal["basic"]
    secret: str = Field(min_length=1, max_length=512)
    username_field: str = "username"
    password_field: str = "password"  # noqa: S105 - the name of a field of the secret


class ApiKeyHeaderAuth(SaasModel):
    scheme: Literal["api_key_header"]
    secret: str = Field(min_length=1, max_length=512)
    header: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    key_field: str = "api_key"
    prefix: str = Field(default="", description="written before the key, e.g. 'Token '")


class OAuthClientCredentials(SaasModel):
    """OAuth 2.0 client credentials: a token from ``token_url``, kept until it expires."""

    scheme: Literal["oauth_client_credentials"]
    secret: str = Field(min_length=1, max_length=512)
    token_url: str = Field(description="absolute https URL, or a path under base_url")
    client_id_field: str = "client_id"
    client_secret_field: str = "client_secret"  # noqa: S105 - the name of a field of the secret
    scope: str | None = None


Auth = Annotated[
    BearerAuth | BasicAuth | ApiKeyHeaderAuth | OAuthClientCredentials, Field(discriminator="scheme")
]


class RateLimit(SaasModel):
    requests: int = Field(ge=1, le=100_000)
    per_seconds: float = Field(gt=0, le=86_400)

    @property
    def interval(self) -> float:
        """Seconds between two requests at the declared rate."""
        return self.per_seconds / self.requests


# ------------------------------------------------------------------------------ requests


class SaasRequest(SaasModel):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(pattern=r"^/", description="under base_url; placeholders allowed")
    query: dict[str, QueryValue] = Field(default_factory=dict)
    body: dict[str, Any] | None = None
    body_encoding: Literal["json", "form"] = "json"
    values_at: DottedPath | None = Field(
        default=None, description="where the action's values go in the body; unset: nowhere"
    )
    absent_statuses: list[HttpStatus] = Field(default_factory=lambda: [404])
    for_each: str | None = Field(
        default=None,
        description="an action step sent once for each record of this export of the record found, "
        "{item_id} being its id (Zendesk: each ticket the user requested is deleted before the user)",
    )

    @model_validator(mode="after")
    def _body_goes_with_a_method_that_sends_one(self) -> Self:
        sends = self.body is not None or self.values_at is not None
        if sends and self.method in ("GET", "DELETE"):
            raise ValueError(f"a {self.method} request sends no body (body, values_at)")
        return self

    def placeholders(self) -> set[str]:
        names = set(_placeholders_in(self.path))
        for value in self.query.values():
            names |= _placeholders_in(value)
        names |= _placeholders_in(self.body)
        return names


class Pagination(SaasModel):
    style: Literal["none", "cursor_from_last_record", "cursor_from_field", "offset", "next_url"] = "none"
    param: str | None = Field(default=None, description="the cursor's or offset's parameter")
    param_in: Literal["query", "body"] = "query"
    has_more_at: DottedPath | None = None
    cursor_at: DottedPath | None = None
    count_param: str | None = Field(default=None, description="offset: the page size parameter")
    page_size: int = Field(default=100, ge=1, le=1000)
    total_at: DottedPath | None = None
    next_url_at: DottedPath | None = None
    max_pages: int = Field(default=100, ge=1, le=10_000)

    @model_validator(mode="after")
    def _style_has_what_it_reads(self) -> Self:
        needed = {
            "none": [],
            "cursor_from_last_record": ["param", "has_more_at"],
            "cursor_from_field": ["param", "cursor_at"],
            "offset": ["param", "count_param", "total_at"],
            "next_url": ["next_url_at"],
        }[self.style]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"pagination style {self.style} needs {', '.join(missing)}")
        if self.param_in == "body" and self.style not in ("cursor_from_field", "cursor_from_last_record"):
            raise ValueError("param_in: body is for cursors only")
        return self


class FindSpec(SaasModel):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")] = Field(
        default="person", description="what each record found is, in the export (customer, contact)"
    )
    identity: Literal["email", "email_md5", "email_sha256"] = "email"
    request: SaasRequest
    records_at: DottedPath = Field(default="", description="the list (or one object); empty: the answer")
    id_field: str = "id"
    record_values: dict[SettingName, DottedPath] = Field(
        default_factory=dict,
        description="placeholders each record found fills besides {id}, from its fields: Mailchimp's "
        "{list_id}, the audience a member was found in",
    )
    keep: list[str] | None = Field(default=None, min_length=1)
    pagination: Pagination = Field(default_factory=Pagination)


class ExportSpec(SaasModel):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
    request: SaasRequest
    records_at: DottedPath = ""
    keep: list[str] | None = Field(default=None, min_length=1)
    pagination: Pagination = Field(default_factory=Pagination)


class ActionSteps(SaasModel):
    steps: list[SaasRequest] = Field(min_length=1, max_length=10)


class EraseSteps(ActionSteps):
    method: Literal["delete", "anonymize"] = "delete"


class DefinitionActions(SaasModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    erase: EraseSteps | None = None
    rectify: ActionSteps | None = None
    restrict: ActionSteps | None = None
    object_: ActionSteps | None = Field(default=None, alias="object")
    opt_out: ActionSteps | None = None
    limit_sensitive: ActionSteps | None = None
    admt_opt_out: ActionSteps | None = None

    def declared(self) -> dict[str, ActionSteps]:
        """Each declared action by the registry's name for it."""
        named = {
            "object" if name == "object_" else name: getattr(self, name) for name in type(self).model_fields
        }
        return {name: steps for name, steps in named.items() if steps is not None}


class SaasDefinition(SaasModel):
    tool: ToolName
    base_url: str = Field(pattern=r"^https://[^\s/]+(/[^\s]*)?$")
    base_url_env: EnvironmentName | None = None
    headers: dict[str, str] = Field(default_factory=dict, description="sent on every request")
    auth: Auth
    rate_limit: RateLimit
    transient_statuses: list[HttpStatus] = Field(default_factory=lambda: [429, 500, 502, 503, 504])
    max_retries: int = Field(default=5, ge=0, le=10)
    timeout_seconds: float = Field(default=10, gt=0, le=60)
    settings: dict[SettingName, EnvironmentName] = Field(default_factory=dict)
    find: FindSpec
    export: list[ExportSpec] = Field(default_factory=list)
    actions: DefinitionActions = Field(default_factory=DefinitionActions)

    @model_validator(mode="after")
    def _placeholders_are_known(self) -> Self:
        unknown_in_url = sorted(_placeholders_in(self.base_url) - set(self.settings))
        if unknown_in_url:
            raise ValueError(
                f"base_url: unknown placeholder(s) {', '.join(unknown_in_url)}; only settings may "
                "fill the base URL (Mailchimp's data centre: https://{data_center}.api.mailchimp.com)"
            )
        known = IDENTITY_PLACEHOLDERS | set(self.settings)
        from_record = RECORD_PLACEHOLDERS | set(self.find.record_values)
        clashes = sorted(set(self.find.record_values) & (known | RECORD_PLACEHOLDERS))
        if clashes:
            raise ValueError(f"find.record_values: {', '.join(clashes)} is already a placeholder")
        exports = {spec.name for spec in self.export}
        for where, request in self.requests():
            allowed = known if where == "find.request" else known | from_record
            if request.for_each is not None:
                if not where.startswith("actions.") or request.for_each not in exports:
                    raise ValueError(
                        f"{where}: for_each names an export ({', '.join(sorted(exports)) or 'none'}), "
                        "in an action's steps only"
                    )
                allowed = allowed | ITEM_PLACEHOLDERS
            unknown = sorted(request.placeholders() - allowed)
            if unknown:
                raise ValueError(
                    f"{where}: unknown placeholder(s) {', '.join(unknown)}; use "
                    + ", ".join(f"{{{name}}}" for name in sorted(allowed))
                )
        return self

    def requests(self) -> list[tuple[str, SaasRequest]]:
        """Every request the definition can make, with where it is declared."""
        found = [("find.request", self.find.request)]
        found += [(f"export.{i}.request", spec.request) for i, spec in enumerate(self.export)]
        for action, steps in self.actions.declared().items():
            found += [(f"actions.{action}.steps.{i}", step) for i, step in enumerate(steps.steps)]
        return found


def _placeholders_in(value: object) -> set[str]:
    if isinstance(value, str):
        try:
            return {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError:
            return {value}  # an unbalanced brace: reported as an unknown placeholder
    if isinstance(value, dict):
        return set().union(*(_placeholders_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_placeholders_in(v) for v in value)) if value else set()
    return set()


def definitions_dir() -> Path:
    """Where the definitions are: beside the registry, or where SAAS_DEFINITIONS_DIR says (a
    company's own folder, checked with ``dsr registry check --definitions``)."""
    return Path(os.environ.get("SAAS_DEFINITIONS_DIR") or SAAS_DEFINITIONS_DIR)


def definition_path(tool: str, directory: Path | None = None) -> Path:
    return (directory or definitions_dir()) / f"{tool}.yaml"


def parse_definition(text: str, source: str) -> SaasDefinition:
    import yaml  # noqa: PLC0415 - needed only when a definition is first read

    from dsr.core.yaml_text import parse_yaml  # noqa: PLC0415

    try:
        document = parse_yaml(text)
    except yaml.YAMLError as error:
        raise SaasDefinitionError(f"{source}: not valid YAML: {error}") from error
    try:
        return SaasDefinition.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in issue['loc'])}: {issue['msg'].removeprefix('Value error, ')}"
            for issue in error.errors()
        )
        raise SaasDefinitionError(f"{source}: {problems}") from error


def load_definition(tool: str, directory: Path | None = None) -> SaasDefinition:
    """The definition of ``tool``, read once per container; the file's name is the tool's."""
    return _load_definition(tool, directory or definitions_dir())


@cache
def _load_definition(tool: str, directory: Path) -> SaasDefinition:
    path = definition_path(tool, directory)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SaasDefinitionError(f"no SaaS definition for tool {tool!r}: {path} does not exist") from None
    definition = parse_definition(text, str(path))
    if definition.tool != tool:
        raise SaasDefinitionError(
            f"{path}: tool is {definition.tool!r}; it must be the file's name, {tool!r}"
        )
    return definition
