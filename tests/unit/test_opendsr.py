"""OpenDSR, the controller's side: callback verification, building requests, mapping processor errors."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

from dsr.core.models import RequestType
from dsr.fulfilment.opendsr import (
    SUBJECT_REQUEST_TYPE_FOR,
    UUID4_PATTERN,
    V1_REQUESTS_ROUTE,
    V2_REQUESTS_ROUTE,
    IdentityFormat,
    ProcessingStatus,
    Regulation,
    SubjectRequestType,
    build_request,
    new_subject_request_id,
    regulation_for,
)
from dsr.fulfilment.opendsr_callbacks import CallbackRejected, callback_fingerprint, verify_callback
from dsr.fulfilment.opendsr_client import (
    OpenDsrClient,
    ProcessorError,
    TransientProcessorError,
    check_url,
    requests_route,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DOMAIN = "payments.example"
SUBJECT_REQUEST_ID = "5f0b6a3e-6d1c-4b7e-9a51-2f3c4d5e6f70"
EMAIL = "Ada.Lovelace@Example.com"

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def make_certificate(
    key: Key, domain: str = DOMAIN, not_before: datetime = NOW - timedelta(days=1), days: int = 30
) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def signature(key: Key, body: bytes) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    else:
        raw = key.sign(body, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(raw).decode()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def callback_body(status: str = "completed") -> bytes:
    return json.dumps(
        {
            "subject_request_id": SUBJECT_REQUEST_ID,
            "request_status": status,
            "api_version": "2.0",
            "expected_completion_time": "2025-03-02T12:00:00Z",
            "status_callback_url": "https://desk.example/opendsr/callbacks",
        }
    ).encode()


def v2_headers(key: Key, body: bytes, domain: str = DOMAIN) -> dict[str, str]:
    return {"X-OpenDSR-Processor-Domain": domain, "X-OpenDSR-Signature": signature(key, body)}


def rejection(body: bytes, headers: dict[str, str], pem: bytes, now: datetime = NOW) -> str:
    with pytest.raises(CallbackRejected) as refused:
        verify_callback(body, headers, expected_domain=DOMAIN, certificate_pem=pem, now=now)
    return refused.value.reason


# --- callbacks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key_name", ["rsa_key", "ec_key"])
def test_a_correctly_signed_callback_is_read(key_name: str, request: pytest.FixtureRequest) -> None:
    key = request.getfixturevalue(key_name)
    body = callback_body()
    status = verify_callback(
        body, v2_headers(key, body), expected_domain=DOMAIN, certificate_pem=make_certificate(key), now=NOW
    )
    assert status.subject_request_id == SUBJECT_REQUEST_ID
    assert status.request_status is ProcessingStatus.COMPLETED


def test_a_signature_by_another_key_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    body = callback_body()
    assert rejection(body, v2_headers(forger, body), make_certificate(rsa_key)) == "bad-signature"


def test_an_ecdsa_signature_by_another_key_is_refused(ec_key: ec.EllipticCurvePrivateKey) -> None:
    forger = ec.generate_private_key(ec.SECP256R1())
    body = callback_body()
    assert rejection(body, v2_headers(forger, body), make_certificate(ec_key)) == "bad-signature"


@pytest.mark.parametrize("key_name", ["rsa_key", "ec_key"])
def test_a_tampered_body_is_refused(key_name: str, request: pytest.FixtureRequest) -> None:
    key = request.getfixturevalue(key_name)
    headers = v2_headers(key, callback_body("in_progress"))
    assert rejection(callback_body("completed"), headers, make_certificate(key)) == "bad-signature"


def test_a_signature_that_is_not_base64_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    headers = {"X-OpenDSR-Processor-Domain": DOMAIN, "X-OpenDSR-Signature": "not base64!"}
    assert rejection(callback_body(), headers, make_certificate(rsa_key)) == "bad-signature"


def test_a_callback_naming_another_processor_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    headers = v2_headers(rsa_key, body, domain="hosting.example")
    assert rejection(body, headers, make_certificate(rsa_key)) == "wrong-domain"


def test_the_domain_is_compared_without_case_or_trailing_dot(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    headers = v2_headers(rsa_key, body, domain="Payments.Example.")
    status = verify_callback(
        body, headers, expected_domain=DOMAIN, certificate_pem=make_certificate(rsa_key), now=NOW
    )
    assert status.request_status is ProcessingStatus.COMPLETED


def test_a_certificate_for_another_domain_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    pem = make_certificate(rsa_key, domain="hosting.example")
    assert rejection(body, v2_headers(rsa_key, body), pem) == "certificate-domain-mismatch"


def test_missing_headers_are_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    pem = make_certificate(rsa_key)
    assert rejection(body, {}, pem) == "missing-signature"
    assert rejection(body, {"X-OpenDSR-Processor-Domain": DOMAIN}, pem) == "missing-signature"
    assert rejection(body, {"X-OpenDSR-Signature": signature(rsa_key, body)}, pem) == "missing-domain"


def test_version_1_headers_are_accepted_in_any_case(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body("in_progress")
    headers = {"x-opengdpr-processor-domain": DOMAIN, "X-OPENGDPR-SIGNATURE": signature(rsa_key, body)}
    status = verify_callback(
        body, headers, expected_domain=DOMAIN, certificate_pem=make_certificate(rsa_key), now=NOW
    )
    assert status.request_status is ProcessingStatus.IN_PROGRESS


def test_version_2_header_names_are_matched_in_any_case(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    headers = {k.lower(): v for k, v in v2_headers(rsa_key, body).items()}
    status = verify_callback(
        body, headers, expected_domain=DOMAIN, certificate_pem=make_certificate(rsa_key), now=NOW
    )
    assert status.subject_request_id == SUBJECT_REQUEST_ID


def test_an_expired_certificate_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    pem = make_certificate(rsa_key, not_before=NOW - timedelta(days=40), days=30)
    assert rejection(body, v2_headers(rsa_key, body), pem) == "certificate-expired"


def test_a_certificate_not_yet_valid_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    pem = make_certificate(rsa_key, not_before=NOW + timedelta(hours=1))
    assert rejection(body, v2_headers(rsa_key, body), pem) == "certificate-expired"


def test_validity_is_judged_by_the_clock_handed_in(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    pem = make_certificate(rsa_key)
    later = NOW + timedelta(days=60)
    assert rejection(body, v2_headers(rsa_key, body), pem, now=later) == "certificate-expired"


def test_a_certificate_that_is_not_pem_is_refused(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    assert rejection(body, v2_headers(rsa_key, body), b"not a certificate") == "bad-certificate"


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b'{"subject_request_id": "5f0b6a3e-6d1c-4b7e-9a51-2f3c4d5e6f70"}',
        b'{"subject_request_id": "not-a-uuid", "request_status": "completed"}',
        b'{"subject_request_id": "5f0b6a3e-6d1c-4b7e-9a51-2f3c4d5e6f70", "request_status": "done"}',
        b"[]",
    ],
)
def test_a_signed_body_that_is_not_a_status_is_refused(body: bytes, rsa_key: rsa.RSAPrivateKey) -> None:
    assert rejection(body, v2_headers(rsa_key, body), make_certificate(rsa_key)) == "bad-body"


def test_fingerprints_are_stable_and_tell_bodies_apart() -> None:
    body = callback_body()
    assert callback_fingerprint(body) == callback_fingerprint(bytes(body))
    assert callback_fingerprint(body) == hashlib.sha256(body).hexdigest()
    assert callback_fingerprint(body) != callback_fingerprint(callback_body("in_progress"))
    assert len(callback_fingerprint(b"")) == 64


# --- building requests -------------------------------------------------------------------------


def a_request(identity_format: IdentityFormat = IdentityFormat.SHA256) -> Any:
    return build_request(
        SUBJECT_REQUEST_ID,
        SubjectRequestType.ERASURE,
        f"  {EMAIL} ",
        Regulation.GDPR,
        "https://desk.example/opendsr/callbacks",
        submitted_time=NOW,
        identity_format=identity_format,
    )


def test_build_request_hashes_the_normalised_email_and_never_sends_it() -> None:
    request = a_request()
    identity = request.subject_identities[0]
    assert identity.identity_type == "email"
    assert identity.identity_format is IdentityFormat.SHA256
    assert identity.identity_value == hashlib.sha256(b"ada.lovelace@example.com").hexdigest()
    sent = request.to_json().decode()
    assert "lovelace" not in sent.lower()
    assert "@" not in sent.replace("https://desk.example", "")
    assert "lovelace" not in repr(request).lower()


@pytest.mark.parametrize(
    ("identity_format", "digest"),
    [
        (IdentityFormat.SHA1, hashlib.sha1(b"ada.lovelace@example.com").hexdigest()),
        (IdentityFormat.MD5, hashlib.md5(b"ada.lovelace@example.com").hexdigest()),
    ],
)
def test_other_hash_formats(identity_format: IdentityFormat, digest: str) -> None:
    request = a_request(identity_format)
    assert request.subject_identities[0].identity_value == digest
    assert "lovelace" not in request.to_json().decode().lower()


def test_raw_format_sends_the_email_as_written_only_when_asked() -> None:
    identity = a_request(IdentityFormat.RAW).subject_identities[0]
    assert identity.identity_value == EMAIL
    assert EMAIL not in repr(identity)


def test_the_request_document_has_the_fields_the_specification_names() -> None:
    document = json.loads(a_request().to_json())
    assert document == {
        "regulation": "gdpr",
        "subject_request_id": SUBJECT_REQUEST_ID,
        "subject_request_type": "erasure",
        "submitted_time": "2025-03-01T12:00:00Z",
        "subject_identities": [document["subject_identities"][0]],
        "api_version": "2.0",
        "status_callback_urls": ["https://desk.example/opendsr/callbacks"],
    }


def test_subject_request_ids_are_fresh_lowercase_uuid4s() -> None:
    import re

    ids = {new_subject_request_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(UUID4_PATTERN, i) for i in ids)


@pytest.mark.parametrize(
    "bad_id",
    [SUBJECT_REQUEST_ID.upper(), "5f0b6a3e-6d1c-5b7e-9a51-2f3c4d5e6f70", "req-1", ""],
)
def test_build_request_refuses_ids_that_are_not_lowercase_uuid4(bad_id: str) -> None:
    with pytest.raises(ValidationError):
        build_request(
            bad_id,
            SubjectRequestType.ACCESS,
            EMAIL,
            Regulation.CCPA,
            "https://desk.example/cb",
            submitted_time=NOW,
        )


def test_build_request_needs_an_aware_submitted_time() -> None:
    with pytest.raises(ValidationError):
        build_request(
            SUBJECT_REQUEST_ID,
            SubjectRequestType.ACCESS,
            EMAIL,
            Regulation.GDPR,
            "https://desk.example/cb",
            submitted_time=datetime(2025, 3, 1, 12, 0),  # naive, the point of the test
        )


def test_desk_types_and_jurisdictions_map_to_opendsr() -> None:
    assert SUBJECT_REQUEST_TYPE_FOR[RequestType.ACCESS] is SubjectRequestType.ACCESS
    assert SUBJECT_REQUEST_TYPE_FOR[RequestType.ERASURE] is SubjectRequestType.ERASURE
    assert RequestType.RECTIFICATION not in SUBJECT_REQUEST_TYPE_FOR
    assert regulation_for("EU") is Regulation.GDPR
    assert regulation_for("US-CA") is Regulation.CCPA
    assert regulation_for("BR") is None


def test_the_route_follows_the_processors_api_version() -> None:
    assert requests_route("2.0") == V2_REQUESTS_ROUTE == "/requests"
    assert requests_route("1.0") == V1_REQUESTS_ROUTE == "/opengdpr_requests"
    assert requests_route("0.1") == V1_REQUESTS_ROUTE


def test_processor_urls_must_be_https_or_loopback() -> None:
    assert check_url("https://payments.example") == "https://payments.example"
    assert check_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    for bad in ("http://payments.example", "ftp://payments.example", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="https"):
            OpenDsrClient(bad, timeout=1)


# --- the client's error mapping, with a fake opener -------------------------------------------

DISCOVERY = {
    "api_version": "2.0",
    "supported_identities": [{"identity_type": "email", "identity_format": "sha256"}],
    "supported_subject_request_types": ["access", "erasure"],
    "processor_certificate": "https://payments.example/cert.pem",
    "a_field_from_a_later_version": {"kept": True},
}


class FakeAnswer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self._body = io.BytesIO(body)

    def read(self, amount: int) -> bytes:
        return self._body.read(amount)

    def __enter__(self) -> FakeAnswer:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeOpener:
    """Answers scripted replies in order, as urllib would: errors for 4xx/5xx, answers otherwise."""

    def __init__(self, *replies: tuple[int, Any] | BaseException) -> None:
        self.replies = list(replies)
        self.sent: list[urllib.request.Request] = []

    def open(self, fullurl: urllib.request.Request, data: None = None, timeout: float = 0) -> FakeAnswer:
        self.sent.append(fullurl)
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        status, document = reply
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        if status >= 400:
            headers = Message()
            if status == 429:
                headers["Retry-After"] = "30"
            raise urllib.error.HTTPError(fullurl.full_url, status, "refused", headers, io.BytesIO(body))
        return FakeAnswer(status, body)


def accepted(status: str | None = "pending") -> dict[str, Any]:
    document: dict[str, Any] = {"subject_request_id": SUBJECT_REQUEST_ID, "api_version": "2.0"}
    if status:
        document["request_status"] = status
    return document


def test_discovery_keeps_fields_it_does_not_know() -> None:
    client = OpenDsrClient("https://payments.example", timeout=1, opener=FakeOpener((200, DISCOVERY)))
    discovery = client.discover()
    assert discovery.processor_certificate == "https://payments.example/cert.pem"
    assert discovery.model_extra == {"a_field_from_a_later_version": {"kept": True}}
    identity = a_request().subject_identities[0]
    assert discovery.supports(SubjectRequestType.ERASURE, identity)
    assert not discovery.supports(SubjectRequestType.PORTABILITY, identity)


def test_create_posts_the_request_and_expects_201() -> None:
    opener = FakeOpener((200, DISCOVERY), (201, accepted(None)))
    status = OpenDsrClient("https://payments.example", timeout=1, opener=opener).create(a_request())
    assert status.request_status is ProcessingStatus.PENDING
    posted = opener.sent[1]
    assert (posted.get_method(), posted.full_url) == ("POST", "https://payments.example/requests")
    assert posted.get_header("Content-type") == "application/json"
    assert json.loads(posted.data)["subject_request_id"] == SUBJECT_REQUEST_ID  # type: ignore[arg-type]


def test_create_uses_the_version_1_route_for_a_version_1_processor() -> None:
    opener = FakeOpener((200, {**DISCOVERY, "api_version": "1.0"}), (201, accepted()))
    OpenDsrClient("https://payments.example/", timeout=1, opener=opener).create(a_request())
    posted = opener.sent[1]
    assert posted.full_url == "https://payments.example/opengdpr_requests"
    assert json.loads(posted.data)["api_version"] == "1.0"  # type: ignore[arg-type]


def test_a_success_other_than_201_on_create_is_an_error() -> None:
    opener = FakeOpener((200, DISCOVERY), (200, accepted()))
    with pytest.raises(ProcessorError) as raised:
        OpenDsrClient("https://payments.example", timeout=1, opener=opener).create(a_request())
    assert raised.value.status_code == 200
    assert not isinstance(raised.value, TransientProcessorError)


def test_an_answer_for_another_request_is_an_error() -> None:
    other = {**accepted(), "subject_request_id": "0f0b6a3e-6d1c-4b7e-9a51-2f3c4d5e6f70"}
    opener = FakeOpener((200, DISCOVERY), (201, other))
    with pytest.raises(ProcessorError, match="another subject_request_id"):
        OpenDsrClient("https://payments.example", timeout=1, opener=opener).create(a_request())


@pytest.mark.parametrize("status_code", [429, 500, 502, 503, 504])
def test_throttling_and_server_errors_are_transient(status_code: int) -> None:
    opener = FakeOpener((200, DISCOVERY), (status_code, {"error": "busy"}))
    with pytest.raises(TransientProcessorError) as raised:
        OpenDsrClient("https://payments.example", timeout=1, opener=opener).create(a_request())
    assert raised.value.status_code == status_code
    assert raised.value.retry_after == ("30" if status_code == 429 else None)
    assert type(raised.value).__name__ == "TransientProcessorError"  # what a Retry's ErrorEquals names


@pytest.mark.parametrize("status_code", [400, 401, 403, 404, 409, 422])
def test_client_errors_are_permanent(status_code: int) -> None:
    opener = FakeOpener((200, DISCOVERY), (status_code, {"error": "no"}))
    with pytest.raises(ProcessorError) as raised:
        OpenDsrClient("https://payments.example", timeout=1, opener=opener).status(SUBJECT_REQUEST_ID)
    assert raised.value.status_code == status_code
    assert not isinstance(raised.value, TransientProcessorError)


@pytest.mark.parametrize(
    "failure",
    [TimeoutError("timed out"), urllib.error.URLError("refused"), ConnectionResetError()],
)
def test_no_answer_is_transient(failure: BaseException) -> None:
    opener = FakeOpener(failure)
    with pytest.raises(TransientProcessorError) as raised:
        OpenDsrClient("https://payments.example", timeout=1, opener=opener).discover()
    assert raised.value.status_code is None


def test_an_answer_that_is_not_opendsr_is_an_error() -> None:
    opener = FakeOpener((200, b"<html>gateway</html>"))
    with pytest.raises(ProcessorError, match="not OpenDSR"):
        OpenDsrClient("https://payments.example", timeout=1, opener=opener).discover()


def test_error_messages_carry_no_bodies() -> None:
    opener = FakeOpener((200, DISCOVERY), (400, {"error": "unknown subject ada.lovelace@example.com"}))
    with pytest.raises(ProcessorError) as raised:
        OpenDsrClient("https://payments.example", timeout=1, opener=opener).create(a_request())
    assert "lovelace" not in str(raised.value)


def test_status_and_cancel_refuse_ids_that_could_change_the_path() -> None:
    opener = FakeOpener((200, DISCOVERY))
    client = OpenDsrClient("https://payments.example", timeout=1, opener=opener)
    with pytest.raises(ValueError, match="UUIDv4"):
        client.status("../admin")
    with pytest.raises(ValueError, match="UUIDv4"):
        client.cancel(SUBJECT_REQUEST_ID.upper())


def test_cancel_answered_without_a_status_means_cancelled() -> None:
    opener = FakeOpener((200, DISCOVERY), (200, accepted(None)))
    client = OpenDsrClient("https://payments.example", timeout=1, opener=opener)
    assert client.cancel(SUBJECT_REQUEST_ID).request_status is ProcessingStatus.CANCELLED
    assert opener.sent[1].get_method() == "DELETE"
    assert opener.sent[1].full_url == f"https://payments.example/requests/{SUBJECT_REQUEST_ID}"


def test_certificate_is_fetched_from_the_url_discovery_names(rsa_key: rsa.RSAPrivateKey) -> None:
    pem = make_certificate(rsa_key)
    opener = FakeOpener((200, DISCOVERY), (200, pem))
    assert OpenDsrClient("https://payments.example", timeout=1, opener=opener).certificate() == pem
    assert opener.sent[1].full_url == "https://payments.example/cert.pem"


def test_a_certificate_url_over_plain_http_is_refused() -> None:
    opener = FakeOpener((200, {**DISCOVERY, "processor_certificate": "http://payments.example/cert.pem"}))
    with pytest.raises(ValueError, match="https"):
        OpenDsrClient("https://payments.example", timeout=1, opener=opener).certificate()


def test_an_oversized_body_is_refused_before_any_crypto(rsa_key: rsa.RSAPrivateKey) -> None:
    body = b" " * (64 * 1024 + 1)
    assert rejection(body, v2_headers(rsa_key, body), b"never read") == "bad-body"


def test_a_naive_clock_is_a_programming_error(rsa_key: rsa.RSAPrivateKey) -> None:
    body = callback_body()
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_callback(
            body,
            v2_headers(rsa_key, body),
            expected_domain=DOMAIN,
            certificate_pem=make_certificate(rsa_key),
            now=NOW.replace(tzinfo=None),
        )
