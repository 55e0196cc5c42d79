"""The emails to subjects as Jinja2 templates (``dsr/notices/templates/emails/``), their words
read from the desk's catalogs in the request's language.

Each ``<name>.txt`` is an email's plain text: its first line the subject line, then a blank line,
then the body; not escaped, since it is not markup. ``message.html`` lays that same text out as
the HTML part (``dsr.notices.email_markup``), escaped by default. The environment is built on the
first email a container sends, and each template compiled once for the container's life: Jinja2's
import is paid by the paths that write to a subject, not by every cold start.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsr.core import catalogs
from dsr.core.languages import SHIPPED_LANGUAGES, html_lang

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.runtime import Context

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _gettext(context: Context, message: str) -> str:
    return catalogs.translations(context["language"]).gettext(message)


def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return catalogs.translations(context["language"]).ngettext(singular, plural, count)


@cache
def environment() -> Environment:
    """Escaping for the HTML and not for the plain text, undefined names an error, and the i18n
    extension's callables reading the catalog of the email's ``language``."""
    from jinja2 import (  # noqa: PLC0415 - on the first email, see the module's docstring
        Environment,
        FileSystemLoader,
        StrictUndefined,
        pass_context,
        select_autoescape,
    )

    built = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",)),
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
    return built


def render(name: str, language: str, **context: Any) -> str:
    """The template ``name`` in ``language`` (a shipped language)."""
    template = environment().get_template(name)
    return template.render(language=language, lang=html_lang(language), **context)


def load_every_template() -> None:
    """Compile every email's template and read every language's catalog and dates: what the
    first email in each language would do, done before a SnapStart snapshot (``dsr.wiring.snapshot``)."""
    built = environment()
    for name in built.list_templates():
        built.get_template(name)
    for language in SHIPPED_LANGUAGES:
        catalogs.translations(language)
        catalogs.day_in_words(date(2027, 1, 5), language)
