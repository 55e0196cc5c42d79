"""What the systems returned: compiled for the state machine once every task has ended (the
access package among it), and described in words for the subject's closing notice.
"""

from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger

from dsr.core import catalogs
from dsr.core.actions import Action
from dsr.core.catalogs import N_
from dsr.core.languages import ENGLISH
from dsr.core.models import PrivacyRequest, RequestType
from dsr.fulfilment import package_review
from dsr.fulfilment.fulfilment import Compiled
from dsr.fulfilment.hand_off_words import handed_to
from dsr.fulfilment.outcomes import SUCCESSFUL_OUTCOMES, OutcomeStatus
from dsr.fulfilment.package_building import build_package, exported_systems
from dsr.notices.rights_answers import automated_decisions_text, review_text, third_parties_text
from dsr.storage.outcomes import StoredOutcome
from dsr.wiring.desk import Desk

logger = Logger(child=True)

# ------------------------------------------------------------------------------ compiling


def compile_results(desk: Desk, request_id: str) -> Compiled:
    """Gather the outcomes; for an access request, build the package the subject downloads, or
    hold it for review where the deployment or one of its systems asks for that
    (``dsr.review.package_review``): the workflow then waits for the release.

    Nothing found and exempt are successes: the system was asked and answered. Failed and waiting
    are not (yet)."""
    outcomes = desk.store.system_outcomes(request_id)
    succeeded = [o for o in outcomes if _status_of(o) in SUCCESSFUL_OUTCOMES]
    unfinished = [o for o in outcomes if _status_of(o) not in SUCCESSFUL_OUTCOMES]
    exported = exported_systems(succeeded)
    held = bool(exported) and package_review.held_for_review(desk, exported)
    package_key = None
    if held:
        package_review.hold(desk, request_id, exported)
    elif exported:
        package_key = build_package(desk, request_id)
    outcome = "partial" if unfinished else "completed"
    desk.audit(
        request_id,
        "workflow",
        "compile results",
        outcome,
        succeeded=len(succeeded),
        failed=len(unfinished),
        package=bool(package_key),
        held_for_review=held or None,
    )
    return Compiled(
        outcome=outcome,
        succeeded=len(succeeded),
        failed=len(unfinished),
        package_key=package_key,
        held_for_review=held,
    )


# ------------------------------------------------------------------------------ telling the subject

ACCESS_TYPES = frozenset({RequestType.ACCESS, RequestType.PORTABILITY})


def answers_to_rights(desk: Desk, request: PrivacyRequest, language: str = ENGLISH) -> list[str]:
    """What the request's types ask to be told beside the systems' outcomes, in ``language``: the
    third parties (an access answer names those of the systems its copy came from; a third-party
    list, those of every system), the automated decisions made, and staff's answer to a
    profiling review."""
    kinds = set(request.request_types)
    parts = []
    if RequestType.THIRD_PARTY_LIST in kinds:
        parts.append(
            third_parties_text(desk.registry.third_parties(), from_every_system=True, language=language)
        )
    elif kinds & ACCESS_TYPES:
        found = {
            o.system_id
            for o in desk.store.system_outcomes(request.request_id)
            if o.action == Action.EXPORT.value and _status_of(o) is OutcomeStatus.DONE
        }
        parts.append(
            third_parties_text(desk.registry.third_parties(found), from_every_system=False, language=language)
        )
    if RequestType.ADMT_ACCESS in kinds:
        parts.append(automated_decisions_text(desk.registry.automated_decision_systems(), language))
    if RequestType.PROFILING_REVIEW in kinds:
        parts.append(review_text(request.profiling_review_answer, language))
    return parts


