"""Reading the desk's YAML files (the system registry, the deadline and verification policies)."""

from __future__ import annotations

from typing import Any


def parse_yaml(text: str) -> Any:
    """The document in ``text``, read with PyYAML's safe loader: the one built on libyaml where
    PyYAML has it (its wheels for Linux do), ten times faster than the one in Python (the
    deadline table takes 13 ms against 143), which a function otherwise pays on its first event.
    Raises ``yaml.YAMLError`` as ``yaml.safe_load`` does."""
    import yaml  # noqa: PLC0415 - needed only when a file is first read

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # a safe loader either way
    return yaml.load(text, Loader=loader)  # noqa: S506  # nosec B506
