"""What carrying out one action in one system came to, and how it is recorded on the request
(``SYS#<system>#<action>``; the statuses are described in ``dsr.fulfilment.carrying_out``).

Apart from the fulfilment so that a hand-off's answer, a processor's callback or the sweeper's
time-out can record an outcome without loading the connectors and the system registry.
"""

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple

from dsr.core.actions import Action
from dsr.wiring.desk import Desk


class OutcomeStatus(StrEnum):
    DONE = "done"
    NOTHING_FOUND = "nothing_found"
    EXEMPT = "exempt"
    FAILED = "failed"
    WAITING = "waiting"


SUCCESSFUL_OUTCOMES = frozenset({OutcomeStatus.DONE, OutcomeStatus.NOTHING_FOUND, OutcomeStatus.EXEMPT})


class Carried(NamedTuple):
    """What one action in one system came to, before it is recorded."""

    status: OutcomeStatus
    records: int
    detail: Mapping[str, str] = MappingProxyType({})
    """Reason, citation, field names: never a personal value."""


def record_outcome(desk: Desk, request_id: str, system_id: str, action: Action, carried: Carried) -> None:
    desk.store.put_system_outcome(
        request_id,
        system_id,
        action.value,
        {
            "status": carried.status.value,
            "records": carried.records,
            "finished_at": desk.now().isoformat(),
            **carried.detail,
        },
        desk.audit_event(
            request_id,
            f"system:{system_id}",
            action.value,
            carried.status.value,
            records=carried.records,
            **{name: value[:200] for name, value in carried.detail.items()},
        ),
    )
