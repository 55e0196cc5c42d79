"""What can be done in a system, and which action each kind of request asks of it.

Apart from the registry so that a workflow task's input can name an action without loading the
registry's models: most stages never read the registry.
"""

from __future__ import annotations

from enum import StrEnum

from dsr.core.models import RequestType


class Action(StrEnum):
    EXPORT = "export"
    ERASE = "erase"
    RECTIFY = "rectify"
    RESTRICT = "restrict"
    OBJECT = "object"
    OPT_OUT = "opt_out"
    LIMIT_SENSITIVE = "limit_sensitive"
    """Use sensitive personal information only for the purposes 11 CCR 7027(m) allows."""
    ADMT_OPT_OUT = "admt_opt_out"
    """Stop making significant decisions about the person by automated decision-making technology."""

    @property
    def changes_data(self) -> bool:
        return self is not Action.EXPORT


ACTIONS_FOR_REQUEST_TYPE: dict[RequestType, Action] = {
    RequestType.ACCESS: Action.EXPORT,
    RequestType.PORTABILITY: Action.EXPORT,
    RequestType.ERASURE: Action.ERASE,
    RequestType.RECTIFICATION: Action.RECTIFY,
    RequestType.RESTRICTION: Action.RESTRICT,
    RequestType.OBJECTION: Action.OBJECT,
    RequestType.MARKETING_OPT_OUT: Action.OPT_OUT,
    RequestType.SALE_SHARING_OPT_OUT: Action.OPT_OUT,
    RequestType.LIMIT_SENSITIVE: Action.LIMIT_SENSITIVE,
    RequestType.ADMT_OPT_OUT: Action.ADMT_OPT_OUT,
    # The subject's records in the systems that make automated decisions (their scores), beside
    # what the registry says of each such system.
    RequestType.ADMT_ACCESS: Action.EXPORT,
}

ANSWERED_WITHOUT_SYSTEMS: frozenset[RequestType] = frozenset(
    {RequestType.THIRD_PARTY_LIST, RequestType.PROFILING_REVIEW}
)
"""Types no system acts on: the third parties come from the registry (the law lets the list name
those any person's data went to); a profiling review is answered by staff, in words."""

ONLY_AUTOMATED_DECISION_SYSTEMS: frozenset[RequestType] = frozenset({RequestType.ADMT_ACCESS})
"""Types whose action is asked only of the systems that make automated decisions."""
