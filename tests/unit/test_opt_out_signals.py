"""Global Privacy Control: which header values are the signal, the jurisdictions table, and what
a signal does where an earlier opt-in conflicts with it."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dsr.core.jurisdictions import JURISDICTIONS
from dsr.policies.gpc_header import signal_sent
from dsr.policies.opt_out_signals import (
    TABLE_PATH,
    ConflictRule,
    OptOutOf,
    SignalTable,
    law_for,
    outcome_for,
    signal_table,
)


@pytest.mark.parametrize(
    "values",
    [["1"], [" 1 "], ["1\t"], ["0", "1"], ["1", "0"], [None, "1"], ["0, 1"], ["true", " 1"]],
)
def test_a_1_among_the_header_values_is_the_signal(values: list[str | None]) -> None:
    assert signal_sent(values) is True


@pytest.mark.parametrize(
    "values",
    [[], [None], [""], ["0"], ["true"], ["yes"], ["11"], ["01"], ["1.0"], ["1 2"], ["x1"], ["on"], ["-1"]],
)
def test_anything_but_exactly_1_is_not_the_signal(values: list[str | None]) -> None:
    assert signal_sent(values) is False


@settings(max_examples=60)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="1"), max_size=8), max_size=3))
def test_values_without_a_1_are_never_the_signal(values: list[str]) -> None:
    assert signal_sent(values) is False


def test_every_row_names_its_law_source_day_and_what_it_opts_out_of() -> None:
    table = signal_table()
    assert {"US-CA", "US-CO", "US-CT", "US-TX", "US-OR", "US-MT", "US-DE", "US-NH", "US-NJ"} <= set(
        table.jurisdictions
    )
    for code, row in table.jurisdictions.items():
        assert code in JURISDICTIONS
        assert row.opts_out_of, code
        assert OptOutOf.SALE in row.opts_out_of, code
        assert row.on_conflict_with_opt_in is ConflictRule.SIGNAL_WINS_MAY_ASK_TO_CONFIRM, code
        assert row.source and row.conflict_source, code
    california = table.jurisdictions["US-CA"]
    assert set(california.opts_out_of) == {OptOutOf.SALE, OptOutOf.SHARING}
    assert "7025" in california.source and "7025(c)(3)" in california.conflict_source
    assert "(check)" in table.jurisdictions["US-CT"].source  # a secondary source is marked
    assert table.jurisdictions["US-CT"].applies_from == date(2025, 1, 1)
    assert table.jurisdictions["US-OR"].applies_from == date(2026, 1, 1)
    assert table.jurisdictions["US-NJ"].applies_from == date(2025, 7, 15)
    assert table.last_update <= date(2026, 12, 31)


def test_a_row_for_an_unknown_jurisdiction_or_without_a_source_is_refused() -> None:
    document = yaml.safe_load(TABLE_PATH.read_text(encoding="utf-8"))
    document["jurisdictions"]["US-XX"] = document["jurisdictions"]["US-CA"]
    with pytest.raises(ValidationError, match="US-XX"):
        SignalTable.model_validate(document)
    del document["jurisdictions"]["US-XX"]
    document["jurisdictions"]["US-TX"] = {**document["jurisdictions"]["US-TX"], "source": ""}
    with pytest.raises(ValidationError, match="source"):
        SignalTable.model_validate(document)


def test_a_law_applies_only_from_its_day() -> None:
    assert law_for("US-CT", date(2024, 12, 31)) is None
    assert law_for("US-CT", date(2025, 1, 1)) is not None
    assert law_for("US-OR", date(2025, 12, 31)) is None
    assert law_for("EU", date(2026, 12, 7)) is None


def test_the_signal_wins_over_an_earlier_opt_in_and_the_person_may_only_be_asked_to_confirm_it() -> None:
    outcome = outcome_for("US-CA", date(2026, 12, 7), honoured_everywhere=False, earlier_opt_in=True)

    assert outcome.opts_out is True
    assert outcome.by_law is True
    assert outcome.may_ask_to_confirm_opt_in is True
    assert "7025(c)(3)" in outcome.source


def test_elsewhere_the_signal_opts_out_only_where_the_deployment_honours_it_everywhere() -> None:
    honoured = outcome_for("EU", date(2026, 12, 7), honoured_everywhere=True)
    recorded = outcome_for("EU", date(2026, 12, 7), honoured_everywhere=False)
    before_the_law = outcome_for("US-OR", date(2025, 6, 1), honoured_everywhere=False)

    assert (honoured.opts_out, honoured.by_law) == (True, False)
    assert recorded.opts_out is False
    assert before_the_law.opts_out is False
