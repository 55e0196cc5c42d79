"""A journey through the pages as a person clicks them, checked at every step.

At each step the page must hold no answer of 500 or more, no script error in its console, nothing
wider than the window at 1,280 and 390 px (nor a chart label cut off), only links that answer, and
no violation axe-core finds of WCAG 2.2 A and AA or of its best practices (landmarks, heading
order); a numbered screenshot of each width is kept under ``build/journeys/<journey>/``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urldefrag

from playwright.sync_api import CDPSession, ConsoleMessage, Page, Response
from playwright.sync_api import Error as PlaywrightError

from tests.browser.accessibility import accessibility_violations, reflow_problems

SCREENSHOTS = Path(__file__).parents[2] / "build" / "journeys"
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}
# A page's kind, the same in every state that shows the same things: its path with the ids left
# out, and its headings.
PAGE_KIND = """() => [
  location.pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "*"),
  ...[...document.querySelectorAll("h1, h2")].map((heading) => heading.textContent.trim()),
].join(" | ")"""
TRANSLATIONS_CHECKED: set[tuple[str, str]] = set()
"""(language, kind of page) already checked in this test process."""
# A chart's labels are drawn in an SVG, which clips what does not fit instead of widening the page.
CUT_OFF_CHART_TEXT = """() => [...document.querySelectorAll("svg text")].filter((text) => {
  const chart = text.ownerSVGElement.getBoundingClientRect();
  const box = text.getBoundingClientRect();
  return box.width > 0 && (box.left < chart.left - 1 || box.right > chart.right + 1);
}).map((text) => text.textContent)"""
NOT_FETCHED = ("mailto:", "tel:", "javascript:", "data:", "blob:")


def _file_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Journey:
    """Wraps a page: records what goes wrong while a person clicks, and checks each step."""

    def __init__(self, page: Page, name: str, *, other_languages: bool = True) -> None:
        """``other_languages``: check each page in every language its switch offers as well (a
        journey made in each language checks its own)."""
        self.page = page
        self.other_languages = other_languages
        self.folder = SCREENSHOTS / _file_name(name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.steps = 0
        self.problems: list[str] = []
        self._links_answered: set[str] = set()
        self._document_checked = ""
        self._emulation: CDPSession | None = None
        self._translated: Page | None = None
        self._translated_emulation: CDPSession | None = None
        page.set_viewport_size(WIDE)
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.request.method} {response.url}")

    def _on_console(self, message: ConsoleMessage) -> None:
        source = message.location.get("url") or self.page.url
        # The browser asks for /favicon.ico by itself; no page links it and a person sees nothing.
        if message.type == "error" and not source.endswith("/favicon.ico"):
            self.problems.append(f"console error from {source}: {message.text}")

    def refused_as_meant(self, status: int) -> None:
        """The page just shown is a refusal the journey meant to cause (a form's answer of
        ``status``): the browser's console line about that status is not a problem."""
        said = f"status of {status} "
        self.problems = [p for p in self.problems if not (p.startswith("console error") and said in p)]

    def step(self, name: str) -> None:
        """The page as it is now: screenshots at both widths, then every check; a failure names
        the step and the page."""
        self.steps += 1
        self.page.wait_for_load_state()
        where = f"step {self.steps} ({name}) at {self.page.url}"
        too_wide = []
        for size in (WIDE, NARROW):
            self.page.set_viewport_size(size)
            self.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
            scroll_width, window_width = self.page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll_width > window_width:
                too_wide.append(f"{scroll_width} px wide in a {window_width} px window")
            too_wide += [
                f"chart text cut off at {size['width']} px: {text!r}"
                for text in self.page.evaluate(CUT_OFF_CHART_TEXT)
            ]
            shot = self.folder / f"{self.steps:02d}-{_file_name(name)}-{size['width']}.png"
            self.page.screenshot(path=shot, full_page=True)
        too_wide += self._reflow_problems()
        self.page.set_viewport_size(WIDE)  # after the emulation: Playwright sets its own again
        broken = self._broken_links()
        problems = too_wide + broken + self.problems + self._accessibility_violations()
        problems += self._translations_checked() if self.other_languages else []
        self.problems = []
        assert not problems, f"{where}:\n  " + "\n  ".join(problems)

    def _reflow_problems(self) -> list[str]:
        if self._emulation is None:
            self._emulation = self.page.context.new_cdp_session(self.page)
        return reflow_problems(self.page, self._emulation)

    def _translations_checked(self) -> list[str]:
        """The page in each other language its language switch offers, checked by axe-core and
        for reflow in a second tab: once a session for each kind of page (its path without ids,
        and its headings) and language."""
        offered: list[list[str]] = self.page.eval_on_selector_all(
            "nav a[hreflang]:not([aria-current])", "links => links.map((a) => [a.hreflang, a.href])"
        )
        kind = self.page.evaluate(PAGE_KIND)
        problems = []
        for language, address in offered:
            if (language, kind) in TRANSLATIONS_CHECKED:
                continue
            TRANSLATIONS_CHECKED.add((language, kind))
            if self._translated is None:
                self._translated = self.page.context.new_page()
                self._translated_emulation = self._translated.context.new_cdp_session(self._translated)
            assert self._translated_emulation is not None
            answer = self._translated.goto(address)
            found = [f"answers {answer.status}"] if answer is not None and answer.status >= 400 else []
            found += accessibility_violations(self._translated)
            found += reflow_problems(self._translated, self._translated_emulation)
            problems += [f"in {language} ({address}): {problem}" for problem in found]
        return problems

    def _accessibility_violations(self) -> list[str]:
        """axe-core's findings, unless the document is the one checked at the step before (a page
        reloaded until something changes, or a step that only took screenshots)."""
        document = self.page.evaluate("() => location.href + document.documentElement.outerHTML")
        if document == self._document_checked:
            return []
        self._document_checked = document
        return accessibility_violations(self.page)

    def _broken_links(self) -> list[str]:
        hrefs: list[str] = self.page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href)")
        broken = []
        for href in hrefs:
            address = urldefrag(href).url
            if not address or address.startswith(NOT_FETCHED) or address in self._links_answered:
                continue
            try:
                answer = self.page.request.get(address, max_redirects=5, fail_on_status_code=False)
            except PlaywrightError as failure:
                broken.append(f"link {address} does not open: {str(failure).splitlines()[0]}")
                continue
            if answer.status >= 400:
                broken.append(f"link {address} answers {answer.status}")
            else:
                self._links_answered.add(address)
        return broken


# What staff read for each action on a system: the console names the system as the registry does.
ACTION_WORDS = {
    "export": "copy",
    "erase": "erasure",
    "rectify": "correction",
    "restrict": "restriction",
    "object": "objection",
    "opt_out": "opt-out",
}


def confirm_card_title(system_name: str, action: str) -> str:
    """The title of the card on which staff record a vendor's or customer's answer."""
    return f"Confirm the {ACTION_WORDS[action]} in {system_name}"
