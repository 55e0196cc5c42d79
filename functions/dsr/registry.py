"""The system registry: every place that holds personal data, and what can be done there.

The registry is a YAML file a privacy team keeps. It is validated when loaded; a mistake is
reported with the system and field at fault rather than discovered mid-request.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dsr.models import RequestType


class Action(StrEnum):
    EXPORT = "export"
    ERASE = "erase"
    OPT_OUT = "opt_out"


ACTIONS_FOR_REQUEST_TYPE: dict[RequestType, Action] = {
    RequestType.ACCESS: Action.EXPORT,
    RequestType.PORTABILITY: Action.EXPORT,
    RequestType.ERASURE: Action.ERASE,
    RequestType.MARKETING_OPT_OUT: Action.OPT_OUT,
    RequestType.SALE_SHARING_OPT_OUT: Action.OPT_OUT,
}

SystemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,62}$")]


class DynamoDbStore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["dynamodb"]
    table: str
    index: str | None = Field(default=None, description="index keyed by the identity attribute")
    identity_attribute: str
    key_attributes: list[str] = Field(min_length=1, max_length=2)


class S3JsonLinesStore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["s3_jsonl"]
    bucket: str
    prefix: str = ""
    identity_attribute: str


StoreLocation = Annotated[DynamoDbStore | S3JsonLinesStore, Field(discriminator="kind")]


class ActionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    set_fields: dict[str, str | bool | int] = Field(
        default_factory=dict, description="for opt_out: the fields that record the opt-out"
    )


class SystemEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: SystemId
    name: str
    owner: str
    categories: list[str] = Field(min_length=1)
    store: StoreLocation
    actions: dict[Action, ActionSpec]

    @model_validator(mode="after")
    def _opt_out_says_what_to_set(self) -> SystemEntry:
        spec = self.actions.get(Action.OPT_OUT)
        if spec is not None and not spec.set_fields:
            raise ValueError("opt_out needs set_fields naming what records the opt-out")
        return self


class SystemRegistry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    systems: list[SystemEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_are_unique(self) -> SystemRegistry:
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


class RegistryError(ValueError):
    """The registry file cannot be used; the message says where it is wrong."""


def parse_registry(text: str, source: str = "registry") -> SystemRegistry:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RegistryError(f"{source}: not valid YAML: {error}") from error
    try:
        return SystemRegistry.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}" for issue in error.errors()
        )
        raise RegistryError(f"{source}: {problems}") from error


@cache
def load_registry(path: Path) -> SystemRegistry:
    return parse_registry(path.read_text(encoding="utf-8"), source=str(path))
