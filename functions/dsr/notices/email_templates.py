"""The emails to subjects as Jinja2 templates (``dsr/notices/templates/emails/``), their words
read from the desk's catalogs in the request's language.

Each ``<name>.txt`` is an email's plain text: its first line the subject line, then a blank line,
then the body; not escaped, since it is not markup. ``message.html`` lays that same text out as
the HTML part (``dsr.notices.email_markup``), escaped by default. The environment is built on the
first email a container sends, and each template compiled once for the container's life: Jinja2's
import is paid by the paths that write to a subject, not by every cold start.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsr.core import templating

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    """Escaping for the HTML and not for the plain text (``dsr.core.templating``)."""
    from jinja2 import select_autoescape  # noqa: PLC0415 - on the first email, see the module's docstring

    return templating.translated_environment(
        TEMPLATES_DIR, select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",))
    )


def render(name: str, language: str, **context: Any) -> str:
    """The template ``name`` in ``language`` (a shipped language)."""
    return templating.render(environment(), name, language, **context)


def load_every_template() -> None:
    """Every email's template compiled, every language's catalog read, before a snapshot."""
    templating.load_every_template(environment())
