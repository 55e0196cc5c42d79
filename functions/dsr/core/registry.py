"""The system registry: every place that holds personal data, and what can be done there.

The registry is a YAML file a privacy team keeps. It is validated when loaded; a mistake is
reported with the system and field at fault rather than discovered mid-request.

Each system declares the actions it supports (see ``SystemActions``), and may declare retention
exemptions: an action the law does not let us carry out in full (invoices kept for tax law), what
is done instead, and the reason and citation the subject is told.
"""

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import ConfigDict, Field, ValidationError, model_validator

from dsr.core.actions import Action
from dsr.core.registry_disclosure import Disclosure
from dsr.core.registry_stores import (
    HAND_OFF_KINDS,
    AttributeName,
    CorrectionField,
    DynamoDbStore,
    FlagValue,
    RegistryError,
    RegistryModel,
    Replacement,
    S3ObjectsStore,
    S3ParquetStore,
    SaasStore,
    SqlStore,
    StoreLocation,
    SystemId,
)
from dsr.core.registry_text import SubjectText200, SubjectText300, SubjectText500, SubjectText1000
from dsr.core.yaml_text import parse_yaml

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
    limit_sensitive: SetFieldsSpec | None = None
    admt_opt_out: SetFieldsSpec | None = None

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


class AutomatedDecisions(RegistryModel):
    """What a system that makes significant decisions by automated decision-making technology
    does, in the words the subject is given (11 CCR 7222): why, how, what comes of it, and what
    part a person plays."""

    purpose: SubjectText500
    logic: SubjectText1000
    outcome: SubjectText500
    human_role: SubjectText500


class ThirdParty(RegistryModel):
    """A third party (not a processor working for us) the system's data is disclosed to."""

    name: str = Field(
        min_length=1, max_length=200, description="a proper name, written alike in every language"
    )
    purpose: SubjectText300


class Exemption(RegistryModel):
    """A legal reason an action is not carried out in full, and what is done instead (if anything)."""

    applies_to: list[Action] = Field(min_length=1)
    reason: SubjectText500
    citation: SubjectText300
    instead: AnonymizeSpec | None = None


# Which actions each kind of store can carry out. Objects that belong to one subject (CVs) are
# exported or deleted whole: there is nothing inside them to anonymize, correct or flag.
ACTIONS_BY_STORE_KIND: dict[str, frozenset[Action]] = {
    "dynamodb": frozenset(Action),
    "s3_jsonl": frozenset(Action),
    "s3_csv": frozenset(Action),
    "s3_parquet": frozenset(Action),
    "s3_objects": frozenset({Action.EXPORT, Action.ERASE}),
    # What a SaaS tool can do is its definition's (checked in SystemEntry).
    "saas": frozenset(Action),
    "postgresql": frozenset(Action),
    "mysql": frozenset(Action),
    # OpenDSR carries access, portability and erasure only.
    "opendsr": frozenset({Action.EXPORT, Action.ERASE}),
    "vendor_email": frozenset(Action),
    "customer_controllers": frozenset(Action),
    "system_owner": frozenset(Action),
}


class SystemEntry(RegistryModel):
    id: SystemId
    name: SubjectText200
    owner: str
    categories: list[str] = Field(min_length=1)
    store: StoreLocation
    actions: SystemActions
    exemptions: list[Exemption] = Field(default_factory=list)
    automated_decisions: AutomatedDecisions | None = Field(
        default=None, description="set on a system that makes significant decisions automatically"
    )
    third_parties: list[ThirdParty] = Field(
        default_factory=list, description="the specific third parties this system's data is disclosed to"
    )
    disclosure: Disclosure = Field(default_factory=Disclosure)  # GDPR art. 15(1): beside the data
    review_before_release: bool = Field(
        default=False, description="an access package with its records waits for a reviewer's release"
    )
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
    def _saas_definition_carries_out_the_actions(self) -> Self:
        if not isinstance(self.store, SaasStore):
            return self
        definition = self.store.definition()
        offered = definition.actions.declared()
        missing = [
            a.value for a in self.actions.declared() if a is not Action.EXPORT and a.value not in offered
        ]
        if missing:
            raise ValueError(
                f"actions: the {definition.tool} definition has no steps for {', '.join(missing)} "
                f"(it has {', '.join(['export', *offered]) or 'export only'})"
            )
        erase = offered.get("erase")
        anonymizes = (self.actions.erase is not None and self.actions.erase.method == "anonymize") or any(
            e.instead for e in self.exemptions
        )
        if erase is not None and anonymizes != (getattr(erase, "method", "delete") == "anonymize"):
            raise ValueError(
                f"actions.erase: the {definition.tool} definition erases by "
                f"{getattr(erase, 'method', 'delete')}; declare the same method here"
            )
        return self

    @model_validator(mode="after")
    def _automated_decisions_are_described(self) -> Self:
        if self.actions.admt_opt_out is not None and self.automated_decisions is None:
            raise ValueError(
                "actions.admt_opt_out: only a system that declares automated_decisions "
                "(purpose, logic, outcome, human_role) makes automated decisions to opt out of"
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
    def _database_columns_name_their_table(self) -> Self:
        if isinstance(self.store, SqlStore):
            problems = [
                problem
                for where, names in self.written_attributes()
                for problem in self.store.written_column_problems(where, names)
            ]
            if problems:
                raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _anonymizes_personal_columns_only(self) -> Self:
        personal = self.store.personal_columns if isinstance(self.store, S3ParquetStore) else []
        erase = self.actions.erase
        named = [
            *(erase.fields if erase is not None else {}),
            *(name for e in self.exemptions if e.instead for name in e.instead.fields),
        ]
        others = sorted(set(named) - set(personal))
        if personal and others:
            raise ValueError(f"anonymize: {', '.join(others)} not among store.personal_columns")
        return self

    @model_validator(mode="after")
    def _keys_are_never_written(self) -> Self:
        if not isinstance(self.store, DynamoDbStore):
            return self
        keys = set(self.store.key_attributes)
        for where, attributes in self.written_attributes():
            clash = sorted(keys & set(attributes))
            if clash:
                raise ValueError(
                    f"{where}: {', '.join(clash)} is a key of table {self.store.table!r}; keys cannot change"
                )
        return self

    def written_attributes(self) -> list[tuple[str, list[str]]]:
        written: list[tuple[str, list[str]]] = []
        if self.actions.erase is not None:
            written.append(("actions.erase.fields", list(self.actions.erase.fields)))
        if self.actions.rectify is not None:
            written.append(("actions.rectify.fields", list(self.actions.rectify.fields.values())))
        for action in (
            Action.RESTRICT,
            Action.OBJECT,
            Action.OPT_OUT,
            Action.LIMIT_SENSITIVE,
            Action.ADMT_OPT_OUT,
        ):
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

    def automated_decision_systems(self) -> list[SystemEntry]:
        """The systems that make significant decisions by automated means, in registry order."""
        return [system for system in self.systems if system.automated_decisions is not None]

    def third_parties(self, system_ids: Iterable[str] | None = None) -> list[tuple[SystemEntry, ThirdParty]]:
        """Each third party the named systems' data is disclosed to (every system's if none are
        named), with the system, in registry order."""
        chosen = None if system_ids is None else set(system_ids)
        return [
            (system, party)
            for system in self.systems
            if chosen is None or system.id in chosen
            for party in system.third_parties
        ]


def parse_registry(text: str, source: str = "registry") -> SystemRegistry:
    import yaml  # noqa: PLC0415 - needed only when the registry file is first read

    try:
        document = parse_yaml(text)
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
