"""Connectors find one subject in one kind of store and carry out an action there."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

Record = dict[str, Any]


class Connector(Protocol):
    def export(self, identity: str) -> Iterator[Record]:
        """Every record that holds ``identity``, streamed."""
        ...

    def erase(self, identity: str) -> int:
        """Remove every record that holds ``identity``; the number removed."""
        ...

    def opt_out(self, identity: str, set_fields: Mapping[str, Any]) -> int:
        """Mark every record that holds ``identity`` as opted out; the number marked."""
        ...
