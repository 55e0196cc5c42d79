"""CSV objects in S3 (web and device logs): a header row naming the columns, one record a row.

Rows are read with the csv module, so quoted fields may hold commas and line breaks; rows that
are not the subject's are copied back byte for byte. Values written into a row are text: true and
false for flags, an empty cell for a value removed.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dsr.connectors.base import Record, StoreLayoutError
from dsr.connectors.s3_lines import ObjectRows, Row, S3LinesConnector, lines_of

if TYPE_CHECKING:
    from botocore.response import StreamingBody


class S3CsvConnector(S3LinesConnector):
    def _rows(self, body: StreamingBody) -> ObjectRows:
        return CsvRows(lines_of(body))


class _RecordedLines:
    """Hands the csv reader one line at a time and remembers the lines since the last row, so
    each row's exact text is known (a quoted field may span lines)."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        self._text = codecs.iterdecode(lines, "utf-8-sig")
        self._since_last_row: list[str] = []

    def __iter__(self) -> _RecordedLines:
        return self

    def __next__(self) -> str:
        line = next(self._text)
        self._since_last_row.append(line)
        return line

    def take(self) -> bytes:
        text = "".join(self._since_last_row)
        self._since_last_row.clear()
        return text.encode("utf-8")


class CsvRows(ObjectRows):
    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines = _RecordedLines(lines)
        self._reader = csv.reader(self._lines)
        self.columns: list[str] = next(self._reader, [])
        self.preamble = self._lines.take()
        self._line_ending = "\r\n" if self.preamble.endswith(b"\r\n") else "\n"

    def __iter__(self) -> Iterator[Row]:
        for cells in self._reader:
            raw = self._lines.take()
            is_record = bool(self.columns) and len(cells) == len(self.columns)
            yield Row(raw=raw, record=dict(zip(self.columns, cells, strict=True)) if is_record else None)

    def encode(self, record: Record) -> bytes:
        unknown = sorted(set(record) - set(self.columns))
        if unknown:
            raise StoreLayoutError(f"the CSV header has no column {', '.join(unknown)}")
        text = io.StringIO()
        writer = csv.writer(text, lineterminator=self._line_ending)
        writer.writerow([_cell(record.get(column)) for column in self.columns])
        return text.getvalue().encode("utf-8")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