def _done_words(action: Action, count: int, language: str) -> str:
    """``2 records deleted``: what was done to the records found, in ``language``."""
    said: dict[Action, Callable[[], str]] = {
        Action.EXPORT: lambda: catalogs.ngettext(
            language,
            "%(count)s record copied into your download",
            "%(count)s records copied into your download",
            count,
        ),
        Action.ERASE: lambda: catalogs.ngettext(
            language, "%(count)s record deleted", "%(count)s records deleted", count
        ),
        Action.RECTIFY: lambda: catalogs.ngettext(
            language, "%(count)s record corrected", "%(count)s records corrected", count
        ),
        Action.RESTRICT: lambda: catalogs.ngettext(
            language,
            "%(count)s record marked so that we only store it and do not otherwise use it",
            "%(count)s records marked so that we only store them and do not otherwise use them",
            count,
        ),
        Action.OBJECT: lambda: catalogs.ngettext(
            language,
            "%(count)s record marked so that we no longer use it for our legitimate interests",
            "%(count)s records marked so that we no longer use them for our legitimate interests",
            count,
        ),
        Action.OPT_OUT: lambda: catalogs.ngettext(
            language, "%(count)s record opted out", "%(count)s records opted out", count
        ),
        Action.LIMIT_SENSITIVE: lambda: catalogs.ngettext(
            language,
            "%(count)s record marked so that we use the sensitive data in it only to provide our services",
            "%(count)s records marked so that we use the sensitive data in them only to provide our services",
            count,
        ),
        Action.ADMT_OPT_OUT: lambda: catalogs.ngettext(
            language,
            "%(count)s record marked so that a person, not an automated system, makes these "
            "decisions about you",
            "%(count)s records marked so that a person, not an automated system, makes these "
            "decisions about you",
            count,
        ),
    }
    return said[action]()


_ACTION_NAMES = {
    Action.EXPORT: N_("copy"),
    Action.ERASE: N_("deletion"),
    Action.RECTIFY: N_("correction"),
    Action.RESTRICT: N_("restriction"),
    Action.OBJECT: N_("objection"),
    Action.OPT_OUT: N_("opt-out"),
    Action.LIMIT_SENSITIVE: N_("limit on sensitive data"),
    Action.ADMT_OPT_OUT: N_("opt-out of automated decisions"),
}


def outcome_lines(
    desk: Desk, request_id: str, language: str = ENGLISH, only: Action | None = None
) -> list[str]:
    """One plain line per system and action (``only`` that action, if given), in ``language``:
    what was done, found, kept or not yet done. Names systems, counts and field names, never a
    personal value."""
    systems = {system.id: system for system in desk.registry.systems}
    lines = []
    for outcome in desk.store.system_outcomes(request_id):
        system_id = outcome.system_id
        system = systems.get(system_id)
        try:
            action = Action(outcome.action)
        except ValueError:
            continue
        if only is not None and action is not only:
            continue
        described = {**outcome.fields, "handed_to": handed_to(system, language) if system else ""}
        if system is not None and (exemption := system.exemption_for(action)) is not None:
            # What was recorded is the English; the subject reads the registry's own translation.
            described |= {
                "reason": exemption.reason.in_language(language),
                "citation": exemption.citation.in_language(language),
            }
        name = system.name.in_language(language) if system else system_id
        lines.append(f"{name}: {describe_outcome(action, described, language)}")
    return lines


def describe_outcome(action: Action, outcome: dict[str, Any], language: str = ENGLISH) -> str:
    """What the subject is told of one system's outcome for one action (after its name)."""
    status = _status_of(outcome)
    records = int(outcome.get("records", 0) or 0)
    describe = _DESCRIBERS.get(status, _describe_unfinished)
    return describe(action, records, outcome, language)


def _describe_done(action: Action, records: int, outcome: dict[str, Any], language: str) -> str:
    confirmed_by = str(outcome.get("confirmed_by", ""))
    if confirmed_by and not (action is Action.EXPORT and outcome.get("in_package")):
        to = str(outcome.get("handed_to") or catalogs.gettext(language, "those who hold it"))
        if action is Action.EXPORT:  # what they hold is theirs to send: it is not in the download
            return catalogs.gettext(
                language,
                "we asked %(to)s for a copy of the personal data they hold about you, and they "
                "confirmed they have answered; that copy is not part of your download.",
                to=to,
            )
        return catalogs.gettext(
            language,
            "we passed on the %(action)s to %(to)s, and they confirmed it was carried out.",
            action=catalogs.gettext(language, _ACTION_NAMES[action]),
            to=to,
        )
    text = _done_words(action, records, language)
    kept = int(outcome.get("kept_anonymized", 0) or 0)
    if action is Action.ERASE and kept:
        removed = _fields(str(outcome.get("anonymized", ""))) or catalogs.gettext(
            language, "identifying details"
        )
        return catalogs.gettext(
            language,
            "%(done)s; %(kept)s kept, with your %(removed)s removed from them.",
            done=text,
            kept=_records(kept, language),
            removed=removed,
        )
    if action is Action.RECTIFY and outcome.get("corrected"):
        text += f" ({_fields(outcome['corrected'])})"
    return text + _not_held_note(outcome, language) + "."


