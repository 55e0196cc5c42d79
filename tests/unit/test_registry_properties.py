"""Property tests for the registry loader: whatever the file says, loading it either gives a
registry or a RegistryError that names where it is wrong, and an accepted key template keeps
every subject under a prefix of their own."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from dsr.core.registry import SystemRegistry, parse_registry
from dsr.core.registry_stores import RegistryError, S3ObjectsStore

SHIPPED = Path(__file__).parents[2] / "functions" / "dsr" / "config" / "systems.yaml"
SHIPPED_DOCUMENT = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def _loaded_or_refused(text: str) -> SystemRegistry | RegistryError:
    try:
        return parse_registry(text, source="systems.yaml")
    except RegistryError as refused:
        return refused


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_loads_or_is_refused_with_a_registry_error(text: str) -> None:
    outcome = _loaded_or_refused(text)

    if isinstance(outcome, RegistryError):
        assert str(outcome).startswith("systems.yaml: ")


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*prefix, index))
    return found


SHIPPED_PATHS = _paths(SHIPPED_DOCUMENT)


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    if isinstance(document, dict):
        return {**document, head: _replaced(document[head], tuple(rest), value)}
    copy = list(document)
    copy[head] = _replaced(copy[head], tuple(rest), value)
    return copy


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(SHIPPED_PATHS), value=json_values)
def test_the_shipped_registry_with_any_one_value_changed_loads_or_names_where_it_is_wrong(
    path: tuple[Any, ...], value: Any
) -> None:
    changed = yaml.dump(_replaced(SHIPPED_DOCUMENT, path, value), Dumper=yaml.CSafeDumper, allow_unicode=True)

    outcome = _loaded_or_refused(changed)

    event("refused" if isinstance(outcome, RegistryError) else "loaded")
    if isinstance(outcome, RegistryError):
        message = str(outcome)
        assert message.startswith("systems.yaml: ")
        if path[0] == "systems" and len(path) > 1:
            # The refusal points into the systems list, at the entry or beside it
            assert "systems" in message, message
    else:
        assert {s.id for s in outcome.systems}, "a registry that loads still names its systems"


literal_parts = st.text(alphabet=string.ascii_letters + string.digits + "-_/.", max_size=6)
placeholders = st.sampled_from(["{email_hash}", "{account_id}"])
separators = st.sampled_from(["/", "/", "", "-", "_"])  # mostly as the loader asks, sometimes not
templates = st.lists(st.tuples(literal_parts, placeholders, separators), min_size=1, max_size=3).flatmap(
    lambda pieces: st.sampled_from(["/", "", "x"]).map(lambda end: "".join(map("".join, pieces)) + end)
)
plain_ids = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(template=templates, first=plain_ids, second=plain_ids, email_hash=plain_ids)
def test_an_accepted_key_template_never_puts_one_subject_inside_anothers_prefix(
    template: str, first: str, second: str, email_hash: str
) -> None:
    try:
        store = S3ObjectsStore(kind="s3_objects", bucket="b", key_template=template)
    except ValueError:
        event("template refused")
        return  # refused templates name no prefix at all
    event("template accepted")
    assume(first != second and "{account_id}" in template)
    prefix_one = store.key_template.format(account_id=first, email_hash=email_hash)
    prefix_two = store.key_template.format(account_id=second, email_hash=email_hash)

    assert not prefix_two.startswith(prefix_one) and not prefix_one.startswith(prefix_two), (
        template,
        prefix_one,
        prefix_two,
    )
