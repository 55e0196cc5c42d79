"""Every status has every view: the subject's page and JSON status, the staff API and the `dsr`
command each show a request in any status the desk can give it, in words, without an error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from dsr.core.models import CLOSED_STATUSES, Status
from dsr.notices.public_views import ANSWERED, NEXT_STEPS
from dsr.web.page_markup import STATUS_LABELS
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.http_api import LocalApi
from tests.support import submit, wait_for_status

DSR = Path(sys.executable).parent / "dsr"


def _request_in(desk: Desk, public: DeskClient, status: Status) -> tuple[str, str]:
    """A request taken in and waiting for its code (so nothing else moves it), then given
    ``status``."""
    subject = {"email": f"{status.value.lower()}@status.example"}
    answer = submit(public, request_types=["restriction"], jurisdiction="UK", subject=subject)
    assert answer.status == 201, answer.body
    request_id = str(answer.body["request_id"])
    wait_for_status(desk, request_id, "VERIFYING")
    closing = {"closed_at": desk.now().isoformat()} if status in CLOSED_STATUSES else {}
    desk.store.set_fields(request_id, {"status": status.value, **closing})
    assert desk.store.get(request_id).status is status
    return request_id, str(answer.body["status_token"])


def test_every_status_has_words_for_the_subject() -> None:
    assert set(NEXT_STEPS) == set(Status)
    assert set(STATUS_LABELS) == set(Status)


def test_the_subject_s_page_and_json_status_show_every_status(
    local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    problems = []
    for status in Status:
        request_id, token = _request_in(desk, public, status)

        page = public.call("GET", f"/status/{request_id}?token={token}")
        answer = public.get(f"/requests/{request_id}?token={token}")

        if page.status != 200 or STATUS_LABELS.get(status, "?") not in str(page.body):
            problems.append(f"{status}: page {page.status}")
        elif status in ANSWERED and "will respond by" in str(page.body):
            problems.append(f"{status}: an answered request's page still promises a date")
        if answer.status != 200 or not answer.body.get("next_step"):
            problems.append(f"{status}: JSON {answer.status} {answer.body}")
    assert not problems, problems


def test_staff_see_every_status_in_the_api_and_on_the_command_line(
    local_api: LocalApi, desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    problems = []
    for status in Status:
        request_id, _ = _request_in(desk, public, status)

        detail = analyst.get(f"/staff/requests/{request_id}")
        shown = _dsr(local_api, "staff", "--as", "analyst@desk.example", "show", request_id)
        as_json = _dsr(local_api, "staff", "--as", "analyst@desk.example", "--json", "show", request_id)

        if detail.status != 200 or detail.body.get("status") != status.value:
            problems.append(f"{status}: staff API {detail.status} {detail.body}")
        if shown.returncode != 0 or request_id[:8] not in shown.stdout:
            problems.append(f"{status}: dsr staff show exit {shown.returncode}: {shown.stderr[-300:]}")
        if as_json.returncode != 0 or json.loads(as_json.stdout or "{}").get("status") != status.value:
            problems.append(
                f"{status}: dsr staff --json show exit {as_json.returncode}: {as_json.stdout[:200]}"
            )
    assert not problems, problems


def _dsr(local_api: LocalApi, *args: str) -> subprocess.CompletedProcess[str]:
    base = local_api.cloud.base_url
    port = str(urlsplit(base).port)
    return subprocess.run(
        [str(DSR), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DSR_URL": base, "PORT": port},
    )
