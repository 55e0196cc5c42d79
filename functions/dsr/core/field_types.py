"""The field types the desk's models share: text that refuses control characters and
text-direction overrides (naming the character), short and free text, account ids, ISO country
and region codes, language tags, deliverable email addresses and strict base64."""

import re
import unicodedata
from typing import Annotated, Any, Final, Literal, cast

from pydantic import (
    AfterValidator,
    BeforeValidator,
    EmailStr,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.config import JsonDict, JsonValue
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS: Final = frozenset("\t\n\r")


def control_character_problem(text: str, *, line_breaks: bool) -> str | None:
    """Why ``text`` cannot be taken in, naming the first character refused; None if it can."""
    for character in text:
        if character in BIDI_CONTROLS:
            return (
                f"contains a character that changes the direction text is shown in "
                f"(U+{ord(character):04X}); remove it"
            )
        if unicodedata.category(character) == "Cc" and not (line_breaks and character in LINE_BREAKS):
            return f"contains a control character (U+{ord(character):04X}); remove it"
    return None


def without_control_characters(text: str) -> str:
    """``text`` with every character :func:`control_character_problem` refuses taken out (line
    breaks kept): for free text that arrives by email, where refusing would lose the message."""
    return "".join(
        character
        for character in text
        if character not in BIDI_CONTROLS
        and (unicodedata.category(character) != "Cc" or character in LINE_BREAKS)
    )


def _without_nul(value: object) -> object:
    return value.replace("\x00", "") if isinstance(value, str) else value


def _single_line(value: str) -> str:
    problem = control_character_problem(value, line_breaks=False)
    if problem:
        raise PydanticCustomError("control_character", problem)
    return value


def _free_text(value: str) -> str:
    problem = control_character_problem(value, line_breaks=True)
    if problem:
        raise PydanticCustomError("control_character", problem)
    return value


# The same rule in the OpenAPI document, as a pattern (what the validators above check in code);
# NUL is allowed there, as it is dropped, but it does not make a value more than spaces.
_REFUSED_IN_A_LINE = r"\x01-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_REFUSED_IN_TEXT = r"\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"


class _DocumentedPattern:
    """Puts ``pattern`` in a type's JSON schema, over any the type already has there."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


def _documented(refused: str, *, non_blank: bool = False) -> _DocumentedPattern:
    if non_blank:
        return _DocumentedPattern(f"^[^{refused}]*[^{refused}\\s\\x00\\x1c-\\x1f\\x85][^{refused}]*$")
    return _DocumentedPattern(f"^[^{refused}]*$")


SingleLine = [AfterValidator(_single_line), BeforeValidator(_without_nul), _documented(_REFUSED_IN_A_LINE)]
NonBlankLine = [
    AfterValidator(_single_line),
    BeforeValidator(_without_nul),
    _documented(_REFUSED_IN_A_LINE, non_blank=True),
]
FreeText = [AfterValidator(_free_text), BeforeValidator(_without_nul), _documented(_REFUSED_IN_TEXT)]
NonBlankText = [
    AfterValidator(_free_text),
    BeforeValidator(_without_nul),
    _documented(_REFUSED_IN_TEXT, non_blank=True),
]
# More than spaces, as the document says too (the spaces around a value are dropped): a character
# that is no space to JSON Schema's regular expressions nor to Python's str.strip(), which also
# strips the separators \x1c-\x1f and NEL (\x85).
NOT_ONLY_SPACES = r"[^\s\x1c-\x1f\x85]"
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NOT_ONLY_SPACES),
    *NonBlankLine,
]
AccountId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _iso_country(code: str) -> str:
    """An ISO 3166-1 alpha-2 code that names a country (``XX`` does not)."""
    import pycountry  # noqa: PLC0415 - its data load on first use; only submissions check a country

    if pycountry.countries.get(alpha_2=code) is None:
        raise PydanticCustomError(
            "country_code",
            "{code} is not a country code (ISO 3166-1): use two letters such as GB, DE or US",
            {"code": code},
        )
    return code


def unknown_subdivision(country: str, region: str) -> bool:
    """True unless ``region`` is one of ``country``'s ISO 3166-2 subdivisions (``US`` and ``CA``)."""
    import pycountry  # noqa: PLC0415 - as for the country

    return pycountry.subdivisions.get(code=f"{country}-{region}") is None  # type: ignore[no-untyped-call]


# The before-validators are listed last so that they run first, ahead of the pattern.
CountryCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_iso_country), BeforeValidator(_upper)
]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,3}$"), BeforeValidator(_upper)]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)]
Jurisdiction = Literal[
    "EU",
    "UK",
    "US-CA",
    "US-VA",
    "US-CO",
    "US-CT",
    "US-TX",
    "US-UT",
    "US-MT",
    "US-DE",
    "US-NH",
    "US-NE",
    "US-TN",
    "US-MD",
    "US-IN",
    "US-KY",
    "US-RI",
    "US-OK",
    "US-LA",
    "US-OR",
    "US-MN",
    "US-NJ",
    "US-IA",
    "US-FL",
    "US-AL",
    "US-VT",
    "BR",
    "CA",
    "CA-QC",
    "DEFAULT",
    "CH",
    "JP",
    "KR",
    "SG",
    "AU",
    "ZA",
    "TR",
    "AR",
    "IN",
    "CN",
]
MAX_PERMISSION_DOCUMENT_BYTES = 300 * 1024


def _any_case(name: str) -> str:
    return "".join(f"[{letter.lower()}{letter.upper()}]" for letter in name)


# The email validator refuses the special-use domains (RFC 6761) mail cannot be delivered to; the
# document says so with a pattern, as it cannot name the validator.
SPECIAL_USE_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")
DELIVERABLE_EMAIL = r"^[^@]+@(?!(?:[^@]*\.)?(?:" + "|".join(map(_any_case, SPECIAL_USE_DOMAINS)) + r")\.?$)"
DeliverableEmail = Annotated[
    EmailStr, WithJsonSchema({"type": "string", "format": "email", "pattern": DELIVERABLE_EMAIL})
]
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$"


def strict_base64(value: object) -> object:
    """Standard base64 with its padding, nothing else: what the document's pattern says."""
    if isinstance(value, str) and not re.match(BASE64, value):
        raise ValueError("not base64 (A-Z, a-z, 0-9, + and /, padded with =)")
    return value


def _country_codes() -> list[str]:
    import pycountry  # noqa: PLC0415 - as for the country, when the document is first built

    return sorted(country.alpha_2 for country in pycountry.countries)


def documented_country(schema: JsonDict) -> None:
    """The document lists the country codes ``_iso_country`` accepts, rather than a pattern."""
    codes: JsonDict = {"type": "string", "enum": list[JsonValue](_country_codes())}
    country = cast(dict[str, Any], schema["properties"])["country"]
    if "anyOf" in country:
        country["anyOf"] = [codes, {"type": "null"}]
    else:
        country.pop("pattern", None)
        country.update(codes)
