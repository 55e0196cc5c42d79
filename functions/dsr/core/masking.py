"""Masked forms of personal data, for logs and for staff views before a reveal."""

from __future__ import annotations


def mask_email(email: str) -> str:
    """``jane.doe@example.com`` becomes ``j***@e***.com``: enough to tell two apart, not to contact."""
    local, _, domain = email.partition("@")
    if not domain:
        return _mask_word(email)
    host, _, tld = domain.rpartition(".")
    masked_domain = f"{_mask_word(host)}.{tld}" if host else _mask_word(domain)
    return f"{_mask_word(local)}@{masked_domain}"


def mask_name(name: str) -> str:
    return " ".join(_mask_word(part) for part in name.split())


def _mask_word(word: str) -> str:
    return f"{word[:1]}***" if word else "***"
