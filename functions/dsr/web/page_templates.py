"""The subject's pages as Jinja2 templates (``dsr/web/templates/``), escaped by default, their
text read from the desk's catalogs in the page's language.

The environment is built on the first page a container renders, and each template compiled once
for the container's life: Jinja2's import and the compiling are paid by the routes that show a
page, not by every cold start. One environment serves every language: ``_()``, ``gettext`` and
``ngettext`` in a template read the ``language`` the page is rendered with.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from dsr.core import catalogs
from dsr.core.languages import LANGUAGE_NAMES, SHIPPED_LANGUAGES, html_lang, shipped_language
from dsr.web.page_markup import Attributes, attributes_markup

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.runtime import Context
    from markupsafe import Markup

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LANGUAGE_QUERY = "lang"
"""The query field of the language switch's links: a BCP 47 tag such as ``fr-CA``."""


def _gettext(context: Context, message: str) -> str:
    return catalogs.translations(context["language"]).gettext(message)


def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return catalogs.translations(context["language"]).ngettext(singular, plural, count)


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
    """The templates' environment: autoescaping on, undefined names an error, and the i18n
    extension's callables reading the catalog of the page's ``language``."""
    from jinja2 import (  # noqa: PLC0415 - on the first page, see the module's docstring
        Environment,
        FileSystemLoader,
        StrictUndefined,
        pass_context,
    )

    built = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates never change in a running container: compiled once
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    built.filters["attributes"] = _attributes
    built.install_gettext_callables(  # type: ignore[attr-defined]
        pass_context(_gettext), pass_context(_ngettext), newstyle=True
    )
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
    """Compile every template and read every language's catalog and dates: what the first page
    in each language would do, done before a SnapStart snapshot (``dsr.wiring.snapshot``)."""
    built = environment()
    for name in built.list_templates():
        built.get_template(name)
    for language in SHIPPED_LANGUAGES:
        catalogs.translations(language)
        catalogs.day_in_words(date(2027, 1, 5), language)
    shipped_language(["en"])


def render(name: str, language: str, **context: Any) -> str:
    """The template ``name`` as a page in ``language`` (a shipped language)."""
    template = environment().get_template(name)
    return template.render(language=language, lang=html_lang(language), **context)
