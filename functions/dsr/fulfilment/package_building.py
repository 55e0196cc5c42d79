"""Building the access package from the systems' parts: the JSON document and the readable page,
in the request's language, less whatever a reviewer redacted (``dsr.review.package_review``),
with a statement of what was withheld and on what grounds (GDPR art. 15(4); 11 CCR 7024)."""

from collections.abc import Iterable, Iterator
from typing import Any

from dsr.core.actions import Action
from dsr.core.languages import ENGLISH
from dsr.core.registry import SystemEntry
from dsr.core.registry_text import LocalText
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.notices.package_page import readable_package
from dsr.review.redactions import Redactions
from dsr.storage.outcomes import StoredOutcome
from dsr.wiring.desk import Desk


def exported_systems(outcomes: Iterable[StoredOutcome]) -> list[str]:
    """The systems whose export the desk holds as a part: an export a vendor or a customer
    answered themselves is not here."""
    return [
        o.system_id
        for o in outcomes
        if o.action == Action.EXPORT.value and _status(o) is OutcomeStatus.DONE and o.get("in_package")
    ]


def build_package(desk: Desk, request_id: str, redactions: Redactions | None = None) -> str | None:
    """Write the package and its page from the parts (less ``redactions``) and record their keys
    on the request; the package's key, or None when no system's export is held as a part."""
    request = desk.store.get(request_id)
    outcomes = desk.store.system_outcomes(request_id)
    exported = exported_systems(outcomes)
    if not exported:
        return None
    redactions = redactions or Redactions()
    language = request.language or ENGLISH
    # The counts the completion email gives, so the package and the email agree
    records = {o.system_id: o.records or 0 for o in outcomes if o.action == Action.EXPORT.value}
    found_nothing = {
        o.system_id
        for o in outcomes
        if o.action == Action.EXPORT.value and _status(o) is OutcomeStatus.NOTHING_FOUND
    }
    header: dict[str, Any] = {
        "reference": request_id,
        "received_at": request.received_at.isoformat(),
        "generated_at": desk.now().isoformat(),
        "systems": {
            s.id: {
                "name": s.name,
                "categories": s.categories,
                # All the system holds about them, as the email counts it; any withheld is said below
                "records": records.get(s.id, 0),
                **_disclosed_and_decided(s),
                **_beside_the_data(s),
            }
            for s in desk.registry.systems
            if s.id in exported
        },
        "nothing_found": {s.id: s.name for s in desk.registry.systems if s.id in found_nothing},
    }
    names = {s.id: s.name for s in desk.registry.systems}
    withheld = redactions.statement(names, language)
    if withheld:
        header["withheld"] = withheld

    def records_of(system_id: str) -> Iterator[Any]:
        return redactions.apply(system_id, desk.packages.part_records(request_id, system_id))

    # The JSON speaks the request's language; the page marks any registry text it shows in
    # English for want of a translation (so it keeps the registry's texts, LocalText).
    package_key = desk.packages.compile_records(
        request_id, exported, in_language(header, language), records_of
    )
    page = readable_package(request_id, exported, header, records_of, language)
    readable_key = desk.packages.put_readable(request_id, page)
    desk.store.set_fields(request_id, {"package_key": package_key, "readable_package_key": readable_key})
    return package_key


def _disclosed_and_decided(system: SystemEntry) -> dict[str, Any]:
    """What the package says beside a system's records: the third parties its data goes to, and
    the automated decisions it makes."""
    described: dict[str, Any] = {}
    if system.third_parties:
        described["third_parties"] = [
            {"name": party.name, "purpose": party.purpose} for party in system.third_parties
        ]
    if system.automated_decisions is not None:
        decisions = system.automated_decisions
        described["automated_decisions"] = {
            field: getattr(decisions, field) for field in type(decisions).model_fields
        }
    return described


def _beside_the_data(system: SystemEntry) -> dict[str, Any]:
    """What GDPR art. 15(1) asks to be said beside the data, as the registry says it: purposes,
    sources, recipients, and each field's label and description (registry texts, ``LocalText``)."""
    disclosure = system.disclosure
    said: dict[str, Any] = {
        kind: list(getattr(disclosure, kind))
        for kind in ("purposes", "sources", "recipients")
        if getattr(disclosure, kind)
    }
    if disclosure.fields:
        said["fields"] = {
            name: {"label": labelled.label}
            | ({"description": labelled.description} if labelled.description else {})
            for name, labelled in disclosure.fields.items()
        }
    return said


def in_language(value: Any, language: str) -> Any:
    """``value`` with each registry text in it (``LocalText``) as ``language`` reads it."""
    if isinstance(value, LocalText):
        return value.in_language(language)
    if isinstance(value, dict):
        return {key: in_language(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [in_language(item, language) for item in value]
    return value


def _status(outcome: StoredOutcome) -> OutcomeStatus | None:
    try:
        return OutcomeStatus(str(outcome.get("status")))
    except ValueError:
        return None
