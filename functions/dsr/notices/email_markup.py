"""The HTML part of an email: its plain text's paragraphs, lists and links, laid out by the
template ``emails/message.html`` in the message's language. Made from the text, so both parts
always say the same thing; every word escaped, only the desk's own links made links, and English
shown in another language's message (a registry text without its translation) marked as English."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from dsr.core.languages import ENGLISH
from dsr.notices import email_templates

LINK = re.compile(r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)]")
"""An http or https address (the desk's links), without the punctuation a sentence puts after it."""
ITEM = "- "
"""How the plain text starts an item of a list; a line indented under it continues the item."""


class Piece(NamedTuple):
    """Part of a line: words, or a link."""

    text: str
    link: bool = False
    lang: str | None = None
    """The language of words not in the message's own (``en``), for ``<span lang>``."""


type Line = list[Piece]


class Block(NamedTuple):
    """A paragraph (``p``: its lines) or a list (``ul``: its items, each its lines)."""

    kind: str
    lines: list[Line]
    items: list[list[Line]]


def pieces(line: str, in_english: Sequence[str] = ()) -> Line:
    """``line`` as words and links, in order; each of ``in_english`` in it marked as English."""
    found: Line = []
    start = 0
    for match in LINK.finditer(line):
        if match.start() > start:
            found += _words(line[start : match.start()], in_english)
        found.append(Piece(match.group(0), link=True))
        start = match.end()
    if start < len(line):
        found += _words(line[start:], in_english)
    return found


def _words(text: str, in_english: Sequence[str]) -> Line:
    if not in_english:
        return [Piece(text)]
    # Whole words only: a name's "invoices" is not the end of another word.
    alternatives = "|".join(re.escape(words) for words in sorted(in_english, key=len, reverse=True))
    english = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
    found: Line = []
    start = 0
    for match in english.finditer(text):
        if match.start() > start:
            found.append(Piece(text[start : match.start()]))
        found.append(Piece(match.group(0), lang="en"))
        start = match.end()
    if start < len(text):
        found.append(Piece(text[start:]))
    return found


def blocks(text: str, in_english: Sequence[str] = ()) -> list[Block]:
    """The paragraphs and lists of a plain-text body: blank lines part paragraphs; lines starting
    ``- `` are a list's items, and an indented line under one continues it."""
    found: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip("\n")):
        current: Block | None = None
        for raw in chunk.split("\n"):
            if raw.startswith(ITEM):
                if current is None or current.kind != "ul":
                    current = Block("ul", [], [])
                    found.append(current)
                current.items.append([pieces(raw.removeprefix(ITEM), in_english)])
            elif raw[:1].isspace() and current is not None and current.kind == "ul":
                current.items[-1].append(pieces(raw.strip(), in_english))
            elif raw.strip():
                if current is None or current.kind != "p":
                    current = Block("p", [], [])
                    found.append(current)
                current.lines.append(pieces(raw.strip(), in_english))
    return found


def html_version(subject: str, body: str, language: str, in_english: Sequence[str] = ()) -> str:
    """The HTML part of the email whose subject line and plain text are given; ``in_english``:
    English words in it that a message in another language marks as English (WCAG 3.1.2)."""
    english = [words for words in in_english if words] if language != ENGLISH else []
    return email_templates.render(
        "emails/message.html", language, subject=subject, blocks=blocks(body, english)
    )
