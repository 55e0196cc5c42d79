"""Domain rules run over moto in this process, like tests/unit/rules, with the same fixtures (a
desk whose stores are moto's, a stopped clock), kept here for the time they take: the unit run
stays within its minute."""

from tests.unit.rules.conftest import accounts, aws, clock, desk, outbox, workflow  # noqa: F401 - fixtures
