"""Who a request is about and who makes it: the subject's identity (as given and as recorded),
their postal address and phone number, a correction they ask for, and an authorized agent."""

from typing import Annotated

from pydantic import (
    Base64Bytes,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from dsr.core.desk_model import DeskModel
from dsr.core.field_types import (
    BASE64,
    MAX_PERMISSION_DOCUMENT_BYTES,
    NOT_ONLY_SPACES,
    AccountId,
    CountryCode,
    DeliverableEmail,
    FreeText,
    NonBlankLine,
    NonBlankText,
    ShortText,
    SingleLine,
    documented_country,
    strict_base64,
)


class PostalAddress(DeskModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=documented_country)

    street: ShortText
    city: ShortText
    region: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), *SingleLine] | None = (
        None
    )
    postal_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=20), *SingleLine] | None
    ) = None
    country: CountryCode


class RecordedIdentity(DeskModel):
    """Who the request is about, as the request records it. Every value was checked as it came in
    (``SubjectIdentity``), so a stage reads it back as stored: no function but intake loads the
    email validator."""

    email: str
    name: str | None = None
    phone: str | None = None
    postal_address: PostalAddress | None = None
    account_id: str | None = None


class SubjectIdentity(RecordedIdentity):
    """Who the request is about, as submitted. Email is how we reach and verify the subject."""

    # Built on first use: only the channels that take submissions validate one.
    model_config = ConfigDict(extra="forbid")

    email: DeliverableEmail
    name: ShortText | None = None
    # "phone" names the format for the document's readers: a number valid in its country.
    phone: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=40),
            WithJsonSchema({"type": "string", "maxLength": 40, "format": "phone"}),
            *SingleLine,
        ]
        | None
    ) = Field(default=None, description="any common format; stored in E.164 (+442071234567)")
    postal_address: PostalAddress | None = None
    account_id: AccountId | None = None


def normalized_phone(raw: str, region: str | None) -> str:
    """E.164 form of a phone number, read in the subject's country when it has no +prefix."""
    import phonenumbers  # noqa: PLC0415 - large metadata; only requests that give a phone need it

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError("not a phone number; use the international form, e.g. +44 20 7123 4567") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Correction(DeskModel):
    """One field the subject wants corrected, and to what."""

    model_config = ConfigDict(extra="forbid")

    field: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=NOT_ONLY_SPACES),
        *NonBlankLine,
    ]
    current_value: Annotated[str, StringConstraints(max_length=500), *FreeText] | None = None
    corrected_value: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=NOT_ONLY_SPACES),
        *NonBlankText,
    ]


class AuthorizedAgent(DeskModel):
    """Someone acting for the subject, with the subject's signed permission."""

    model_config = ConfigDict(extra="forbid")

    name: ShortText
    email: DeliverableEmail
    organisation: ShortText | None = None
    permission_document: Annotated[
        Base64Bytes,
        BeforeValidator(strict_base64),
        WithJsonSchema(
            {
                "type": "string",
                "contentEncoding": "base64",
                "pattern": BASE64,
                "minLength": 4,
                "maxLength": MAX_PERMISSION_DOCUMENT_BYTES * 4 // 3,
            }
        ),
    ] = Field(description="the signed permission, base64-encoded (PDF or image), at most 300 KiB")
    power_of_attorney: StrictBool = False

    @field_validator("permission_document")
    @classmethod
    def _not_too_large(cls, document: bytes) -> bytes:
        if not document:
            raise ValueError("the signed permission document is empty")
        if len(document) > MAX_PERMISSION_DOCUMENT_BYTES:
            raise ValueError("the signed permission document is larger than 300 KiB")
        return document


# The rule of ``_corrections_go_with_rectification``, in the document too.
