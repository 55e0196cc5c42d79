"""A PDF of lines of text: the evidence pack's and the deletion certificate's.

Written with pydyf, a small pure-Python PDF writer (no dependency of its own, WeasyPrint's): the
pages use Courier, one of the standard fonts every PDF reader has, so nothing is embedded and
lines wrap by counting characters. Text outside Windows-1252 (the standard fonts' encoding, which
holds English, French, German and Spanish) is shown as ``?``. pydyf is imported on the first PDF.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Iterable
from typing import Any

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4, in points
MARGIN = 42
FONT_SIZE = 8.5
LEADING = 11
CHARACTERS_PER_LINE = int((PAGE_WIDTH - 2 * MARGIN) / (FONT_SIZE * 0.6))
LINES_PER_PAGE = int((PAGE_HEIGHT - 2 * MARGIN) / LEADING) - 3  # the footer's lines kept free

Footer = Callable[[int, int], list[str]]
"""The lines at the foot of page ``n`` of ``pages`` (at most two)."""


def text_pdf(title: str, lines: Iterable[str], footer: Footer, language: str = "en") -> bytes:
    """A PDF of ``lines``, wrapped to the page, with ``footer`` on every page."""
    import pydyf  # noqa: PLC0415 - only the paths that make a PDF load the writer

    wrapped = [part for line in lines for part in _wrap(line)]
    pages = [wrapped[start : start + LINES_PER_PAGE] for start in range(0, len(wrapped), LINES_PER_PAGE)]
    pages = pages or [[]]
    document = pydyf.PDF()
    document.info["Title"] = pydyf.String(title)
    document.info["Producer"] = pydyf.String("privacy-rights-desk")
    document.catalog["Lang"] = pydyf.String(language.replace("_", "-"))
    font = pydyf.Dictionary(
        {"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Courier", "Encoding": "/WinAnsiEncoding"}
    )
    document.add_object(font)
    for number, page_lines in enumerate(pages, start=1):
        content = pydyf.Stream()
        _write_lines(content, page_lines, PAGE_HEIGHT - MARGIN)
        foot = footer(number, len(pages))
        _write_lines(content, foot, MARGIN + LEADING * (len(foot) - 1))
        document.add_object(content)
        document.add_page(
            pydyf.Dictionary(
                {
                    "Type": "/Page",
                    "Parent": document.pages.reference,
                    "MediaBox": pydyf.Array([0, 0, PAGE_WIDTH, PAGE_HEIGHT]),
                    "Contents": content.reference,
                    "Resources": pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference})}),
                }
            )
        )
    written = io.BytesIO()
    document.write(written)
    return written.getvalue()


def _write_lines(content: Any, lines: list[str], top: float) -> None:
    content.begin_text()
    content.set_font_size("F1", FONT_SIZE)
    content.set_text_matrix(1, 0, 0, 1, MARGIN, top)
    for index, line in enumerate(lines):
        if index:
            content.move_text_to(0, -LEADING)
        content.show_text(_literal(line))
    content.end_text()


def _literal(text: str) -> bytes:
    """A PDF string literal of ``text`` in the standard fonts' encoding."""
    encoded = text.encode("cp1252", "replace")
    escaped = encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"


def _wrap(line: str) -> list[str]:
    indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
    return textwrap.wrap(line, CHARACTERS_PER_LINE, subsequent_indent=indent, break_on_hyphens=False) or [""]
