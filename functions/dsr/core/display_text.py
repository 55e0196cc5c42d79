"""Text someone else wrote, made safe to show: control characters become visible marks.

A subject's name or statement may hold bidirectional controls (U+202E turns what follows
around, so "evil\u202etxt.exe" reads as "evilexe.txt") or C0 controls (NUL, ESC, which a
terminal obeys). Shown to staff, each becomes a visible mark instead: ``␀`` for NUL (the
Unicode control pictures for C0 and DEL), ``⟨U+202E⟩`` for the others. Line breaks and tabs
stay. The console does the same in its script (``visibleText`` in console.js).
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


def _mark(found: re.Match[str]) -> str:
    character = found.group()
    code = ord(character)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\u27e8U+{code:04X}\u27e9"


def visible_text(text: str) -> str:
    """``text`` with every control character (but line breaks and tabs) shown as a mark."""
    return _CONTROLS.sub(_mark, text)