def _describe_nothing_found(action: Action, records: int, outcome: dict[str, Any], language: str) -> str:
    if action is Action.RECTIFY and outcome.get("not_held"):
        return catalogs.gettext(
            language,
            "we do not hold %(fields)s here, so there was nothing to correct.",
            fields=_fields(outcome["not_held"]),
        )
    return catalogs.gettext(language, "we found no personal data about you here.")


def _describe_exempt(action: Action, records: int, outcome: dict[str, Any], language: str) -> str:
    because = catalogs.gettext(
        language,
        "because %(reason)s (%(citation)s)",
        reason=_sentence(str(outcome.get("reason", "")), language),
        citation=outcome.get("citation") or catalogs.gettext(language, "no citation recorded"),
    )
    if action is Action.EXPORT:
        return catalogs.gettext(
            language,
            "%(records)s withheld from your copy %(because)s.",
            records=_records(records, language),
            because=because,
        )
    kept = catalogs.gettext(
        language, "we keep %(records)s %(because)s", records=_records(records, language), because=because
    )
    if outcome.get("carried_out") == "anonymized":
        removed = _fields(str(outcome.get("anonymized", ""))) or catalogs.gettext(
            language, "identifying details"
        )
        return catalogs.gettext(
            language, "%(kept)s, with your %(removed)s removed from them.", kept=kept, removed=removed
        )
    return catalogs.gettext(
        language,
        "%(kept)s; the %(action)s was not carried out here.",
        kept=kept,
        action=catalogs.gettext(language, _ACTION_NAMES[action]),
    )


def _describe_unfinished(action: Action, records: int, outcome: dict[str, Any], language: str) -> str:
    name = catalogs.gettext(language, _ACTION_NAMES[action])
    if _status_of(outcome) is OutcomeStatus.WAITING:
        if outcome.get("waiting_on"):
            return catalogs.gettext(
                language,
                "the %(action)s has been passed on to %(to)s and we are waiting for it to be confirmed.",
                action=name,
                to=outcome["waiting_on"],
            )
        return catalogs.gettext(
            language,
            "the %(action)s has been passed on and we are waiting for it to be confirmed.",
            action=name,
        )
    return catalogs.gettext(language, "the %(action)s is not yet done; our team is on it.", action=name)


_DESCRIBERS: dict[OutcomeStatus | None, Callable[[Action, int, dict[str, Any], str], str]] = {
    OutcomeStatus.DONE: _describe_done,
    OutcomeStatus.NOTHING_FOUND: _describe_nothing_found,
    OutcomeStatus.EXEMPT: _describe_exempt,
}


def _records(count: int, language: str = ENGLISH) -> str:
    return catalogs.ngettext(language, "%(count)s record", "%(count)s records", count)


def _fields(names: str) -> str:
    """``name,postal_address`` reads ``name and postal address``."""
    words = [name.replace("_", " ") for name in names.split(",") if name]
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _not_held_note(outcome: dict[str, Any], language: str) -> str:
    not_held = outcome.get("not_held")
    if not not_held:
        return ""
    return catalogs.gettext(language, "; %(fields)s not held here", fields=_fields(not_held))


def _sentence(reason: str, language: str = ENGLISH) -> str:
    reason = reason.strip().rstrip(".")
    if not reason:
        return catalogs.gettext(language, "the law requires it")
    # "Tax law ..." reads "because tax law ...", but not "IRS ...", nor a German noun ("Steuerrecht").
    starts_a_sentence = len(reason) > 1 and reason[1].islower() and not language.startswith("de")
    return reason[0].lower() + reason[1:] if starts_a_sentence else reason


def _status_of(outcome: StoredOutcome | Mapping[str, Any]) -> OutcomeStatus | None:
    try:
        return OutcomeStatus(str(outcome.get("status")))
    except ValueError:
        return None
