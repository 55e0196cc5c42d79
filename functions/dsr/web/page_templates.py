"""The subject's pages as Jinja2 templates (``dsr/web/templates/``), escaped by default, their
text read from the desk's catalogs in the page's language.

The environment is built on the first page a container renders, and each template compiled once
for the container's life: Jinja2's import and the compiling are paid by the routes that show a
page, not by every cold start. One environment serves every language: ``_()``, ``gettext`` and
``ngettext`` in a template read the ``language`` the page is rendered with.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from dsr.core import templating
from dsr.core.languages import LANGUAGE_NAMES, SHIPPED_LANGUAGES, html_lang, shipped_language
from dsr.web.page_markup import Attributes, attributes_markup

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LANGUAGE_QUERY = "lang"
"""The query field of the language switch's links: a BCP 47 tag such as ``fr-CA``."""


def _attributes(attributes: Attributes) -> Markup:
    """`` name="value"`` for each attribute, escaped (``dsr.web.page_markup.attributes_markup``)."""
    from markupsafe import Markup  # noqa: PLC0415 - loaded with Jinja2

    return Markup(attributes_markup(attributes))  # noqa: S704  # nosec B704 - each value escaped there


def trusted(markup: str) -> Markup:
    """Markup the desk wrote itself (the page's style), to be put in a page as it is."""
    from markupsafe import Markup  # noqa: PLC0415 - loaded with Jinja2

    return Markup(markup)  # noqa: S704  # nosec B704 - the desk's own constant, never a person's text


@cache
def environment() -> Environment:
    """The pages' environment (``dsr.core.templating``): everything escaped, and the
    ``attributes`` filter that writes a tag's attributes."""
    built = templating.translated_environment(TEMPLATES_DIR, autoescape=True)
    built.filters["attributes"] = _attributes
    return built


def language_switch(language: str, query: Mapping[str, str], path: str = "") -> list[dict[str, Any]]:
    """The links of the language switch: each language named in itself, each link the page's
    own query with ``lang`` set, so that the page's other choices (where the person lives, a
    status page's token) stay; to ``path``, or the page's own path when empty."""
    kept = {name: value for name, value in query.items() if name != LANGUAGE_QUERY}
    return [
        {
            "tag": html_lang(shipped),
            "name": LANGUAGE_NAMES[shipped],
            "href": f"{path}?" + urlencode(kept | {LANGUAGE_QUERY: html_lang(shipped)}),
            "current": shipped == language,
        }
        for shipped in SHIPPED_LANGUAGES
    ]


def load_every_template() -> None:
    """Every page's template compiled, every language's catalog read, and Babel's negotiation
    loaded (a page's first Accept-Language), before a SnapStart snapshot."""
    templating.load_every_template(environment())
    shipped_language(["en"])


def render(name: str, language: str, **context: Any) -> str:
    """The template ``name`` as a page in ``language`` (a shipped language)."""
    return templating.render(environment(), name, language, **context)
