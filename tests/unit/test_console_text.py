"""Every piece of text the staff console shows goes through the staff catalog: its script's
visible strings are written inside ``t(...)``/``tn(...)`` (or marked ``S_(...)`` in a table and
translated where shown), so that ``make messages`` extracts them into ``staff.po``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

CONSOLE = Path(__file__).parents[2] / "functions" / "staff_console" / "static" / "console.js"
WRAPPERS = {"t", "tn", "S_"}
# Calls whose arguments from the first number to the second (None: the last) are shown to staff:
# an element's children (after its tag and attributes), a message's text (not its kind).
SHOWN_ARGUMENTS = {"el": (1, None), "message": (0, 0), "show": (0, None), "confirm": (0, 0), "alert": (0, 0)}
SHOWN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "textContent", "label")
# Calls whose arguments are never shown: selectors.
NEVER_SHOWN_CALLS = {"querySelector", "querySelectorAll", "closest", "matches"}
# Literals that look like words but are never shown: header names, event names, the directive.
NOT_SHOWN = {
    "Bearer {…}",
    "Accept",
    "Authorization",
    "Content-Type",
    "SHA-256",
    "DOMContentLoaded",
    "use strict",
}
PROSE = re.compile(r"[A-Za-z]{2,}[,.:;!?]?\s+\S|^[A-Z][a-z]")


@dataclass(frozen=True)
class Literal:
    text: str
    line: int
    call: str | None
    """The function whose parentheses directly hold the literal (None in an object or array)."""
    argument: int
    before: str
    after: str


def _regex_may_start(code: str) -> bool:
    before = code.rstrip()
    return before == "" or before[-1] in "(,=:[!&|?{};+-*%<>~^" or before.endswith("return")


def _end_of_regex(script: str, index: int) -> int:
    """Where the regular expression literal starting at ``index`` (its ``/``) ends."""
    index += 1
    in_class = False
    while script[index] != "/" or in_class:
        if script[index] == "\\":
            index += 1
        elif script[index] in "[]":
            in_class = script[index] == "["
        index += 1
    return index + 1


def _end_of_expression(script: str, index: int) -> int:
    """Where the template's ``${...}`` starting at ``index`` ends (after its ``}``)."""
    depth = 0
    while True:
        depth += {"{": 1, "}": -1}.get(script[index], 0)
        if script[index] == "}" and depth == 0:
            return index + 1
        index += 1


def _read_string(script: str, start: int) -> tuple[str, int]:
    """The text of the string or template literal at ``start``, and where it ends."""
    quote = script[start]
    index = start + 1
    parts: list[str] = []
    while script[index] != quote:
        if script[index] == "\\":
            parts.append(script[index : index + 2])
            index += 2
        elif quote == "`" and script.startswith("${", index):
            index = _end_of_expression(script, index)
            parts.append("{…}")
        else:
            parts.append(script[index])
            index += 1
    return "".join(parts), index + 1


def _skipped(script: str, index: int) -> int | None:
    """Where a comment or a regular expression starting at ``index`` ends, if one does."""
    if script.startswith("//", index):
        return script.index("\n", index)
    if script.startswith("/*", index):
        return script.index("*/", index) + 2
    if script[index] == "/" and _regex_may_start(script[:index]):
        return _end_of_regex(script, index)
    return None


def literals(script: str) -> list[Literal]:
    """The string and template literals of ``script`` outside comments, each with the call it is
    an argument of (a template's ``${...}`` parts shown as ``{…}``)."""
    found: list[Literal] = []
    openers: list[tuple[str, str | None, int]] = []  # bracket, the name called, argument index
    index = 0
    while index < len(script):
        character = script[index]
        skipped_to = _skipped(script, index)
        if skipped_to is not None:
            index = skipped_to
            continue
        if character in "\"'`":
            text, end = _read_string(script, index)
            bracket, call, argument = openers[-1] if openers else ("", None, 0)
            found.append(
                Literal(
                    text=text,
                    line=script.count("\n", 0, index) + 1,
                    call=call if bracket == "(" else None,
                    argument=argument,
                    before=script[max(0, index - 40) : index],
                    after=script[end : end + 3],
                )
            )
            index = end
            continue
        if character in "([{":
            name = re.search(r"([A-Za-z_$][\w$]*)\s*$", script[:index]) if character == "(" else None
            openers.append((character, name.group(1) if name else None, 0))
        elif character in ")]}" and openers:
            openers.pop()
        elif character == "," and openers:
            bracket, call, argument = openers[-1]
            openers[-1] = (bracket, call, argument + 1)
        index += 1
    return found


def shown_unwrapped(script: str) -> list[str]:
    """Each literal that looks like text shown to staff and does not go through the catalog."""
    problems = []
    for literal in literals(script):
        if literal.call in WRAPPERS | NEVER_SHOWN_CALLS or literal.text in NOT_SHOWN:
            continue
        if not re.search(r"[^\W\d_]", literal.text.replace("{…}", "")):
            continue  # no word in it: punctuation, a dash for nothing
        if re.match(r"\s*:", literal.after) and not re.search(r"\?\s*$", literal.before):
            continue  # an object's key
        if re.search(r"\bclass(Name)?\s*[:=][^,;]*$|[!=]==?\s*$", literal.before):
            continue  # a class name, or a value compared with
        first, last = SHOWN_ARGUMENTS.get(literal.call or "", (None, None))
        shown_by_place = (
            first is not None and first <= literal.argument and (last is None or literal.argument <= last)
        ) or any(re.search(rf"[\"']?{name}[\"']?\s*[:=]\s*$", literal.before) for name in SHOWN_ATTRIBUTES)
        if shown_by_place or PROSE.search(literal.text.replace("{…}", "")):
            problems.append(f"line {literal.line}: {literal.text!r}")
    return problems


def test_every_text_the_console_script_shows_goes_through_the_catalog() -> None:
    assert shown_unwrapped(CONSOLE.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "snippet",
    [
        'el("p", {}, "No appeal is waiting.")',
        'el("option", { value: "approve" }, "approve")',
        'el("h1", {}, `Request ${id}`)',
        'message("Saved.")',
        'el("table", { "aria-label": "Open requests" })',
        'const COLUMNS = ["Reference", "Due"];',
        'button.textContent = "Resolve";',
        'const text = ok ? "approved" : "the request failed";',
    ],
)
def test_text_written_outside_the_catalog_is_found(snippet: str) -> None:
    assert shown_unwrapped(snippet) != [], snippet


@pytest.mark.parametrize(
    "snippet",
    [
        'el("p", {}, t("No appeal is waiting."))',
        'el("option", { value: "approve" }, t("approve"))',
        'el("h1", {}, t("Request {reference}", { reference: id }))',
        'el("td", {}, tn("{count} day left", "{count} days left", left))',
        'const COLUMNS = [S_("Reference"), S_("Due")];',
        'el("div", { class: "field note" }, api("GET", `/staff/requests/${id}`))',
        'const pattern = /"(quoted) words"/g; headers.Authorization = `Bearer ${token}`;',
    ],
)
def test_text_through_the_catalog_and_what_is_never_shown_pass(snippet: str) -> None:
    assert shown_unwrapped(snippet) == [], snippet
