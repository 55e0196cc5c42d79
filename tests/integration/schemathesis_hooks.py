"""Values for the formats the API's documents name beyond JSON Schema's own, for schemathesis
(loaded through SCHEMATHESIS_HOOKS by test_api_schema.py)."""

import schemathesis
from hypothesis import strategies as st

# "phone": a number valid in its country, in international form (as the field's description asks).
schemathesis.openapi.format(
    "phone",
    st.sampled_from(["+44 20 7123 4567", "+1 415 555 0100", "+33 1 42 68 53 00", "+49 30 901820"]),
)
