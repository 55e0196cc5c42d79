"""A request's evidence pack through the staff API and ``dsr staff evidence``: kept encrypted under
its own prefix, linked, recorded in the trail, its checksum verifying, the subject nowhere in it."""

from __future__ import annotations

import hashlib
import io
import json
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pypdf
import pytest
from botocore.exceptions import ClientError

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.evidence import download
from dsr_cli.http_client import DeskClient
from dsr_cli.main import main
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from local_cloud.iam import acting_as
from local_cloud.template import ACCOUNT_ID, REGION
from tests.support import answer_hand_offs, staff_client, submit, verification_code, wait_for_status

EMAIL, NAME = "grace.hopper@example.com", "Grace Hopper"


@pytest.fixture
def four_eyes(local_api: LocalApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOUR_EYES_FOR_ERASURE", "true")
    desk_from_environment.cache_clear()  # the functions read their settings again


def _closed_erasure(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, language: str = "en"
) -> str:
    subject = {"email": EMAIL, "name": NAME}
    answer = submit(public, request_types=["erasure"], subject=subject, preferred_language=language)
    request_id = str(answer.body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    analyst = staff_client(local_api, "analyst@desk.example")
    base = f"/staff/requests/{request_id}"
    assert (
        analyst.post(f"{base}/triage", {"recommendation": "approve", "note": f"{NAME} asked."}).status == 200
    )
    approver = staff_client(local_api, "approver@desk.example")
    assert approver.post(f"{base}/decision", {"decision": "approve"}).status == 200
    answer_hand_offs(desk, approver, request_id)
    wait_for_status(desk, request_id, "COMPLETED")
    return request_id


@pytest.mark.usefixtures("four_eyes")
def test_a_closed_erasure_s_pack_is_kept_linked_audited_and_free_of_the_subject(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    request_id = _closed_erasure(local_api, cloud, desk, public)

    produced = analyst.post(f"/staff/requests/{request_id}/evidence")

    assert produced.status == 200, produced.body
    body = produced.body
    assert body["closed"] is True
    assert body["json_key"].startswith(f"evidence-packs/{request_id}/")
    stored = desk.s3.head_object(Bucket=desk.settings.packages_bucket, Key=body["pdf_key"])
    assert stored["ServerSideEncryption"] == "aws:kms"
    content, pdf = download(body["json_url"]), download(body["pdf_url"])
    assert hashlib.sha256(content).hexdigest() == body["sha256"]
    pack = json.loads(content)
    assert pack["decision"]["triaged_by"] == "analyst@desk.example"
    assert pack["decision"]["decided_by"] == "approver@desk.example"
    assert {s["action"] for s in pack["systems"]} == {"erase"}
    assert any(n["to"] == "subject" and "received your privacy" in n["subject_line"] for n in pack["notices"])
    assert {c["clock"]: c["state"] for c in pack["deadlines"]["clocks"]}["respond"] == "met"
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert body["sha256"] in text
    for written in (content.decode(), text):
        assert EMAIL not in written and NAME not in written and "Hopper" not in written
    produced_line = [e for e in desk.store.events(request_id) if e.action == "evidence pack"]
    assert [(e.actor, e.detail["sha256"]) for e in produced_line] == [
        ("staff:analyst@desk.example", body["sha256"])
    ]


def test_the_staff_api_refuses_a_pack_for_a_request_that_does_not_exist(analyst: DeskClient) -> None:
    refused = analyst.post("/staff/requests/00000000-0000-4000-8000-000000000000/evidence")

    assert refused.status == 404
    assert "00000000-0000-4000-8000-000000000000" in refused.body["message"]


def test_dsr_staff_evidence_writes_the_files_and_an_open_request_s_pack_says_as_of(
    local_api: LocalApi, public: DeskClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = str(submit(public, request_types=["access"]).body["request_id"])
    arguments = ["staff", "--url", local_api.cloud.base_url, "--as", "analyst@desk.example"]

    assert main([*arguments, "evidence", request_id[:8], "--directory", str(tmp_path)]) == 0

    printed = capsys.readouterr().out
    assert "still open: as of" in printed
    json_file = next(tmp_path.glob("*.json"))
    checksum_line = next(tmp_path.glob("*.sha256")).read_text(encoding="utf-8")
    assert checksum_line == f"{hashlib.sha256(json_file.read_bytes()).hexdigest()}  {json_file.name}\n"
    assert checksum_line.split()[0] in printed and str(json_file) in printed
    assert next(tmp_path.glob("*.pdf")).read_bytes().startswith(b"%PDF")
    assert json.loads(json_file.read_bytes())["closed"] is False


def test_a_closed_erasure_s_subject_is_sent_a_deletion_certificate_in_their_language_each_time_staff_ask(
    local_api: LocalApi,
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    analyst: DeskClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    request_id = _closed_erasure(local_api, cloud, desk, public, language="fr")
    path = f"/staff/requests/{request_id}/deletion-certificate"

    sent = analyst.post(path)

    assert (sent.status, sent.body["language"]) == (200, "fr")
    certificates = [m for m in cloud.outbox() if m.subject.startswith("Certificat de suppression")]
    assert len(certificates) == 1
    certificate = certificates[0]
    assert certificate.to == [EMAIL] and certificate.language == "fr"
    assert certificate.subject == f"Certificat de suppression pour votre demande {request_id[:8]}"
    assert "a été fermée le" in certificate.body and "conservé et pourquoi" in certificate.body
    erased = [
        s.name.in_language("fr") for s in desk.registry.systems if s.id in _erased_systems(desk, request_id)
    ]
    assert erased and all(f"- {name}: " in certificate.body for name in erased)
    assert certificate.attachments == [f"deletion-certificate-{request_id[:8]}.pdf"]
    certified = _attached_pdf_text(certificate.message_id)
    assert certificate.subject in certified and all(name in certified for name in erased)
    assert "fermée le" in certified
    # Once per press: from the command line, a second one is sent and both are in the trail
    arguments = ["staff", "--url", local_api.cloud.base_url, "--as", "analyst@desk.example"]
    assert main([*arguments, "certificate", request_id[:8]]) == 0
    assert "the deletion certificate is sent to the subject (in fr" in capsys.readouterr().out
    assert len([m for m in cloud.outbox() if m.subject == certificate.subject]) == 2
    lines = [e for e in desk.store.events(request_id) if e.action == "deletion certificate"]
    assert [(e.actor, e.outcome) for e in lines] == [
        ("staff:analyst@desk.example", "sent to the subject")
    ] * 2


def test_a_deletion_certificate_is_refused_for_an_open_erasure_and_for_another_kind_of_request(
    cloud: LocalCloud, desk: Desk, public: DeskClient, analyst: DeskClient
) -> None:
    erasure = str(submit(public, request_types=["erasure"]).body["request_id"])
    access = str(submit(public, request_types=["access"]).body["request_id"])

    still_open = analyst.post(f"/staff/requests/{erasure}/deletion-certificate")
    not_erasure = analyst.post(f"/staff/requests/{access}/deletion-certificate")

    assert still_open.status == 409 and "once the erasure has closed" in still_open.body["message"]
    assert not_erasure.status == 409 and "only for an erasure" in not_erasure.body["message"]
    assert not [m for m in cloud.outbox() if "deletion" in m.subject.lower()]


def _attached_pdf_text(message_id: str) -> str:
    """The text of the PDF attached to the message SES sent (as the subject's mail program reads it)."""
    from moto.ses.models import ses_backends

    for sent in ses_backends[ACCOUNT_ID][REGION].sent_messages:
        raw = getattr(sent, "raw_data", None)
        message = BytesParser(policy=policy.default).parsebytes(raw.encode()) if raw else None
        if isinstance(message, EmailMessage) and message["Message-ID"] == message_id:
            pdf = next(message.iter_attachments()).get_content()
            return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    raise AssertionError(f"no message {message_id} was sent")


def _erased_systems(desk: Desk, request_id: str) -> set[str]:
    return {o.system_id for o in desk.store.system_outcomes(request_id) if o.action == "erase"}


def test_the_staff_api_may_write_evidence_packs_and_nothing_else_in_the_packages_bucket(
    cloud: LocalCloud, desk: Desk
) -> None:
    assert cloud.bridge is not None
    files = {"json": b"{}\n", "pdf": b"%PDF-1.7"}
    with acting_as(cloud.bridge.roles["StaffApiFunction"]):
        keys = desk.packages.put_evidence_pack("req-1", "20261207T120000000000Z", files, "0" * 64)
        with pytest.raises(ClientError) as refused:
            desk.packages.put_readable("req-1", iter([b"<p>a package</p>"]))

    assert keys["json"] == "evidence-packs/req-1/20261207T120000000000Z-evidence.json"
    assert "s3:PutObject" in refused.value.response["Error"]["Message"]
