"""``dsr registry check``: each problem in the registry or a SaaS definition is printed with the
file and line it is on and the system or tool it concerns; a request a vendor's API document
would refuse is one of them. (The shipped files pass: the README runs the command, and
tests/e2e/test_readme.py runs the README.)"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from dsr.core.saas_definitions import SAAS_DEFINITIONS_DIR
from dsr_cli.main import main
from dsr_cli.registry_check import check_registry

REGISTRY = """systems:
  - id: card-payments
    name: Card payments
    owner: finance
    categories: [billing details]
    store: {kind: saas, tool: stripe}
    actions:
      export: {}
      erase: {method: delete}
  - id: support-messenger
    name: Support messenger
    owner: customer-success
    categories: [contact details]
    store: {kind: saas, tool: intercom}
    actions:
      export: {}
      opt_out:
        set_fields: {unsubscribed_from_emails: true}
"""


@pytest.fixture
def definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "saas"
    folder.mkdir()
    for tool in ("stripe", "intercom"):
        shutil.copy(SAAS_DEFINITIONS_DIR / f"{tool}.yaml", folder / f"{tool}.yaml")
    monkeypatch.delenv("SAAS_DEFINITIONS_DIR", raising=False)
    return folder


def run_check(registry: Path, definitions: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    monkeypatch.setenv("SAAS_DEFINITIONS_DIR", str(definitions))  # put back after the test
    out = io.StringIO()
    status = check_registry(registry, definitions, out)
    # The warnings of names without their translations are tests/unit/test_registry_text.py's.
    return status, [line for line in out.getvalue().splitlines() if ": warning: " not in line]


def a_registry(tmp_path: Path, text: str = REGISTRY) -> Path:
    """systems.yaml with a Stripe and an Intercom system, each as the shipped definitions allow."""
    registry = tmp_path / "systems.yaml"
    registry.write_text(text)
    return registry


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_field_the_document_lacks_is_named_with_the_system_and_its_registry_line(
    tmp_path: Path, definitions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = a_registry(
        tmp_path, REGISTRY.replace("unsubscribed_from_emails: true", "marketing_emails: false")
    )

    status, lines = run_check(registry, definitions, monkeypatch)

    assert status == 1
    assert lines == [
        f"{registry}:{line_of(registry, 'opt_out:')}: system support-messenger (tool intercom): "
        "intercom: PUT /contacts/sample-id-123 (/contacts/{contact_id}): "
        "body field 'marketing_emails' is not in the document; "
        "correct it to what tests/vendor_apis/intercom/openapi.json documents"
    ]


def test_an_unknown_endpoint_is_named_with_the_tool_and_the_definition_line(
    tmp_path: Path, definitions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stripe = definitions / "stripe.yaml"
    stripe.write_text(stripe.read_text().replace("path: /v1/charges", "path: /v1/charge"))
    registry = a_registry(tmp_path)

    status, lines = run_check(registry, definitions, monkeypatch)

    assert status == 1
    assert lines == [
        f"{stripe}:{line_of(stripe, 'path: /v1/charge')}: tool stripe: export.0.request: "
        "stripe: GET /v1/charge: the stripe API document has no path like /v1/charge; "
        "correct it to what tests/vendor_apis/stripe/openapi.json documents"
    ]


def test_a_misspelt_key_in_a_definition_is_named_with_its_line_and_the_command_exits_1(
    tmp_path: Path, definitions: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    intercom = definitions / "intercom.yaml"
    intercom.write_text(intercom.read_text().replace("  records_at: data", "  record_at: data", 1))
    registry = a_registry(tmp_path)
    monkeypatch.setenv("SAAS_DEFINITIONS_DIR", str(definitions))

    status = main(["registry", "check", "--registry", str(registry), "--definitions", str(definitions)])

    printed = capsys.readouterr().out.splitlines()
    assert status == 1
    assert f"{intercom}:{line_of(intercom, 'record_at: data')}: tool intercom: find.record_at: " in printed[0]
    assert printed[0].endswith(
        "not a key this format has: correct its spelling (the format: functions/dsr/core/saas_definitions.py)"
    )


def test_a_next_page_parameter_the_document_lacks_is_named_at_the_pagination_line(
    tmp_path: Path, definitions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stripe = definitions / "stripe.yaml"
    text = stripe.read_text()
    charges = text.index("name: charges")
    misspelt = text[charges:].replace("param: starting_after", "param: start_after", 1)
    stripe.write_text(text[:charges] + misspelt)
    registry = a_registry(tmp_path)

    status, lines = run_check(registry, definitions, monkeypatch)

    assert status == 1
    assert lines == [
        f"{stripe}:{line_of(stripe, 'param: start_after')}: tool stripe: export.0.request (its next page): "
        "stripe: GET /v1/charges (/v1/charges): the document has no query parameter 'start_after'; "
        "correct it to what tests/vendor_apis/stripe/openapi.json documents"
    ]


def test_a_kept_field_the_vendors_answer_lacks_is_refused_at_its_line_naming_the_system(
    tmp_path: Path, definitions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stripe = definitions / "stripe.yaml"
    stripe.write_text(stripe.read_text().replace("keep: [id, object, email,", "keep: [id, object, emial,", 1))
    registry = a_registry(tmp_path)

    status, lines = run_check(registry, definitions, monkeypatch)

    assert status == 1
    assert lines == [
        f"{stripe}:{line_of(stripe, 'emial')}: system card-payments (tool stripe): find.keep: "
        "stripe's document has no field emial in the answer of GET /v1/customers: "
        "correct its spelling, or remove it"
    ]


def test_kept_fields_of_metadata_are_accepted_and_an_undescribed_answer_is_noted_once(
    tmp_path: Path, definitions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stripe = definitions / "stripe.yaml"
    stripe.write_text(
        stripe.read_text().replace("currency, metadata]", "currency, metadata, metadata.plan]", 1)
    )
    registry = a_registry(tmp_path)

    status, lines = run_check(registry, definitions, monkeypatch)

    assert status == 0
    assert lines.count("not checked: intercom's document describes no answer for POST /contacts/search") == 1
    assert not any("stripe's document describes no answer" in line for line in lines)


def test_a_kept_field_the_hubspot_search_answer_lacks_is_refused_at_its_line(
    tmp_path: Path, definitions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hubspot = definitions / "hubspot.yaml"
    text = (SAAS_DEFINITIONS_DIR / "hubspot.yaml").read_text()
    hubspot.write_text(
        text.replace("keep: [id, properties, createdAt,", "keep: [id, properties, creatdAt,", 1)
    )
    registry = a_registry(tmp_path)

    status, lines = run_check(registry, definitions, monkeypatch)

    assert status == 1
    assert lines == [
        f"{hubspot}:{line_of(hubspot, 'creatdAt')}: tool hubspot: find.keep: "
        "hubspot's document has no field creatdAt in the answer of POST /crm/v3/objects/contacts/search: "
        "correct its spelling, or remove it"
    ]


def test_reminders_that_would_come_after_the_answer_by_date_are_refused_at_the_systems_store(
    tmp_path: Path, definitions: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = a_registry(
        tmp_path,
        REGISTRY
        + """  - id: refunds-sheet
    name: Refunds spreadsheet
    owner: finance
    categories: [billing details]
    store: {kind: system_owner, team: Finance operations, address: finance-ops@desk.example,
            answer_within_days: 7, remind_every_days: 7, when_silent: block_closing}
    actions: {erase: {}}
""",
    )

    status, lines = run_check(registry, definitions, monkeypatch)

    assert status == 1
    [problem] = lines
    assert problem.startswith(
        f"{registry}:{line_of(registry, 'store: {kind: system_owner')}: system refunds-sheet: "
    )
    assert "remind_every_days (7) must be fewer than answer_within_days (7)" in problem
