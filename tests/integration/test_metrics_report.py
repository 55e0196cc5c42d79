"""The CCPA 7102 metrics report on the local cloud: a seeded year, read month by month through the
``ByReceivedMonth`` index (never a Scan), for admins only, as JSON and CSV, counts only."""

from __future__ import annotations

import csv
import io
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from dsr_cli.main import main as dsr_main
from local_cloud.http_api import LocalApi
from tests.support import staff_client

A = RequestType.ACCESS
E = RequestType.ERASURE
S = RequestType.SALE_SHARING_OPT_OUT
DENIAL = "Exempt: needed to complete the transaction the subject asked for. We keep it 90 days."
EXEMPT = "exempt: needed to complete the transaction the subject asked for"


def _day(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}T15:00:00").replace(tzinfo=UTC)


def _seed(
    desk: Desk,
    number: int,
    types: list[RequestType],
    received: str,
    closed: str | None = None,
    status: Status = Status.RECEIVED,
) -> str:
    request_id = str(uuid.uuid4())
    received_at = _day(received)
    desk.store.create(
        PrivacyRequest(
            request_id=request_id,
            request_types=types,
            subject=SubjectIdentity(email=f"subject{number}@example.com", name=f"Subject Number{number}"),
            relationship=Relationship.CUSTOMER_CONTACT,
            jurisdiction="US-CA",
            channel=Channel.WEB,
            status=Status.RECEIVED,
            received_at=received_at,
            respond_by=received_at + timedelta(days=45),
        )
    )
    if closed is not None:
        desk.store.transition(request_id, [Status.RECEIVED], status)
        desk.store.set_fields(request_id, {"closed_at": _day(closed).isoformat()})
    return request_id


@pytest.fixture
def seeded_year(desk: Desk) -> list[str]:
    """2024, worked out by hand (calendar days to respond in the comments)."""
    ids = [
        _seed(desk, 1, [A], "2024-01-15", "2024-02-04", Status.COMPLETED),  # 20
        _seed(desk, 2, [A, E], "2024-03-01", "2024-03-31", Status.PARTIALLY_COMPLETED),  # 30
        _seed(desk, 3, [E], "2024-05-10", "2024-05-20", Status.DENIED),  # 10
        _seed(desk, 4, [E], "2024-07-04", "2024-07-14", Status.UNVERIFIABLE),  # 10
        _seed(desk, 5, [S], "2024-09-09", "2024-09-10", Status.COMPLETED),  # 1
        _seed(desk, 6, [A], "2024-12-30"),  # still open
        _seed(desk, 7, [A], "2023-12-31", "2024-01-20", Status.COMPLETED),  # the year before
        _seed(desk, 8, [A], "2024-03-05"),  # March has three: the index is read page after page
        _seed(desk, 9, [A], "2024-03-20"),
    ]
    desk.audit(ids[2], "staff:approver@desk.example", "staff decision", "deny", reason=DENIAL)
    return ids


@pytest.fixture
def dynamodb_calls(desk: Desk) -> Iterator[list[str]]:
    """Every DynamoDB call the desk makes (the staff API runs in this process with the same desk),
    with the index queries cut into pages of two."""
    calls: list[str] = []
    events = desk.store._table.meta.client.meta.events

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.append(model.name if params.get("IndexName") is None else f"{model.name} {params['IndexName']}")
        if params.get("IndexName") == "ByReceivedMonth":
            params["Limit"] = 2

    events.register("before-parameter-build.dynamodb", record, unique_id="metrics-report-spy")
    try:
        yield calls
    finally:
        events.unregister("before-parameter-build.dynamodb", unique_id="metrics-report-spy")


def _by_type(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row.pop("request_type"): row for row in body["request_types"]}


