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
}
