"""The policy table's names a subject reads, for ``make messages``.

Every ``name:`` in ``dsr/config/deadline_policies.yaml`` is one a subject may read in their own
language: a jurisdiction's law (the request form names the law it recognised) or a regulator (a
refusal and an upheld appeal say where to complain). Babel calls ``extract_names`` for that file
(``functions/dsr/locale/babel.cfg``), so a law added to the table is a message every catalog
must translate before the catalog test passes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

_NAME = re.compile(r"^\s*name:\s*(?P<value>.+?)\s*$")


def _scalar(text: str) -> str:
    """The YAML scalar on a ``name:`` line, a trailing comment dropped, quotes undone."""
    value = yaml.safe_load(text)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"a policy table name must be text, not {text!r}")
    return value


def extract_names(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Each ``name:`` value, with its line, as Babel's extractor interface yields messages."""
    del keywords, comment_tags, options  # the table has no function calls or comments to read
    for number, line in enumerate(fileobj.read().decode("utf-8").splitlines(), start=1):
        found = _NAME.match(line)
        if found:
            yield number, None, _scalar(found["value"]), []
