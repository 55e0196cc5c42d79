"""``make run`` starts with requests in several states, for the console to show."""

from __future__ import annotations

from dsr.wiring.desk import Desk
from dsr_cli.seed_requests import seed_requests
from local_cloud.http_api import LocalApi
from tests.support import wait_until


def test_the_local_cloud_starts_with_requests_in_several_states(local_api: LocalApi, desk: Desk) -> None:
    made = seed_requests(local_api.cloud.base_url)

    def status(shown: str) -> str:
        return desk.store.get(made[shown]).status.value

    assert status("verifying") == "VERIFYING"
    assert status("awaiting approval") == "AWAITING_APPROVAL"
    assert status("awaiting approval, a name that is markup") == "AWAITING_APPROVAL"
    wait_until(
        "the approved erasure to be carried out",
        lambda: status("in progress, waiting on the vendor and customers") == "IN_PROGRESS",
    )
    wait_until("the refusal to close", lambda: status("denied in Virginia (appealable)") == "DENIED")
    assert len(desk.store.open_requests()) == 4
