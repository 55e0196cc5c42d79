"""Which rights a request's law gives, and what the desk does with the others.

Each version of a deadline policy lists the request types its law gives (``rights``); DEFAULT
gives every type. Beside them, a company offers everyone the rights its privacy policy promises
whatever the law (``RIGHTS_OFFERED_EVERYWHERE``; the shipped policy promises to review, correct
and delete one's data and to unsubscribe; ``all`` offers every type everywhere). The form offers
the person those two together, once they say where they live, and the form and the API refuse
any other type, naming it, the jurisdiction and the rights it gives. Email is read by staff, who
see the same thing: a request's page says of each type whether it is a legal right in its
jurisdiction (in the version it was received under), offered everywhere by the company, or
honoured voluntarily.
"""

from collections.abc import Collection, Iterable
from datetime import date
from typing import NamedTuple

from dsr.core.desk_model import DeskModel
from dsr.core.jurisdictions import DEFAULT
from dsr.core.models import PrivacyRequest, RequestType
from dsr.core.refusals import RefusalError
from dsr.policies.deadline_table import DeadlineError, PolicyInForce, policies
from dsr.policies.request_deadlines import request_policy


class RightNotGivenError(ValueError, RefusalError):
    """A request type the jurisdiction's law does not give, where the company honours only what
    the law gives. ``law`` names the law; ``given_from`` holds the day a later version of it gives
    a refused type, where one does."""

    def __init__(
        self,
        jurisdiction: str,
        refused: list[RequestType],
        in_force: PolicyInForce,
        everywhere: Collection[RequestType],
    ) -> None:
        self.jurisdiction = jurisdiction
        self.refused = refused
        self.given = [kind for kind in RequestType if in_force.policy.gives(kind) or kind in everywhere]
        self.law = law_name(jurisdiction)
        self.given_from = {
            kind: day for kind in refused if (day := _given_later(jurisdiction, kind, in_force)) is not None
        }
        kinds = ", ".join(kind.value for kind in refused)
        given = ", ".join(kind.value for kind in self.given)
        policy = in_force.policy
        later = "".join(f"; {kind.value} from {day}" for kind, day in self.given_from.items())
        super().__init__(
            f"{kinds}: not a right {policy.name} gives in {jurisdiction} (the version in force from "
            f"{policy.version}{later}), nor one the company offers everyone; the rights you may ask "
            f"for: {given}"
        )


def law_name(jurisdiction: str) -> str:
    """The name of the privacy law the policy table has for ``jurisdiction``
    (``California CCPA/CPRA``)."""
    return policies().policy(jurisdiction).name


def _given_later(jurisdiction: str, kind: RequestType, in_force: PolicyInForce) -> date | None:
    """The first day a version of the jurisdiction's law after the one in force gives ``kind``."""
    if in_force.code != jurisdiction:
        return None
    later = [
        version.in_force_from
        for version in policies().policy(jurisdiction).versions()
        if version.in_force_from > in_force.policy.in_force_from and version.gives(kind)
    ]
    return min(later, default=None)


class RightBasis(NamedTuple):
    """Whether a request type is a legal right where the request was made, in words for staff."""

    request_type: RequestType
    legal: bool
    basis: str


class RightAsked(DeskModel):
    """A request type as a request's page shows it: a legal right where the request was made, in
    the version of the law it was received under, or honoured voluntarily."""

    request_type: str
    legal: bool
    basis: str


def in_force(jurisdiction: str, day: date) -> PolicyInForce:
    return policies().in_force(jurisdiction, day)


def offered_everywhere(setting: str) -> frozenset[RequestType]:
    """The types ``RIGHTS_OFFERED_EVERYWHERE`` names: ``all``, a comma-separated list, or none.
    Raises ``ValueError`` naming a type the desk does not know."""
    if setting == "all":
        return frozenset(RequestType)
    named = [name.strip() for name in setting.split(",") if name.strip()]
    unknown = [name for name in named if name not in RequestType.__members__.values()]
    if unknown:
        known = ", ".join(RequestType)
        raise ValueError(
            f"RIGHTS_OFFERED_EVERYWHERE: unknown request type {', '.join(unknown)}; known: {known}"
        )
    return frozenset(RequestType(name) for name in named)


def offered(jurisdiction: str, day: date, *, everywhere: Collection[RequestType]) -> list[RequestType]:
    """The request types a person in ``jurisdiction`` may ask for on ``day``: its law's, and those
    the company offers everyone."""
    policy = in_force(jurisdiction, day).policy
    return [kind for kind in RequestType if policy.gives(kind) or kind in everywhere]


def check_given(
    jurisdiction: str, kinds: Iterable[RequestType], day: date, *, everywhere: Collection[RequestType]
) -> None:
    """Refuse (``RightNotGivenError``) the types neither the law gives nor the company offers
    everyone."""
    policy_in_force = in_force(jurisdiction, day)
    refused = [
        kind
        for kind in dict.fromkeys(kinds)
        if not policy_in_force.policy.gives(kind) and kind not in everywhere
    ]
    if refused:
        raise RightNotGivenError(jurisdiction, refused, policy_in_force, everywhere)


def bases(request: PrivacyRequest) -> list[RightBasis]:
    """Of each of the request's types: a legal right under the version of the policy the request
    runs on, or honoured voluntarily."""
    if (request.deadline_policy or request.jurisdiction) == DEFAULT:
        basis = "the company's own policy: no privacy law in the policy table applied to it"
        return [RightBasis(kind, False, basis) for kind in request.request_types]
    policy = request_policy(request)
    where = f"{policy.name}, the version in force from {policy.version}"
    return [
        RightBasis(kind, True, f"a legal right: {where}")
        if policy.gives(kind)
        else RightBasis(kind, False, f"honoured voluntarily: {where} gives no such right")
        for kind in request.request_types
    ]


def rights_asked(request: PrivacyRequest) -> list[RightAsked]:
    """``bases`` as the console shows them; none where the table no longer has the jurisdiction."""
    try:
        found = bases(request)
    except DeadlineError:
        return []
    return [RightAsked(request_type=b.request_type.value, legal=b.legal, basis=b.basis) for b in found]
