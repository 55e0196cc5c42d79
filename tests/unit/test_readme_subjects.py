"""The README's demonstration subjects are the ones the local cloud is seeded with."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.utils import parseaddr
from pathlib import Path

from local_cloud.demo_data import PEOPLE, systems_holding

REPOSITORY = Path(__file__).resolve().parents[2]
README = (REPOSITORY / "README.md").read_text()
HEADER = "| Email | Name | Phone | Postal code | Last invoice amount | Account month | Systems |"
DETAILS = ("postal_code", "last_invoice_amount", "created_month")


def subject_table() -> dict[str, list[str]]:
    """The README's table of demonstration subjects: email to the other cells."""
    lines = README.split(HEADER, 1)[1].strip().splitlines()[1:]  # after the separator row
    rows: dict[str, list[str]] = {}
    for line in lines:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def as_shown(person: dict[str, object], field: str) -> str:
    return str(person.get(field) or "none")


def test_the_readme_lists_each_demonstration_subject_with_the_details_and_systems_they_hold() -> None:
    table = subject_table()
    assert set(table) == {person["email"] for person in PEOPLE}
    for person in PEOPLE:
        name, phone, postal_code, invoice, month, systems = table[person["email"]]
        assert [name, phone] == [person["name"], person["phone"]]
        assert [postal_code, invoice, month] == [as_shown(person, field) for field in DETAILS]
        assert systems.split(", ") == systems_holding(person)


def test_the_readme_email_example_comes_from_a_subject_who_holds_two_details_to_verify_with() -> None:
    example = re.search(r"dsr local send-email (\S+\.eml)", README)
    assert example is not None
    sender = parseaddr(str(message_from_bytes((REPOSITORY / example.group(1)).read_bytes())["From"]))[1]
    person = next(person for person in PEOPLE if person["email"] == sender)
    assert sum(1 for field in (*DETAILS, "phone") if person.get(field)) >= 2
