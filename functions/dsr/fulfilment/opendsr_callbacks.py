"""A processor's signed status callback, verified before it is read: the processor-domain header
names the processor expected, its certificate is valid now and names that domain, and the
signature covers the exact bytes received. Replay protection is the caller's, with
``callback_fingerprint``.
"""

import base64
import binascii
import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from dsr.fulfilment.opendsr import (
    MAX_CALLBACK_BYTES,
    V1_DOMAIN_HEADER,
    V1_SIGNATURE_HEADER,
    V2_DOMAIN_HEADER,
    V2_SIGNATURE_HEADER,
    CallbackStatus,
)

if TYPE_CHECKING:
    # cryptography is imported where a certificate is read or a signature checked, not by every
    # function that posts requests to processors (it takes long to import).
    from cryptography import x509

# --- callbacks --------------------------------------------------------------------------------

RejectionReason = Literal[
    "missing-signature",
    "missing-domain",
    "wrong-domain",
    "bad-signature",
    "bad-body",
    "bad-certificate",
    "certificate-expired",
    "certificate-domain-mismatch",
]


class CallbackRejected(Exception):  # noqa: N818 (the name callers and the workflow use)
    """A callback the desk must not act on; ``reason`` says why (answer it 401/400, log the reason)."""

    def __init__(self, reason: RejectionReason) -> None:
        super().__init__(reason)
        self.reason: RejectionReason = reason


def callback_fingerprint(raw_body: bytes) -> str:
    """SHA-256 (hex) of the exact bytes received: record it with a conditional write to drop replays."""
    return hashlib.sha256(raw_body).hexdigest()


def verify_callback(
    raw_body: bytes,
    headers: Mapping[str, str],
    *,
    expected_domain: str,
    certificate_pem: bytes,
    now: datetime,
) -> CallbackStatus:
    """Check a status callback as received, then read it.

    Accepts the OpenDSR 2 headers and, failing those, the OpenGDPR 1 ones (names in any case).
    The domain header must equal ``expected_domain``; the certificate must be valid at ``now``
    and name that domain; the signature (base64; RSA PKCS#1 v1.5 or ECDSA, with SHA-256) must
    verify over ``raw_body`` exactly as received. Raises ``CallbackRejected`` otherwise.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    domain, signature = _callback_headers(headers)
    if _normal_domain(domain) != _normal_domain(expected_domain):
        raise CallbackRejected("wrong-domain")
    if len(raw_body) > MAX_CALLBACK_BYTES:
        raise CallbackRejected("bad-body")
    certificate = _load_certificate(certificate_pem)
    _check_certificate(certificate, expected_domain, now)
    _check_signature(certificate, signature, raw_body)
    try:
        return CallbackStatus.model_validate_json(raw_body)
    except ValidationError:
        raise CallbackRejected("bad-body") from None


def _callback_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    lowered = {name.lower(): value for name, value in headers.items()}
    for domain_header, signature_header in (
        (V2_DOMAIN_HEADER, V2_SIGNATURE_HEADER),
        (V1_DOMAIN_HEADER, V1_SIGNATURE_HEADER),
    ):
        signature = lowered.get(signature_header.lower(), "").strip()
        if signature:
            domain = lowered.get(domain_header.lower(), "").strip()
            if not domain:
                raise CallbackRejected("missing-domain")
            return domain, signature
    raise CallbackRejected("missing-signature")


def _normal_domain(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


def _load_certificate(pem: bytes) -> "x509.Certificate":
    from cryptography import x509  # noqa: PLC0415 - see the TYPE_CHECKING import

    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise CallbackRejected("bad-certificate") from None


def _check_certificate(certificate: "x509.Certificate", domain: str, now: datetime) -> None:
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise CallbackRejected("certificate-expired")
    wanted = _normal_domain(domain)
    if not any(_name_matches(_normal_domain(name), wanted) for name in certificate_domains(certificate)):
        raise CallbackRejected("certificate-domain-mismatch")


def certificate_domains(certificate: "x509.Certificate") -> list[str]:
    """The DNS names a certificate is for: its subjectAltName, or failing that its common name."""
    from cryptography import x509  # noqa: PLC0415 - see the TYPE_CHECKING import
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return [n.value if isinstance(n.value, str) else n.value.decode() for n in names]
    return san.get_values_for_type(x509.DNSName)


def _name_matches(pattern: str, domain: str) -> bool:
    if pattern.startswith("*."):
        head, _, rest = domain.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == domain


def _check_signature(certificate: "x509.Certificate", signature_b64: str, raw_body: bytes) -> None:
    # See the TYPE_CHECKING import.
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa  # noqa: PLC0415

    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        raise CallbackRejected("bad-signature") from None
    try:
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise CallbackRejected("bad-certificate") from None
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, raw_body, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, raw_body, ec.ECDSA(hashes.SHA256()))
        else:
            raise CallbackRejected("bad-certificate")
    except InvalidSignature:
        raise CallbackRejected("bad-signature") from None
