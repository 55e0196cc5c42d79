"""``make run`` starts with requests in several states, for the console to show."""

from __future__ import annotations

from dsr.connectors.selection import connector_for
from dsr.wiring.desk import Desk
from dsr_cli.seed_requests import seed_requests
from local_cloud.demo_data import PEOPLE
from local_cloud.http_api import LocalApi
from tests.support import wait_until


def test_the_local_cloud_starts_with_requests_in_several_states(local_api: LocalApi, desk: Desk) -> None:
    made = seed_requests(local_api.cloud.base_url)

    def status(shown: str) -> str:
        return desk.store.get(made[shown]).status.value

    assert status("verifying") == "VERIFYING"
    assert status("awaiting approval") == "AWAITING_APPROVAL"
    assert status("awaiting approval, a name that is markup") == "AWAITING_APPROVAL"
    erasure = made["in progress, waiting on the help-desk vendor"]
    wait_until(
        "the approved erasure to wait on the help-desk vendor",
        lambda: any(o.status == "waiting" for o in desk.store.system_outcomes(erasure)),
    )
    assert status("in progress, waiting on the help-desk vendor") == "IN_PROGRESS"
    wait_until("the refusal to close", lambda: status("denied in Virginia (appealable)") == "DENIED")
    assert len(desk.store.open_requests()) == 4


def test_after_the_seeded_requests_ada_still_has_the_details_the_readme_gives_to_verify_with(
    local_api: LocalApi, desk: Desk
) -> None:
    """A newcomer who runs `make run` then asks as Ada finds her account as the README's table
    describes it: the seeded erasure erases nobody the README walks through."""
    made = seed_requests(local_api.cloud.base_url)
    erasure = made["in progress, waiting on the help-desk vendor"]
    wait_until(
        "the seeded erasure to be carried out in the desk's own stores",
        lambda: any(o.status == "waiting" for o in desk.store.system_outcomes(erasure)),
    )

    accounts = connector_for(desk, desk.registry.system("accounts"))
    held = list(accounts.export("ada@example.com"))
    assert [(a["phone"], a["postal_code"]) for a in held] == [("+442071234567", "SW1A 1AA")]
    assert desk.store.get(erasure).subject.email not in {p["email"] for p in PEOPLE}
