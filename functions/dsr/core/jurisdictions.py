"""Which privacy law's clock a request runs on: stated by the subject, or inferred from where they live."""

from __future__ import annotations

EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
# EEA states outside the EU apply the GDPR too.
EEA_STATES = EU_MEMBER_STATES | {"IS", "LI", "NO"}
# States with a comprehensive privacy law, in force or enacted (a request received before a law
# applies runs on DEFAULT: the policy table's in_force_from).
US_STATES_WITH_LAWS = frozenset(
    {"CA", "VA", "CO", "CT", "TX", "UT"}
    | {"MT", "DE", "NH", "NE", "TN", "MD", "IN", "KY", "RI", "OK", "LA"}
    | {"OR", "MN", "NJ", "IA", "FL", "AL", "VT"}
)
# Countries whose law has a policy of its own, under the country's ISO 3166-1 alpha-2 code.
COUNTRIES_WITH_LAWS = frozenset({"BR", "CH", "JP", "KR", "SG", "AU", "ZA", "TR", "AR", "IN", "CN"})

JURISDICTIONS = frozenset(
    {"EU", "UK", "CA", "CA-QC", "DEFAULT"}
    | COUNTRIES_WITH_LAWS
    | {f"US-{state}" for state in US_STATES_WITH_LAWS}
)
DEFAULT = "DEFAULT"


def infer_jurisdiction(country: str | None, region: str | None) -> str:
    """``("DE", None)`` is ``EU``; ``("US", "CA")`` is ``US-CA``; ``("JP", None)`` is ``JP``;
    anything unknown is ``DEFAULT``."""
    country = (country or "").upper()
    region = (region or "").upper()
    by_country = {"GB": "UK", "UK": "UK", "CA": "CA-QC" if region == "QC" else "CA"}
    if country in EEA_STATES:
        return "EU"
    if country == "US":
        return f"US-{region}" if region in US_STATES_WITH_LAWS else DEFAULT
    if country in COUNTRIES_WITH_LAWS:
        return country
    return by_country.get(country, DEFAULT)
