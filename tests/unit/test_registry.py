"""The system registry: the shipped file is valid, and mistakes are reported where they are."""

from __future__ import annotations

import pytest

from dsr.registry import Action, RegistryError, load_registry, parse_registry
from dsr.settings import DeskSettings

VALID_SYSTEM = """
systems:
  - id: accounts
    name: Accounts
    owner: platform
    categories: [contact details]
    store: {kind: dynamodb, table: accounts, identity_attribute: email, key_attributes: [id]}
    actions: {export: {}, erase: {}}
"""


def test_the_shipped_registry_names_the_stores_of_the_privacy_policy() -> None:
    path = DeskSettings.model_fields["system_registry_path"].default
    registry = load_registry(path)

    assert [s.id for s in registry.systems] == ["accounts", "marketing-leads", "support-tickets"]
    assert all(Action.EXPORT in s.actions and Action.ERASE in s.actions for s in registry.systems)


def test_a_valid_registry_loads() -> None:
    registry = parse_registry(VALID_SYSTEM)

    assert registry.system("accounts").store.kind == "dynamodb"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("systems: [", "not valid YAML"),
        ("systems: []", "systems: List should have at least 1 item"),
        (VALID_SYSTEM.replace("kind: dynamodb", "kind: oracle"), "systems.0.store"),
        (VALID_SYSTEM.replace("id: accounts", "id: Accounts!"), "systems.0.id"),
        (VALID_SYSTEM.replace("erase: {}", "erase: {}, teleport: {}"), "systems.0.actions.teleport"),
        (VALID_SYSTEM.replace("erase: {}", "erase: {}, opt_out: {}"), "opt_out needs set_fields"),
        (VALID_SYSTEM + VALID_SYSTEM.replace("systems:\n", ""), "appears twice"),
        (VALID_SYSTEM.replace("owner: platform", "owner: platform\n    colour: red"), "systems.0.colour"),
    ],
)
def test_a_broken_registry_is_refused_with_the_place_at_fault(text: str, expected: str) -> None:
    with pytest.raises(RegistryError) as refused:
        parse_registry(text, source="systems.yaml")

    assert expected in str(refused.value)
    assert str(refused.value).startswith("systems.yaml:")
