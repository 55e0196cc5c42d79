"""Keyed hashes (HMAC in KMS): secrets and identities are stored only as these, never in clear.

The key never leaves KMS, so a copy of the table alone cannot confirm a guessed code or email.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

ALGORITHM: Final = "HMAC_SHA_256"


class KeyedHasher:
    def __init__(self, kms: KMSClient, key_id: str) -> None:
        self._kms = kms
        self._key_id = key_id

    def digest(self, message: str) -> str:
        mac = self._kms.generate_mac(KeyId=self._key_id, MacAlgorithm=ALGORITHM, Message=message.encode())[
            "Mac"
        ]
        return base64.b64encode(mac).decode()

    def matches(self, message: str, digest: str) -> bool:
        """Checked by KMS, which compares in constant time."""
        try:
            mac = base64.b64decode(digest, validate=True)
        except ValueError:
            return False
        try:
            result = self._kms.verify_mac(
                KeyId=self._key_id, MacAlgorithm=ALGORITHM, Message=message.encode(), Mac=mac
            )
        except self._kms.exceptions.KMSInvalidMacException:
            return False
        return bool(result["MacValid"])


def normalized_email(email: str) -> str:
    return email.strip().lower()


def normalized_mailbox(email: str) -> str:
    """The mailbox an address delivers to, for counting mail and submissions: case ignored and a
    plus-tag taken off ("Bob+1@Example.com" and "bob@example.com" are one mailbox)."""
    local, at, domain = normalized_email(email).rpartition("@")
    if not at:
        return domain
    return f"{local.split('+', 1)[0] or local}@{domain}"
