"""The answers to the rights of the newer laws, in the words the subject is sent (in the
request's language): the third parties their data went to, the automated decisions made about
them, and staff's answer to a profiling review. Plain text, from the registry and the request; no
personal value. What the registry says of each (a purpose, a logic) is its text in the request's
language (``dsr.core.registry_text``), English where the registry has none."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dsr.core.catalogs import gettext
from dsr.core.languages import ENGLISH
from dsr.core.registry import AutomatedDecisions, SystemEntry, ThirdParty


def third_parties_text(
    disclosures: Iterable[tuple[SystemEntry, ThirdParty]], *, from_every_system: bool, language: str = ENGLISH
) -> str:
    """The specific third parties (not our service providers) personal data went to, by name,
    with what each receives it for. ``from_every_system``: the list names those that receive any
    person's data, as ORS 646A.574(1)(a)(B) allows where disclosures are not kept per person."""
    by_party: dict[str, tuple[str, list[str]]] = {}
    for system, party in disclosures:
        _, systems = by_party.setdefault(party.name, (party.purpose.in_language(language), []))
        systems.append(system.name.in_language(language))
    if not by_party:
        return gettext(
            language, "Third parties: we disclosed the personal data we found about you to no third party."
        )
    heading = (
        gettext(
            language,
            "Third parties: the third parties we disclose personal data to (we do not keep a list per "
            "person, so this names every third party that receives personal data from us). Our service "
            "providers, who act only on our instructions, are not third parties and are not listed.",
        )
        if from_every_system
        else gettext(
            language,
            "Third parties: the third parties we disclose the personal data we found about you to. Our "
            "service providers, who act only on our instructions, are not third parties and are not listed.",
        )
    )
    lines = [
        gettext(
            language,
            "- %(name)s: %(purpose)s (from %(systems)s)",
            name=name,
            purpose=purpose,
            systems=", ".join(systems),
        )
        for name, (purpose, systems) in by_party.items()
    ]
    return heading + "\n" + "\n".join(lines)


def automated_decisions_text(systems: Iterable[SystemEntry], language: str = ENGLISH) -> str:
    """Per system that makes significant decisions by automated means: why, how, with what
    outcome, and what part a person plays (11 CCR 7222)."""
    described = [
        (s.name.in_language(language), s.automated_decisions)
        for s in systems
        if s.automated_decisions is not None
    ]
    if not described:
        return gettext(
            language, "Automated decisions: we make no significant decision about people by automated means."
        )
    return (
        gettext(language, "Automated decisions we make:")
        + "\n"
        + "\n".join(_one_system(name, decisions, language) for name, decisions in described)
    )


def _one_system(name: str, decisions: AutomatedDecisions, language: str) -> str:
    purpose, logic, outcome, human_role = (
        text.in_language(language)
        for text in (decisions.purpose, decisions.logic, decisions.outcome, decisions.human_role)
    )
    return (
        f"- {name}\n"
        f"  {gettext(language, 'Purpose: %(text)s', text=purpose)}\n"
        f"  {gettext(language, 'How it decides: %(text)s', text=logic)}\n"
        f"  {gettext(language, 'Outcome: %(text)s', text=outcome)}\n"
        f"  {gettext(language, 'What a person does: %(text)s', text=human_role)}"
    )


def review_text(answer: Mapping[str, str] | None, language: str = ENGLISH) -> str:
    """Staff's answer to a profiling review: the reason for the decision, and what the review found."""
    if not answer:
        return gettext(
            language, "Review of the decision: our team has not recorded an answer; we will write to you."
        )
    return (
        gettext(language, "Review of the decision you questioned:")
        + "\n"
        + gettext(language, "- Why it was made: %(text)s", text=answer.get("decision_reason", ""))
        + "\n"
        + gettext(language, "- What our review found: %(text)s", text=answer.get("review_result", ""))
    )
