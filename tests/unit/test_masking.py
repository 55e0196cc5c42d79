from __future__ import annotations

import pytest

from dsr.core.masking import mask_email, mask_name


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jane.doe@example.com", "j***@e***.com"),
        ("a@b.co.uk", "a***@b***.uk"),
        ("no-at-sign", "n***"),
        ("@example.com", "***@e***.com"),
    ],
)
def test_emails_are_masked_beyond_recognition_but_not_beyond_telling_apart(email: str, masked: str) -> None:
    assert mask_email(email) == masked


def test_names_keep_only_initials() -> None:
    assert mask_name("Ada  King Lovelace") == "A*** K*** L***"