def test_an_admin_gets_the_years_figures_without_a_scan(
    local_api: LocalApi, seeded_year: list[str], dynamodb_calls: list[str]
) -> None:
    admin = staff_client(local_api, "admin@desk.example")

    answer = admin.get("/staff/reports/metrics?year=2024")

    assert answer.status == 200, answer.body
    rows = _by_type(answer.body)
    assert answer.body["year"] == 2024
    assert answer.body["jurisdiction"] is None
    assert rows["access"] == {
        "label": "Get a copy of my personal data",
        "received": 5,
        "complied_in_whole": 1,
        "complied_in_part": 1,
        "denied": 0,
        "denied_by_reason": {},
        "unverifiable": 0,
        "failed": 0,
        "linked": 0,
        "cancelled": 0,
        "pending": 3,
        "responded": 2,
        "median_days": 25.0,
        "mean_days": 25.0,
    }
    erasure = rows["erasure"]
    assert (erasure["received"], erasure["complied_in_part"], erasure["denied"], erasure["unverifiable"]) == (
        3,
        1,
        2,
        1,
    )
    assert erasure["denied_by_reason"] == {"could not be verified": 1, EXEMPT: 1}
    assert (erasure["median_days"], erasure["mean_days"]) == (10.0, 16.7)  # 10 10 30
    assert rows["sale_sharing_opt_out"]["complied_in_whole"] == 1
    assert rows["portability"]["received"] == 0
    everything = rows["all"]
    assert (everything["received"], everything["complied_in_whole"], everything["pending"]) == (8, 2, 3)
    assert (everything["median_days"], everything["mean_days"]) == (10.0, 14.2)  # 1 10 10 20 30

    assert not [call for call in dynamodb_calls if call.startswith("Scan")]
    month_queries = dynamodb_calls.count("Query ByReceivedMonth")
    assert month_queries > 12  # each month once, and March (three requests) over two pages


def test_the_report_names_nobody(local_api: LocalApi, seeded_year: list[str]) -> None:
    admin = staff_client(local_api, "admin@desk.example")

    text = str(admin.get("/staff/reports/metrics?year=2024").body)

    assert "example.com" not in text
    assert "Number" not in text
    assert not [request_id for request_id in seeded_year if request_id in text]


def test_the_csv_has_a_row_per_request_type(local_api: LocalApi, seeded_year: list[str]) -> None:
    token = local_api.tokens.issue("admin@desk.example")
    request = urllib.request.Request(
        f"{local_api.cloud.base_url}/staff/reports/metrics?year=2024&format=csv",
        headers={"Authorization": f"Bearer {token}"},
    )

    with urllib.request.urlopen(request, timeout=30) as response:
        content_type = response.headers["Content-Type"]
        text = response.read().decode()

    assert content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["request_type"] for row in rows] == [*(kind.value for kind in RequestType), "all"]
    erasure = next(row for row in rows if row["request_type"] == "erasure")
    assert erasure["received"] == "3"
    assert erasure["denied"] == "2"
    assert erasure[f"denied: {EXEMPT}"] == "1"
    assert erasure["denied: could not be verified"] == "1"
    assert text.splitlines()[-1] == "2024,all,all,8,2,1,2,1,0,0,0,3,5,10.0,14.2,1,1"


def test_the_cli_prints_the_report(
    local_api: LocalApi, seeded_year: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    token = local_api.tokens.issue("admin@desk.example")
    url = local_api.cloud.base_url

    code = dsr_main(
        ["report", "metrics", "--year", "2024", "--format", "csv", "--url", url, "--token", token]
    )

    assert code == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2024,all,all,8,2,1,2,1,0,0,0,3,5,10.0,14.2,1,1"


def test_only_admins_get_the_report(
    local_api: LocalApi, public: DeskClient, analyst: DeskClient, approver: DeskClient
) -> None:
    assert public.get("/staff/reports/metrics?year=2024").status == 401
    assert analyst.get("/staff/reports/metrics?year=2024").status == 403
    assert approver.get("/staff/reports/metrics?year=2024").status == 403


def test_the_year_is_this_year_by_the_desk_s_clock_unless_a_plausible_one_is_given(
    local_api: LocalApi, desk: Desk
) -> None:
    admin = staff_client(local_api, "admin@desk.example")

    this_year = admin.get("/staff/reports/metrics")
    assert (this_year.status, this_year.body["year"]) == (200, desk.now().year)
    assert admin.get("/staff/reports/metrics?year=24").status == 422
    assert admin.get("/staff/reports/metrics?year=2024&format=xlsx").status == 422
