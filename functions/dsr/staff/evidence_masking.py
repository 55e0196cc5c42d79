"""Keeping the subject out of an evidence pack: every text it copies from the trail or an outcome
has the subject's identifiers replaced by their masked forms, and any other email address masked.

The trail and the outcomes are written not to hold personal data, but some of their texts were
typed by people (a question to the subject, a vendor's note); the pack does not rely on that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dsr.core.masking import mask_email, mask_name
from dsr.core.models import PrivacyRequest

EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
SHORTEST_MASKED = 3
"""Shorter values (a one-letter name part) are left alone: masking them would mangle every word."""


@dataclass(frozen=True)
class IdentityScrubber:
    masked: tuple[tuple[str, str], ...]
    """Each identifier of the subject, longest first, and what it is replaced by."""
    subject: str

    @classmethod
    def for_request(cls, request: PrivacyRequest) -> IdentityScrubber:
        subject = request.subject
        email = str(subject.email)
        pairs: dict[str, str] = {email: mask_email(email)}
        if subject.name:
            pairs[subject.name] = mask_name(subject.name)
            pairs.update((part, mask_name(part)) for part in subject.name.split())
        if subject.phone:
            pairs[subject.phone] = f"{subject.phone[:3]}***"
        if subject.account_id:
            pairs[subject.account_id] = f"{subject.account_id[:1]}***"
        if subject.postal_address:
            pairs.update(
                (str(v), mask_name(str(v))) for v in subject.postal_address.model_dump().values() if v
            )
        if request.agent:
            pairs[request.agent.email] = mask_email(request.agent.email)
            pairs[request.agent.name] = mask_name(request.agent.name)
        kept = sorted(
            ((value, masked) for value, masked in pairs.items() if len(value) >= SHORTEST_MASKED),
            key=lambda pair: -len(pair[0]),
        )
        released = request.identity_reduced_at is not None
        return cls(tuple(kept), "identity erased after closing" if released else mask_email(email))

    def masked_subject(self) -> str:
        return self.subject

    def actor(self, value: str) -> str:
        """Who did something: a staff member's or an owner's sign-in is kept (the pack says who
        acted), the subject's identifiers are masked."""
        for identifier, masked in self.masked:
            value = re.sub(re.escape(identifier), masked, value, flags=re.IGNORECASE)
        return value

    def text(self, value: str) -> str:
        """Free text: the subject's identifiers masked, and any email address."""
        return EMAIL_ADDRESS.sub(lambda found: _masked_address(found.group(0)), self.actor(value))

    def value(self, value: object) -> object:
        return self.text(value) if isinstance(value, str) else value


def _masked_address(address: str) -> str:
    """An address already masked (``j***@e***.com``) is left as it is."""
    return address if "***" in address else mask_email(address)
