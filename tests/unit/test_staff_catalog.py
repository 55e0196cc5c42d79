"""The staff catalog (domain ``staff``): every message the console, the staff API and the staff
and vendor emails use is in it, its compiled catalogs are current, the subject's catalogs hold
none of its messages, and the console is served its page and its messages from it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from benchmarks.first_events import api_event
from dsr.core import staff_catalog
from dsr.core.catalogs import LOCALE_DIR
from dsr.core.staff_catalog import STAFF_DOMAIN, console_messages, staff_plural, staff_text
from staff_console import files
from staff_console.app import lambda_handler

REPOSITORY = Path(__file__).resolve().parents[2]
FUNCTIONS = REPOSITORY / "functions"
# As `make messages` extracts the staff catalog (functions/dsr/locale/staff.cfg and the Makefile).
STAFF_KEYWORDS: dict[str, Any] = {
    "staff_text": None,
    "staff_plural": (1, 2),
    "S_": None,
    "t": None,
    "tn": (1, 2),
}
STAFF_METHODS = [
    ("**.py", "python"),
    ("staff_console/static/**.js", "javascript"),
    ("staff_console/static/**.html", "jinja2"),
]
# As `make messages` extracts the subject's catalog (tests/unit/test_catalogs.py).
DESK_KEYWORDS: dict[str, Any] = {
    "_": None,
    "N_": None,
    "translated": None,
    "gettext": (2,),
    "ngettext": (2, 3),
}
DESK_METHODS = [("**/templates/**.html", "jinja2"), ("**/templates/**.txt", "jinja2"), ("**.py", "python")]
DESK_OPTIONS = {
    "**/templates/**.html": {"trim_blocks": "True", "lstrip_blocks": "True"},
    "**/templates/**.txt": {"trim_blocks": "True", "lstrip_blocks": "True"},
}
STAFF_LANGUAGES = sorted(
    path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{STAFF_DOMAIN}.po")
)


class _Context:
    function_name = "StaffConsoleFunction"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:StaffConsoleFunction"
    aws_request_id = "test-invocation"


def _ids(found: Iterator[tuple[Any, ...]]) -> set[str]:
    return {message[0] if isinstance(message, tuple) else message for _, _, message, _, _ in found}


def _staff_used() -> set[str]:
    return _ids(extract_from_dir(FUNCTIONS, STAFF_METHODS, {}, STAFF_KEYWORDS, comment_tags=()))


def _desk_used() -> set[str]:
    used: set[str] = set()
    for folder in ("functions/dsr", "functions/intake_api"):
        used |= _ids(
            extract_from_dir(REPOSITORY / folder, DESK_METHODS, DESK_OPTIONS, DESK_KEYWORDS, comment_tags=())
        )
    return used


def _catalog(language: str, domain: str = STAFF_DOMAIN) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as source:
        return read_po(source, locale=language)


def _catalog_ids(catalog: Catalog) -> set[str]:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}


@pytest.fixture(scope="module")
def staff_used() -> set[str]:
    return _staff_used()


def test_staff_read_english_from_a_catalog_of_their_own() -> None:
    assert STAFF_LANGUAGES == ["en"]


def test_every_message_the_console_the_staff_api_and_the_staff_emails_use_is_in_the_staff_catalog(
    staff_used: set[str],
) -> None:
    in_catalog = _catalog_ids(_catalog("en"))

    assert sorted(staff_used - in_catalog) == [], "run make messages"
    # The console's script and page, the staff API's refusals, the alerts and the vendors' emails
    for message in (
        "Continue to sign in",
        "{count} day overdue",
        "The staff console needs JavaScript.",
        "you triaged this erasure; another staff member must decide it",
        "this action needs the %(group)s group",
        "OVERDUE: %(heading)s was due %(day)s",
        "Dear %(vendor)s privacy team,",
    ):
        assert message in staff_used, message
    assert len(staff_used) > 300


@pytest.mark.parametrize("language", STAFF_LANGUAGES)
def test_each_compiled_staff_catalog_is_what_its_source_compiles_to(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(language))

    committed = (LOCALE_DIR / language / "LC_MESSAGES" / "staff.mo").read_bytes()
    assert committed == compiled.getvalue(), f"{language}: run make messages"


def test_the_subject_s_catalogs_hold_no_message_only_staff_read(staff_used: set[str]) -> None:
    staff_only = staff_used - _desk_used()
    with (LOCALE_DIR / "desk.pot").open("rb") as source:
        template = _catalog_ids(read_po(source))

    assert sorted(staff_only & template) == []
    for language in ("en", "fr", "fr_CA", "de", "es"):
        assert sorted(staff_only & _catalog_ids(_catalog(language, "desk"))) == [], language


def test_staff_text_fills_its_placeholders_and_counts_in_the_staff_language() -> None:
    assert staff_text("this action needs the %(group)s group", group="privacy-approver") == (
        "this action needs the privacy-approver group"
    )
    assert staff_plural("%(count)s day", "%(count)s days", 1) == "1 day"
    assert staff_plural("%(count)s day", "%(count)s days", 3) == "3 days"
    assert staff_text("A message the catalog has never seen") == "A message the catalog has never seen"


def test_the_console_is_served_its_messages_with_the_console_s_headers() -> None:
    answer = lambda_handler(api_event("GET", "/console/{asset}", "/console/messages.json"), _Context())

    assert answer["statusCode"] == 200
    headers = answer.get("multiValueHeaders") or {}
    flat = {name.lower(): values[0] for name, values in headers.items()} | {
        name.lower(): value for name, value in (answer.get("headers") or {}).items()
    }
    assert flat["content-type"] == "application/json; charset=utf-8"
    assert "script-src 'self';" in flat["content-security-policy"]
    assert "default-src 'none'" in flat["content-security-policy"]
    assert flat["x-content-type-options"] == "nosniff"
    served = json.loads(answer["body"])
    assert served == console_messages("en")
    assert served["language"] == "en"
    assert served["plural_categories"] == ["one", "other"]


def test_the_console_page_is_drawn_from_the_staff_catalog() -> None:
    answer = lambda_handler(api_event("GET", "/console", "/console"), _Context())

    assert answer["statusCode"] == 200
    page = answer["body"]
    assert '<html lang="en">' in page
    assert "<title>Privacy desk \u2013 staff console</title>" in page
    assert '<nav aria-label="Console" id="console-nav" hidden>' in page
    assert '<a href="#/triage">Triage</a>' in page
    assert "{{" not in page and "}}" not in page


@pytest.fixture
def german_staff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A staff catalog in German, as adding a language for staff would make it."""
    catalog = Catalog(locale="de", domain=STAFF_DOMAIN)
    catalog.add("Triage", "Prüfung")
    catalog.add("Privacy desk", "Datenschutzstelle")
    catalog.add("Continue to sign in", "Weiter zur Anmeldung")
    catalog.add(
        ("{count} day overdue", "{count} days overdue"), ("{count} Tag überfällig", "{count} Tage überfällig")
    )
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "staff.mo").open("wb") as compiled:
        write_mo(compiled, catalog)
    monkeypatch.setattr(staff_catalog, "LOCALE_DIR", tmp_path)
    staff_catalog.staff_translations.cache_clear()
    files._page.cache_clear()
    yield "de"
    staff_catalog.staff_translations.cache_clear()
    files._page.cache_clear()


def test_another_staff_language_is_one_parameter_away(german_staff: str) -> None:
    served = json.loads(files.messages_file(german_staff).body)
    page = files.page_file(german_staff).body

    assert served["language"] == "de"
    assert served["plural_categories"] == ["one", "other"]
    assert served["messages"]["Continue to sign in"] == "Weiter zur Anmeldung"
    assert served["messages"]["{count} day overdue"] == ["{count} Tag überfällig", "{count} Tage überfällig"]
    assert '<html lang="de">' in page
    assert '<a href="#/triage">Prüfung</a>' in page
    assert '<a href="#/appeals">Appeals</a>' in page  # not translated: its English text


def test_a_staff_language_without_a_compiled_catalog_is_refused_by_name() -> None:
    with pytest.raises(FileNotFoundError, match="pt_BR"):
        staff_catalog.staff_translations("pt_BR")
