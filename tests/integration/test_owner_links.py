"""Owners answer handed-off tasks through the link in the email that asks them: a vendor, and each
customer holding the person. A link opens its own task only, once, until it expires."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from dsr.fulfilment.owner_links import GRACE
from dsr.fulfilment.owner_uploads import MAX_UPLOAD_BYTES
from dsr.storage.packages import package_key, part_key, readable_package_key
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from dsr_cli.owner_links import answer_through_link, link_in, multipart, open_link
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from tests.support import submit, verification_code, wait_for_status, wait_until

VENDOR = "privacy@helpline.example"
EXPORT = [{"ticket": "T-1001", "subject": "Login trouble"}, {"ticket": "T-1002", "subject": "Invoice copy"}]


def _approved(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, kind: str, **request: Any
) -> str:
    request_id = str(submit(public, request_types=[kind], **request).body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
    return request_id


def _status(desk: Desk, request_id: str, task: str) -> str | None:
    return {f"{o.system_id}#{o.action}": o.status for o in desk.store.system_outcomes(request_id)}.get(task)


def _outcome(desk: Desk, request_id: str, task: str) -> dict[str, Any]:
    return next(
        o.fields for o in desk.store.system_outcomes(request_id) if f"{o.system_id}#{o.action}" == task
    )


def _links(cloud: LocalCloud, request_id: str, to: str) -> list[str]:
    """The answer links in the mail sent to ``to`` about the request, as its reader finds them."""
    mail = wait_until(
        f"the email to {to}",
        lambda: [m for m in cloud.outbox() if m.request_id == request_id and to in m.to] or None,
    )
    return [link_in(m.body) for m in mail]


def _vendor_link(cloud: LocalCloud, desk: Desk, request_id: str, task: str) -> str:
    wait_until(f"{task} to wait", lambda: _status(desk, request_id, task) == "waiting")
    [link] = _links(cloud, request_id, VENDOR)
    return link


def test_a_vendor_answers_an_export_through_its_link_with_an_upload_that_joins_the_package(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = _approved(cloud, desk, public, approver, "access")
    link = _vendor_link(cloud, desk, request_id, "customer-service#export")
    assert "ada" not in link.lower() and "@" not in link  # no personal data in the link

    # The page shows the task only: the system, the identifier, the answer-by day
    page = open_link(link)
    assert page.status == 200
    assert "Customer service (Helpline Outsourcing Ltd)" in page.body or "Customer service" in page.body
    assert "ada@example.com" in page.body
    assert "Ada Lovelace" not in page.body  # the identifier, not the person's name
    assert "payments" not in page.body.lower() and "Contacts in our customers" not in page.body
    assert "up to 4 MB" in page.body

    # A file of another type, and one too large, are refused and change nothing
    pdf = answer_through_link(link, "done", upload=("export.pdf", b"%PDF-1.7\n%binary"))
    assert pdf.status == 422 and "This file is a PDF" in pdf.body
    image = answer_through_link(link, "done", upload=("export.json", b"\x89PNG\r\n\x1a\n\x00\x00"))
    assert image.status == 422 and "is not JSON, JSON Lines or CSV" in image.body
    huge = json.dumps([{"n": "x" * 1000}] * (MAX_UPLOAD_BYTES // 1000 + 10)).encode()
    too_large = answer_through_link(link, "done", upload=("export.json", huge))
    assert too_large.status == 413 and "larger than 4 MB" in too_large.body
    nothing_uploaded = answer_through_link(link, "done")
    assert nothing_uploaded.status == 422 and "Upload the export" in nothing_uploaded.body
    assert _status(desk, request_id, "customer-service#export") == "waiting"

    # When the vendor uploads its export as CSV
    csv_export = b"ticket,subject\nT-1001,Login trouble\nT-1002,Invoice copy\n"
    answered = answer_through_link(link, "done", upload=("tickets.csv", csv_export))
    assert answered.status == 200 and "your answer is recorded" in answered.body

    # Then the task is done with the records, kept KMS-encrypted as the system's part
    wait_until("the vendor's answer", lambda: _status(desk, request_id, "customer-service#export") == "done")
    outcome = _outcome(desk, request_id, "customer-service#export")
    assert outcome["records"] == 2 and outcome["in_package"] == "true"
    assert outcome["confirmed_by"] == "vendor:Helpline Outsourcing Ltd"
    stored = desk.packages._s3.get_object(
        Bucket=desk.settings.packages_bucket, Key=part_key(request_id, "customer-service")
    )
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert [json.loads(line) for line in stored["Body"].iter_lines()] == EXPORT
    actors = {e.actor for e in desk.store.events(request_id)}
    assert "vendor:Helpline Outsourcing Ltd" in actors

    # And the link, used again, says it was answered, by whom and when, and takes nothing more
    again = open_link(link)
    assert again.status == 200 and "answered by you on" in again.body
    assert "ada@example.com" not in again.body
    assert answer_through_link(link, "nothing_found").status == 409

    # Once the customers have answered too, the package holds the vendor's part like any other
    for customer_link in {
        *_links(cloud, request_id, "admin@northwind.example"),
        *_links(cloud, request_id, "dpo@globex.example"),
    }:
        assert answer_through_link(customer_link, "nothing_found").status == 200
    wait_for_status(desk, request_id, "COMPLETED")
    package = desk.packages._s3.get_object(Bucket=desk.settings.packages_bucket, Key=package_key(request_id))
    document = json.loads(package["Body"].read())
    assert document["systems"]["customer-service"] == EXPORT
    assert document["request"]["systems"]["customer-service"]["records"] == 2
    readable = (
        desk.packages._s3.get_object(
            Bucket=desk.settings.packages_bucket, Key=readable_package_key(request_id)
        )["Body"]
        .read()
        .decode()
    )
    assert "T-1002" in readable and "Invoice copy" in readable


def test_each_customer_answers_through_its_own_link_and_the_last_answer_settles_the_task(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = _approved(cloud, desk, public, approver, "erasure")
    task = "crm-contacts#erase"
    wait_until(f"{task} to wait", lambda: _status(desk, request_id, task) == "waiting")
    northwind = _links(cloud, request_id, "admin@northwind.example")
    globex = _links(cloud, request_id, "dpo@globex.example")
    assert len(set(northwind)) == 1 and len(set(globex)) == 1 and northwind != globex
    assert "for=cust-2001" in northwind[0] and "for=cust-2002" in globex[0]

    # One customer answers: the task still waits for the other
    assert answer_through_link(northwind[0], "done", records=2, note="deleted").status == 200
    assert _status(desk, request_id, task) == "waiting"
    assert "This task has been answered" in open_link(northwind[0]).body
    # Exempt and failed need a reason
    assert "Give the reason" in answer_through_link(globex[0], "exempt").body
    # The other finds nothing: done, with the records summed
    assert answer_through_link(globex[0], "nothing_found").status == 200
    wait_until("the customers' answers", lambda: _status(desk, request_id, task) == "done")
    settled = _outcome(desk, request_id, task)
    assert settled["records"] == 2
    assert settled["confirmed_by"] == "customer:cust-2001, customer:cust-2002"
    actors = [e.actor for e in desk.store.events(request_id) if e.actor.startswith("customer:")]
    assert sorted(actors) == ["customer:cust-2001", "customer:cust-2002"]


def test_a_tampered_link_is_not_valid_and_shows_nothing_of_any_task(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = _approved(cloud, desk, public, approver, "restriction")
    link = _vendor_link(cloud, desk, request_id, "customer-service#restrict")
    grace = {"email": "grace@example.org", "name": "Grace Hopper"}
    other_id = _approved(cloud, desk, public, approver, "restriction", subject=grace)
    _vendor_link(cloud, desk, other_id, "customer-service#restrict")
    key = link.rsplit("key=", 1)[1]
    changed_key = link[:-1] + ("A" if key[-1] != "A" else "B")
    tampered = [
        changed_key,
        link.replace(request_id, other_id),  # another request's task, with this one's key
        link.replace("/customer-service/", "/crm-contacts/"),  # another system
        link.replace("/restrict?", "/erase?"),  # another action
        link.replace("for=owner", "for=cust-2001"),  # another holder
        link.split("&key=")[0],  # no key
    ]
    other_link = _links(cloud, other_id, VENDOR)[0]
    assert other_link.rsplit("key=", 1)[1] != key
    for changed in tampered:
        page = open_link(changed)
        assert page.status == 404, changed
        assert "This link is not valid" in page.body
        assert "@example" not in page.body and "Customer service" not in page.body
        assert answer_through_link(changed, "nothing_found").status == 404
    # The right link, posted from another website's page, is refused unread
    base, path = link.split("/answer/", 1)
    content_type, body = multipart({"answer": "nothing_found"}, {})
    posted = DeskClient(base).call(
        "POST",
        f"/answer/{path}",
        raw=body,
        content_type=content_type,
        headers={"Origin": "https://evil.example"},
    )
    assert posted.status == 403 and "another website" in posted.body
    assert _status(desk, request_id, "customer-service#restrict") == "waiting"
    assert _status(desk, other_id, "customer-service#restrict") == "waiting"
    assert open_link(link).status == 200


def test_a_link_expires_after_the_answer_by_time_and_its_grace(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = _approved(cloud, desk, public, approver, "restriction")
    link = _vendor_link(cloud, desk, request_id, "customer-service#restrict")
    answer_by = datetime.fromisoformat(
        str(_outcome(desk, request_id, "customer-service#restrict")["answer_by"])
    )

    within_grace = answer_by + GRACE - local_clock.now() - timedelta(hours=1)
    local_clock.advance(within_grace)
    try:
        assert open_link(link).status == 200  # past the answer-by time, within the grace
        local_clock.advance(timedelta(hours=2))
        expired = open_link(link)
        refused = answer_through_link(link, "nothing_found")
    finally:
        local_clock.advance(-within_grace - timedelta(hours=2))
    assert expired.status == 410 and "This link has expired" in expired.body
    assert "ada@example.com" not in expired.body
    assert refused.status == 410
    assert _status(desk, request_id, "customer-service#restrict") == "waiting"


def test_staff_answering_on_the_owners_behalf_closes_the_link(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    request_id = _approved(cloud, desk, public, approver, "restriction")
    link = _vendor_link(cloud, desk, request_id, "customer-service#restrict")

    confirmed = analyst.post(
        f"/staff/requests/{request_id}/systems/customer-service/restrict/confirmation",
        {"answer": "done", "note": "the vendor phoned"},
    )
    assert confirmed.status == 200
    outcome = _outcome(desk, request_id, "customer-service#restrict")
    assert outcome["on_behalf_of"] == "Helpline Outsourcing Ltd"

    page = open_link(link)
    assert page.status == 200 and "by our privacy staff, on your behalf" in page.body
    assert "analyst@desk.example" not in page.body
    assert answer_through_link(link, "failed", note="late").status == 409
    assert _status(desk, request_id, "customer-service#restrict") == "done"
