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


# What shows the focus must be something the focus changes (an outline or a shadow a control wears
# anyway says nothing): the focused element's look, then its look without the focus, compared.
FOCUS_CHANGES_LOOK = """() => {
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused === document.documentElement) return true;
  const look = () => {
    const style = getComputedStyle(focused);
    return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
      style.backgroundColor, style.color, style.borderColor].join(" ");
  };
  const withFocus = look();
  focused.blur();
  const without = look();
  focused.focus({ preventScroll: true });
  return withFocus !== without;
}"""
# WCAG 2.4.11 (Focus Not Obscured): some of the focused element is in the window, and what is drawn
# at the middle of that part is the element itself (or something inside it), not a header or a
# box laid over it.
FOCUS_OBSCURED = """() => {
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused === document.documentElement) return null;
  const box = focused.getBoundingClientRect();
  const [left, right] = [Math.max(box.left, 0), Math.min(box.right, innerWidth)];
  const [top, bottom] = [Math.max(box.top, 0), Math.min(box.bottom, innerHeight)];
  const name = focused.innerText || focused.getAttribute("aria-label") || focused.id || "";
  const where = `${focused.tagName.toLowerCase()} “${name.trim().slice(0, 60)}”`;
  if (left >= right || top >= bottom) return `${where} is outside the window`;
  const drawn = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
  if (drawn && (drawn === focused || focused.contains(drawn))) return null;
  return `${where} is under ${drawn ? drawn.tagName.toLowerCase() + "." + drawn.className : "nothing"}`;
}"""
# WCAG 2.5.8 (Target Size, Minimum): each thing a pointer presses is at least 24 by 24 CSS px, or a
# circle 24 px across on its middle touches no other target nor another small target's circle. A
# link in a sentence is excepted (the line's height sets its size); so is what is hidden.
SMALL_TARGETS = """() => {
  const MIN = 24;
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    + "[tabindex]:not([tabindex='-1'])";
  const targets = [...document.querySelectorAll(selector)].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && getComputedStyle(element).visibility !== "hidden";
  });
  const inSentence = (element) => element.tagName === "A"
    && getComputedStyle(element).display === "inline"
    && element.parentElement.textContent.trim().length > element.textContent.trim().length;
  const boxes = targets.map((element) => element.getBoundingClientRect());
  const small = targets.map((element, index) => !inSentence(element)
    && (boxes[index].width < MIN - 0.5 || boxes[index].height < MIN - 0.5));
  const middle = (box) => [box.left + box.width / 2, box.top + box.height / 2];
  const distanceTo = ([x, y], box) => Math.hypot(
    Math.max(box.left - x, 0, x - box.right), Math.max(box.top - y, 0, y - box.bottom));
  const apart = (one, other) => Math.hypot(one[0] - other[0], one[1] - other[1]);
  const found = [];
  targets.forEach((element, index) => {
    if (!small[index]) return;
    const centre = middle(boxes[index]);
    const crowded = targets.some((other, at) => at !== index
      && !other.contains(element) && !element.contains(other)
      && (distanceTo(centre, boxes[at]) < MIN / 2 || (small[at] && apart(centre, middle(boxes[at])) < MIN)));
    if (!crowded) return;
    const name = element.innerText || element.getAttribute("aria-label") || element.id || "";
    const size = `${Math.round(boxes[index].width)} by ${Math.round(boxes[index].height)} px`;
    const what = `${element.tagName.toLowerCase()} “${name.trim().slice(0, 40)}”`;
    found.push(`${what} is ${size}, close to another target`);
  });
  return found;
}"""


def small_targets(page: Page) -> list[str]:
    """WCAG 2.5.8: the targets on the page smaller than 24 by 24 CSS px without room around them."""
    return list(page.evaluate(SMALL_TARGETS))


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
    that do not: too faint, or looking the same without the focus) and be in sight, under nothing
    (``obscured`` lists those that are not)."""

    def __init__(self, page: Page, most_presses: int = 100) -> None:
        self.page = page
        self.most_presses = most_presses
        self.faint: list[str] = []
        self.obscured: list[str] = []

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

    def tab_back_to(self, target: Locator) -> None:
        """Shift+Tab until ``target`` has the focus."""
        target.wait_for()
        for _ in range(self.most_presses):
            if target.evaluate("(element) => element === document.activeElement"):
                return
            self.page.keyboard.press("Shift+Tab")
            self._note_focus()
        raise AssertionError(
            f"{self.most_presses} presses of Shift+Tab never reached {target} on {self.page.url}"
        )

    def _note_focus(self) -> None:
        shown = self.page.evaluate(FOCUS_INDICATOR)
        if shown is None:
            return
        where = f"{shown['element']} “{shown['name']}”"
        faint = None
        if shown["contrast"] < FOCUS_CONTRAST:
            faint = f"{where} (contrast {shown['contrast']}:1)"
        elif not self.page.evaluate(FOCUS_CHANGES_LOOK):
            faint = f"{where} (looks the same without the focus)"
        if faint is not None and faint not in self.faint:
            self.faint.append(faint)
        obscured = self.page.evaluate(FOCUS_OBSCURED)
        if obscured is not None and obscured not in self.obscured:
            self.obscured.append(obscured)


# Where the focus is, in a word that tells one control from another on the page.
FOCUSED = """() => {
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused === document.documentElement) return null;
  const index = [...document.querySelectorAll(focused.tagName)].indexOf(focused);
  const name = (focused.id || focused.getAttribute("name") || focused.innerText || "").trim().slice(0, 40);
  return `${focused.tagName.toLowerCase()}[${index}] ${name}`;
}"""


def focus_order(page: Page, key: str, most_presses: int = 200) -> list[str]:
    """Where ``key`` (Tab or Shift+Tab) takes the focus, press after press, until it leaves the page
    or comes back to where it was first: each stop once. A stop met again before that is a trap
    (WCAG 2.1.2), and fails."""
    stops: list[str] = []
    for _ in range(most_presses):
        page.keyboard.press(key)
        where = page.evaluate(FOCUSED)
        if where is None or (stops and where == stops[0]):
            return stops
        assert where not in stops, f"{key} is caught in a loop at {where} after {stops} on {page.url}"
        stops.append(where)
    raise AssertionError(f"{most_presses} presses of {key} never left {page.url}: {stops[-5:]}")
