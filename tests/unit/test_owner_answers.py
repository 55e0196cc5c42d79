"""What an owner's upload may be (read by its content), and how several customers' answers make
the task's one."""

from __future__ import annotations

import pytest

from dsr.core.actions import Action
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.fulfilment.owner_answers import IncompleteAnswerError, combine, read_answer
from dsr.fulfilment.owner_uploads import (
    MAX_UPLOAD_BYTES,
    UnacceptableUploadError,
    UploadTooLargeError,
    records_of,
)


@pytest.mark.parametrize(
    ("content", "records"),
    [
        (b'{"ticket": "T-1"}', [{"ticket": "T-1"}]),
        (b'[{"ticket": "T-1"}, {"ticket": "T-2"}]', [{"ticket": "T-1"}, {"ticket": "T-2"}]),
        (b'{"ticket": "T-1"}\n\n{"ticket": "T-2"}\n', [{"ticket": "T-1"}, {"ticket": "T-2"}]),
        (b"\xef\xbb\xbfticket,subject\r\nT-1,Login\r\n", [{"ticket": "T-1", "subject": "Login"}]),
        (b"[]", []),
    ],
)
def test_json_json_lines_and_csv_are_read_into_records(content: bytes, records: list[dict[str, str]]) -> None:
    assert records_of(content) == records


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"%PDF-1.7\n", "This file is a PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "is not JSON, JSON Lines or CSV"),
        (b"PK\x03\x04\x14\x00\x06\x00", "is not JSON, JSON Lines or CSV"),
        (b"<html><body>tickets</body></html>", "is not JSON, JSON Lines or CSV"),
        (b"[1, 2, 3]", "is not JSON, JSON Lines or CSV"),
        (b"name,name\nAda,Lovelace\n", "is not JSON, JSON Lines or CSV"),
        (b"ticket,subject\nT-1\n", "is not JSON, JSON Lines or CSV"),
        (b"  \n", "The file is empty"),
    ],
)
def test_anything_else_is_refused_saying_what_is_accepted(content: bytes, said: str) -> None:
    with pytest.raises(UnacceptableUploadError, match=said):
        records_of(content)


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(UploadTooLargeError, match="larger than 4 MB"):
        records_of(b"[" + b" " * MAX_UPLOAD_BYTES + b"]")


def test_a_form_must_choose_an_answer_and_count_in_digits() -> None:
    with pytest.raises(IncompleteAnswerError, match="Choose one of the answers"):
        read_answer({"answer": "maybe"}, None)
    with pytest.raises(IncompleteAnswerError, match="number of records"):
        read_answer({"answer": "done", "records": "-3"}, None)
    assert read_answer({"answer": "done", "records": " 4 "}, None).records == 4


def _said(status: str, records: int = 0, note: str = "") -> dict[str, object]:
    return {"status": status, "records": records, "note": note, "at": "2026-12-07T10:00:00+00:00"}


def test_any_failed_customer_fails_the_task_so_that_staff_look() -> None:
    carried = combine(Action.ERASE, [_said("done", 3), _said("failed", note="our CRM was down")])
    assert carried.status is OutcomeStatus.FAILED and carried.detail["error"] == "our CRM was down"


def test_any_done_is_done_with_the_records_summed() -> None:
    carried = combine(
        Action.EXPORT, [_said("done", 3), _said("nothing_found"), _said("done", 2), _said("exempt")]
    )
    assert (carried.status, carried.records) == (OutcomeStatus.DONE, 5)
    assert carried.detail["in_package"] == "true"
    assert "in_package" not in combine(Action.ERASE, [_said("done", 1)]).detail


def test_exempt_before_nothing_found_and_all_nothing_found_is_nothing_found() -> None:
    exempt = combine(Action.ERASE, [_said("nothing_found"), _said("exempt", note="legal hold")])
    assert exempt.status is OutcomeStatus.EXEMPT and exempt.detail["reason"] == "legal hold"
    assert (
        combine(Action.ERASE, [_said("nothing_found"), _said("nothing_found")]).status
        is OutcomeStatus.NOTHING_FOUND
    )
