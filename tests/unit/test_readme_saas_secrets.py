"""The README's deployment step creates each SaaS tool's secret with the fields its definition reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dsr.core.saas_definitions import SAAS_DEFINITIONS_DIR, load_definition

README = Path(__file__).resolve().parents[2] / "README.md"
CREATE_SECRET = re.compile(r"aws secretsmanager create-secret --name (\S+) --secret-string '([^']+)'")


def test_each_tools_secret_is_created_with_the_fields_its_definition_reads() -> None:
    created = {name: json.loads(body) for name, body in CREATE_SECRET.findall(README.read_text())}
    for path in sorted(SAAS_DEFINITIONS_DIR.glob("*.yaml")):
        auth = load_definition(path.stem).auth
        read = {value for name, value in auth.model_dump().items() if name.endswith("_field")}
        assert auth.secret in created, f"the README does not create {auth.secret} ({path.name})"
        assert set(created[auth.secret]) == read, (
            f"{auth.secret}: the README gives {sorted(created[auth.secret])}"
        )
