"""The answers to the rights of the newer laws, in the words the subject is sent: the third
parties their data went to, the automated decisions made about them, and staff's answer to a
profiling review. Plain text, from the registry and the request; no personal value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dsr.core.registry import AutomatedDecisions, SystemEntry, ThirdParty


def third_parties_text(
    disclosures: Iterable[tuple[SystemEntry, ThirdParty]], *, from_every_system: bool
) -> str:
    """The specific third parties (not our service providers) personal data went to, by name,
    with what each receives it for. ``from_every_system``: the list names those that receive any
    person's data, as ORS 646A.574(1)(a)(B) allows where disclosures are not kept per person."""
    by_party: dict[str, tuple[str, list[str]]] = {}
    for system, party in disclosures:
        _, systems = by_party.setdefault(party.name, (party.purpose, []))
        systems.append(system.name)
    scope = (
        "the third parties we disclose personal data to (we do not keep a list per person, so this "
        "names every third party that receives personal data from us)"
        if from_every_system
        else "the third parties we disclose the personal data we found about you to"
    )
    if not by_party:
        return "Third parties: we disclosed the personal data we found about you to no third party."
    lines = [
        f"- {name}: {purpose} (from {', '.join(systems)})" for name, (purpose, systems) in by_party.items()
    ]
    return (
        f"Third parties: {scope}. Our service providers, who act only on our instructions, are not "
        "third parties and are not listed.\n" + "\n".join(lines)
    )


def automated_decisions_text(systems: Iterable[SystemEntry]) -> str:
    """Per system that makes significant decisions by automated means: why, how, with what
    outcome, and what part a person plays (11 CCR 7222)."""
    described = [(s.name, s.automated_decisions) for s in systems if s.automated_decisions is not None]
    if not described:
        return "Automated decisions: we make no significant decision about people by automated means."
    return "Automated decisions we make:\n" + "\n".join(
        _one_system(name, decisions) for name, decisions in described
    )


def _one_system(name: str, decisions: AutomatedDecisions) -> str:
    return (
        f"- {name}\n"
        f"  Purpose: {decisions.purpose}\n"
        f"  How it decides: {decisions.logic}\n"
        f"  Outcome: {decisions.outcome}\n"
        f"  What a person does: {decisions.human_role}"
    )


def review_text(answer: Mapping[str, str] | None) -> str:
    """Staff's answer to a profiling review: the reason for the decision, and what the review found."""
    if not answer:
        return "Review of the decision: our team has not recorded an answer; we will write to you."
    return (
        "Review of the decision you questioned:\n"
        f"- Why it was made: {answer.get('decision_reason', '')}\n"
        f"- What our review found: {answer.get('review_result', '')}"
    )
