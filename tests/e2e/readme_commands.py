"""The README's shell examples, read as a newcomer reads them, and run as they would run them.

Every line of a ``sh`` block is either run against a fresh local cloud, or named here with the
test that covers it instead. Placeholders a reader fills in from an earlier answer (REQUEST_ID,
STATUS_TOKEN, CODE) are filled from the same answers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"

# Commands the README shows that this test does not run, each with what runs it instead.
NOT_RUN = {
    "make run": "the test starts the same local cloud itself, as `make run` does",
    "make test": "CI runs it",
    "make demo": "tests/e2e/test_demo.py",
    "make load": "tests/integration/test_load.py",
    "make bench": "tests/unit/test_benchmarks.py runs the benchmarks at a small size",
    "make audit": "CI runs it",
    "make build": "tests/artifacts/test_built_artifacts.py runs the same sam build and checks what it makes",
    "sam build": "needs an AWS account",
    "sam deploy": "needs an AWS account; tests/unit/test_template.py checks samconfig.toml's defaults",
    "sam delete": "needs an AWS account",
    "aws ": "the deploy steps' AWS CLI commands need an AWS account and a domain",
    "PORT=": "the test itself starts the local cloud on a free port",
    ".venv/bin/dsr local up": "the test starts the local cloud with it",
    ".venv/bin/dsr local demo": "tests/e2e/test_demo.py",
    ".venv/bin/dsr local load": "tests/integration/test_load.py",
}
PLACEHOLDERS = ("REQUEST_ID", "STATUS_TOKEN", "CODE")
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.+)$", re.DOTALL)


@dataclass(frozen=True)
class Command:
    line: int
    text: str

    @property
    def assigns(self) -> str | None:
        """The shell variable this command sets (``TOKEN=$(…)``), if it is an assignment."""
        found = ASSIGNMENT.match(self.text)
        return found.group(1) if found and not self.text.startswith("PORT=") else None

    @property
    def not_run_because(self) -> str | None:
        for prefix, reason in NOT_RUN.items():
            if self.text.startswith(prefix) and not self.assigns:
                return reason
        return None

    @property
    def talks_to_the_desk(self) -> bool:
        return bool(self.assigns) or self.text.startswith(("curl ", ".venv/bin/dsr "))


def shell_commands(readme: Path = README) -> list[Command]:
    """Each command of every ``sh`` block: continuation lines joined, comment lines dropped."""
    commands: list[Command] = []
    in_block = False
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(readme.read_text().splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_block = stripped == "```sh" if not in_block else False
            continue
        if not in_block or (not pending and (not stripped or stripped.startswith("#"))):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].rstrip())
            continue
        pending.append(stripped)
        commands.append(Command(start, " ".join(pending)))
        pending = []
    return commands


def request_fields(output: str) -> dict[str, str]:
    """The request id and status token in an answer that names a request, if it is JSON."""
    try:
        answer = json.loads(output)
    except ValueError:
        return {}
    if not isinstance(answer, dict):
        return {}
    fields = {}
    if isinstance(answer.get("request_id"), str):
        fields["REQUEST_ID"] = answer["request_id"]
    if isinstance(answer.get("status_token"), str):
        fields["STATUS_TOKEN"] = answer["status_token"]
    return fields
