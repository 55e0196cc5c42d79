"""The demonstration of review before release: the local cloud's ReviewAccessPackages setting is
turned on for one request (``POST /_local/settings``), its access package is held once its parts
are written, a reviewer withholds a field and a whole record, each on a ground, and releases it;
the subject then downloads the package as usual. The setting is read when the package is
compiled, so it is turned off again as soon as the package is held."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dsr_cli.demo import DemoRun


def _refused(what: str, answer: Any) -> Exception:
    from dsr_cli.demo import DemoError  # noqa: PLC0415 - demo.py lists this module's scenario

    return DemoError(f"{what} was refused ({answer.status}): {answer.body}")


def _review_setting(run: DemoRun, on: bool) -> None:
    answer = run.public.post("/_local/settings", {"review_access_packages": on})
    if answer.status != 200:
        raise _refused("changing the ReviewAccessPackages setting", answer)


def hold_access_packages(run: DemoRun) -> None:
    """The deployment holds access packages for review (the local cloud's setting)."""
    _review_setting(run, on=True)


def withhold_and_release(run: DemoRun, request_id: str) -> None:
    """Once the package waits for review: the card number's last digits in the first account
    record withheld as an account number, the second record of a part that has one withheld as another
    person's data, then the release (by the approver, as the demo's staff member)."""
    try:
        run.wait_for(
            "the package to wait for review",
            lambda: (
                request_id in [p["request_id"] for p in run.staff.get("/staff/packages").body["packages"]]
            ),
        )
    finally:
        _review_setting(run, on=False)
    base = f"/staff/requests/{request_id}/package"
    parts = run.staff.get(base).body["parts"]
    several = next((p["system_id"] for p in parts if p["records"] >= 2), None)
    first = next(p["system_id"] for p in parts if p["system_id"] != several)
    record = run.staff.get(f"{base}/systems/{first}").body["records"][0]
    named = "card_last4" if "card_last4" in record else sorted(record)[0]
    withheld = [{"system_id": first, "record": 0, "field": named, "ground": "security"}]
    if several is not None:
        withheld.append({"system_id": several, "record": 1, "ground": "third_party"})
    for redaction in withheld:
        answer = run.staff.post(f"{base}/redactions", redaction)
        if answer.status != 200:
            raise _refused("a redaction", answer)
    released = run.staff.post(f"{base}/release", {})
    if released.status != 200:
        raise _refused("the release", released)


def what_was_withheld(run: DemoRun, request_id: str) -> list[str]:
    """What the trail recorded of the review (never a value), and what the subject was told."""
    timeline = run.staff.get(f"/staff/requests/{request_id}").body["timeline"]
    lines = []
    for event in timeline:
        if event["action"] == "package redacted":
            detail = event["detail"]
            record = int(detail["record"]) + 1
            what = (
                f"field {detail['field']} of record {record}" if detail.get("field") else f"record {record}"
            )
            system, ground = detail["system_id"], event["outcome"]
            lines.append(f"{event['actor']} withheld {what} of {system} ({ground})")
        elif event["action"] == "package released":
            lines.append(
                f"{event['actor']} released the package ({event['detail']['redactions']} redactions)"
            )
    return lines
