"""Jinja2 environments whose i18n extension reads the desk's catalogs: the subject's pages
(``dsr.web.page_templates``) and emails (``dsr.notices.email_templates``) are built on them.

One environment serves every language: ``_()``, ``gettext`` and ``ngettext`` in a template read
the ``language`` it is rendered with. Jinja2 is imported when an environment is first built (on
a container's first page or email), never at import, and each template is compiled once for the
container's life.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsr.core import catalogs
from dsr.core.languages import SHIPPED_LANGUAGES, html_lang
from dsr.core.registry_text import LocalText

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.runtime import Context


def _gettext(context: Context, message: str) -> str:
    return catalogs.translations(context["language"]).gettext(message)


def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return catalogs.translations(context["language"]).ngettext(singular, plural, count)


def _shown(context: Context, value: object) -> object:
    """A registry text (``dsr.core.registry_text``) in the template's language: where the registry
    has no translation, the English shown is marked ``lang="en"`` (WCAG 3.1.2, language of parts).
    Anything else is shown as it is."""
    from markupsafe import Markup  # noqa: PLC0415 - Jinja2's own, loaded with it

    if not isinstance(value, LocalText):
        return value
    language = context["language"]
    shown = value.shown_in(language)
    if shown.language.split("_")[0] == language.split("_")[0]:
        return shown.text
    return Markup('<span lang="{}">{}</span>').format(html_lang(shown.language), shown.text)


def translated_environment(folder: Path, autoescape: bool | Callable[[str | None], bool]) -> Environment:
    """The templates under ``folder``: escaped as ``autoescape`` says, undefined names an error,
    and the i18n extension's callables reading the catalog of the template's ``language``."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context  # noqa: PLC0415

    built = Environment(
        loader=FileSystemLoader(folder),
        autoescape=autoescape,  # noqa: S701  # nosec B701 - True, or the emails: HTML escaped, plain text not
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # templates never change in a running container: compiled once
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    built.install_gettext_callables(  # type: ignore[attr-defined]
        pass_context(_gettext), pass_context(_ngettext), newstyle=True
    )
    built.filters["shown"] = pass_context(_shown)
    return built


def render(environment: Environment, name: str, language: str, **context: Any) -> str:
    """The template ``name`` in ``language`` (a shipped language), told its ``lang`` tag too."""
    template = environment.get_template(name)
    return template.render(language=language, lang=html_lang(language), **context)


def load_every_template(environment: Environment) -> None:
    """Compile every template and read every language's catalog and dates: what the first page
    or email in each language would do, done before a SnapStart snapshot (``dsr.wiring.snapshot``)."""
    for name in environment.list_templates():
        environment.get_template(name)
    for language in SHIPPED_LANGUAGES:
        catalogs.translations(language)
        catalogs.day_in_words(date(2027, 1, 5), language)
