"""Accessibility checked in the page: axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules and best
practices (``accessibility_violations``, run at every journey step), and a person using the
keyboard alone, who must see where the focus is (``Keyboard``).

axe-core is the npm package's ``axe.min.js``, fetched once by ``tools/axe_core.py`` (``make dev``, or
here on first use). It is evaluated through the browser's debugging protocol rather than added as a
``<script>`` element: the pages' Content-Security-Policy allows no script of theirs, and bypassing
that policy in the browser would hide the violations of it the journeys report.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

from playwright.sync_api import CDPSession, Locator, Page

AXE_TOOL = Path(__file__).parents[2] / "tools" / "axe_core.py"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices: one main landmark, all content
# in landmarks, headings in order, no empty table header.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RULE_TAGS = [*WCAG_TAGS, "best-practice"]
TARGETS_SHOWN = 3
RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((results) => results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  })))"""
# Where the keyboard is, as a person sees it: the focused element's outline and box shadow, each
# colour's contrast with the background behind the element (WCAG 1.4.11 asks 3:1 of what shows focus).
FOCUS_INDICATOR = """() => {
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused === document.documentElement) return null;
  const rgb = (text) => {
    const found = text && text.match(/rgba?\\(([^)]+)\\)/);
    if (!found) return null;
    const [r, g, b, a = 1] = found[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const [red, green, blue] = [r, g, b].map((value) => {
      const share = value / 255;
      return share <= 0.04045 ? share / 12.92 : ((share + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
  };
  const contrast = (one, other) => {
    const [light, dark] = [luminance(one), luminance(other)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  let behind = { r: 255, g: 255, b: 255, a: 1 };
  for (let node = focused.parentElement; node; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour && colour.a > 0) { behind = colour; break; }
  }
  const style = getComputedStyle(focused);
  const colours = [];
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) {
    colours.push(rgb(style.outlineColor));
  }
  if (style.boxShadow !== "none") {
    for (const shadow of style.boxShadow.matchAll(/rgba?\\([^)]+\\)/g)) colours.push(rgb(shadow[0]));
  }
  const seen = colours.filter((colour) => colour && colour.a > 0).map((colour) => contrast(colour, behind));
  const name = focused.labels && focused.labels.length ? focused.labels[0].innerText : focused.innerText;
  return {
    element: focused.tagName.toLowerCase() + (focused.id ? "#" + focused.id : ""),
    name: (name || focused.getAttribute("aria-label") || "").trim().slice(0, 60),
    contrast: Math.round(Math.max(0, ...seen) * 100) / 100,
  };
}"""


@cache
def axe_source() -> str:
    """The pinned ``axe.min.js``, fetched and checked by the project's tool if not yet cached."""
    fetched = subprocess.run(
        [sys.executable, str(AXE_TOOL)], capture_output=True, text=True, check=False, timeout=120
    )
    assert fetched.returncode == 0, f"could not fetch axe-core:\n{fetched.stderr}"
    return Path(fetched.stdout.strip()).read_text(encoding="utf-8")


def accessibility_violations(page: Page, tags: list[str] = RULE_TAGS) -> list[str]:
    """axe-core's violations on the page as it is now, one line each: the rule, its impact, what
    it asks and the first elements it found; axe is loaded once per document."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(RUN_AXE, tags)
    return [
        f"axe {violation['id']} ({violation['impact']}): {violation['help']}; at "
        + ", ".join(violation["targets"][:TARGETS_SHOWN])
        + (
            f" and {len(violation['targets']) - TARGETS_SHOWN} more"
            if len(violation["targets"]) > TARGETS_SHOWN
            else ""
        )
        for violation in found
    ]


# Reflow (WCAG 1.4.10): 320 CSS px wide, and 200% zoom of a 1,280 px window.
REFLOW = (
    {"width": 320, "height": 640, "deviceScaleFactor": 1},
    {"width": 640, "height": 400, "deviceScaleFactor": 2},
)


def reflow_problems(page: Page, emulation: CDPSession) -> list[str]:
    """WCAG 1.4.10: the page scrolls sideways neither at 320 CSS px nor zoomed to 200% (a 1,280 px
    window at twice the scale: 640 CSS px, device scale factor 2), emulated through ``emulation``,
    the page's debugging session. Playwright's own viewport is set again by its next change."""
    problems = []
    for reflow in REFLOW:
        emulation.send("Emulation.setDeviceMetricsOverride", {**reflow, "mobile": False})
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
        scroll_width, client_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll_width > client_width:
            problems.append(
                f"scrolls sideways at {reflow['width']} px, scale {reflow['deviceScaleFactor']}: "
                f"{scroll_width} px wide in {client_width} px"
            )
    return problems


FOCUS_CONTRAST = 3.0
"""WCAG 1.4.11: what shows the focus has a contrast of 3:1 with what is around it."""


class Keyboard:
    """A person who uses the keyboard alone: Tab to move, Enter or Space to press, typing into
    the field that has the focus. Every place the focus stops must show it (``faint`` lists those
    that do not)."""

    def __init__(self, page: Page, most_presses: int = 100) -> None:
        self.page = page
        self.most_presses = most_presses
        self.faint: list[str] = []

    def tab_to(self, target: Locator) -> None:
        """Tab until ``target`` has the focus."""
        target.wait_for()
        for _ in range(self.most_presses):
            if target.evaluate("(element) => element === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
            self._note_focus()
        raise AssertionError(f"{self.most_presses} presses of Tab never reached {target} on {self.page.url}")

    def type_into(self, target: Locator, text: str) -> None:
        self.tab_to(target)
        self.page.keyboard.type(text)

    def press(self, target: Locator, key: str = "Enter") -> None:
        self.tab_to(target)
        self.page.keyboard.press(key)

    def _note_focus(self) -> None:
        shown = self.page.evaluate(FOCUS_INDICATOR)
        if shown is not None and shown["contrast"] < FOCUS_CONTRAST:
            faint = f"{shown['element']} “{shown['name']}” (contrast {shown['contrast']}:1)"
            if faint not in self.faint:
                self.faint.append(faint)
