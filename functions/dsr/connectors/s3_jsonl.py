"""JSON Lines objects in S3 (exports, archives): one record a line, many subjects an object."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dsr.connectors.base import Record
from dsr.connectors.s3_lines import ObjectRows, Row, S3LinesConnector, lines_of

if TYPE_CHECKING:
    from botocore.response import StreamingBody


class S3JsonLinesConnector(S3LinesConnector):
    def _rows(self, body: StreamingBody) -> ObjectRows:
        return JsonLinesRows(lines_of(body))


class JsonLinesRows(ObjectRows):
    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines = lines

    def __iter__(self) -> Iterator[Row]:
        for line in self._lines:
            yield Row(raw=line, record=_parse(line))

    def encode(self, record: Record) -> bytes:
        return json.dumps(record, ensure_ascii=False, default=str).encode("utf-8") + b"\n"


def _parse(line: bytes) -> Record | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
