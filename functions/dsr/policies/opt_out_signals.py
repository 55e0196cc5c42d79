"""Global Privacy Control: when a browser's signal counts, and what it is in each jurisdiction.

The table is ``config/gpc_jurisdictions.yaml``, with the source beside each row. A signal counts
only as ``Sec-GPC: 1`` (``dsr.policies.gpc_header``). Where a row applies on the day, the signal is a
request to opt out of sale and sharing (or targeted advertising); elsewhere it is recorded, and
becomes a request only where the deployment honours it everywhere (``GPC_HONOURED_EVERYWHERE``).
"""

from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import NamedTuple

from pydantic import ConfigDict, Field, field_validator

from dsr.core.desk_model import DeskModel
from dsr.core.jurisdictions import JURISDICTIONS
from dsr.core.yaml_text import parse_yaml

TABLE_PATH = Path(__file__).parents[1] / "config" / "gpc_jurisdictions.yaml"


class OptOutOf(StrEnum):
    SALE = "sale"
    SHARING = "sharing"
    TARGETED_ADVERTISING = "targeted_advertising"


class ConflictRule(StrEnum):
    SIGNAL_WINS_MAY_ASK_TO_CONFIRM = "signal_wins_may_ask_to_confirm"


class SignalLaw(DeskModel):
    """One jurisdiction whose law makes the signal a valid opt-out."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    law: str = Field(min_length=3)
    source: str = Field(min_length=10)
    applies_from: date = Field(alias="from")
    opts_out_of: tuple[OptOutOf, ...] = Field(min_length=1)
    on_conflict_with_opt_in: ConflictRule
    conflict_source: str = Field(min_length=10)
    display_honored: str | None = None


class SignalTable(DeskModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    last_update: date
    jurisdictions: dict[str, SignalLaw] = Field(min_length=1)

    @field_validator("jurisdictions")
    @classmethod
    def _known_jurisdictions(cls, rows: dict[str, SignalLaw]) -> dict[str, SignalLaw]:
        unknown = sorted(set(rows) - JURISDICTIONS)
        if unknown:
            raise ValueError(f"not jurisdictions the desk knows: {', '.join(unknown)}")
        return rows


class SignalOutcome(NamedTuple):
    """What a signal from a known person does in a jurisdiction on a day."""

    opts_out: bool
    by_law: bool
    """The law makes it an opt-out (else: the deployment honours it everywhere, or nobody does)."""
    may_ask_to_confirm_opt_in: bool
    """An earlier opt-in conflicts: the opt-out stands, and the person may be asked to confirm the
    opt-in (never assumed)."""
    source: str


@cache
def signal_table() -> SignalTable:
    return SignalTable.model_validate(parse_yaml(TABLE_PATH.read_text(encoding="utf-8")))


def law_for(jurisdiction: str, on_day: date) -> SignalLaw | None:
    """The row that makes the signal an opt-out in ``jurisdiction`` on ``on_day``, if any."""
    row = signal_table().jurisdictions.get(jurisdiction)
    return row if row is not None and on_day >= row.applies_from else None


def outcome_for(
    jurisdiction: str, on_day: date, *, honoured_everywhere: bool, earlier_opt_in: bool = False
) -> SignalOutcome:
    """What a known person's signal does: an opt-out where the law says so or the deployment
    honours it everywhere; an earlier opt-in never stops it (11 CCR 7025(c)(3))."""
    row = law_for(jurisdiction, on_day)
    if row is not None:
        return SignalOutcome(True, True, earlier_opt_in, row.conflict_source)
    if honoured_everywhere:
        return SignalOutcome(
            True, False, earlier_opt_in, "honoured everywhere by the deployment (GPC_HONOURED_EVERYWHERE)"
        )
    return SignalOutcome(False, False, False, "recorded only: no law here makes the signal an opt-out")
