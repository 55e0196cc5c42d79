"""The desk makes each AWS client and reads the system registry when a stage first uses it, not
when it is wired: a function pays at its cold start only for what its stages reach (a client costs
5 to 35 ms to make), the stages that never reach a system (intake, acknowledgement, verification by
code, review) keep working whatever the registry holds, and what many threads ask for at once is
made once."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, cast

import boto3
import pytest

import dsr.core.registry
from dsr.core.clock import system_clock
from dsr.core.registry import SystemRegistry
from dsr.core.registry_stores import RegistryError
from dsr.core.settings import DeskSettings
from dsr.wiring.desk import Desk

SEED_REGISTRY = Path(dsr.core.registry.__file__).parents[1] / "config" / "systems.yaml"  # the one deployed


def _desk(registry_path: Path) -> Desk:
    # Only the registry is exercised here: no setting or clock is reached.
    unused = cast("Any", None)
    return Desk(settings=unused, clock=unused, registry_path=registry_path)


def test_a_broken_registry_stops_only_the_stages_that_reach_a_system(tmp_path: Path) -> None:
    broken = tmp_path / "registry.yaml"
    broken.write_text("systems:\n  - id: crm\n    name: CRM\n    storez: {}\n", encoding="utf-8")

    desk = _desk(broken)  # wiring the desk reads nothing

    with pytest.raises(RegistryError, match="crm"):
        _ = desk.registry


def test_the_first_tasks_of_a_fan_out_read_the_registry_once(monkeypatch: pytest.MonkeyPatch) -> None:
    assert SEED_REGISTRY.is_file()
    readings: list[Path] = []
    real_load = dsr.core.registry.load_registry

    def counted_load(path: Path) -> SystemRegistry:
        readings.append(path)
        time.sleep(0.02)  # a reading takes a while: without the lock, the others start theirs meanwhile
        return real_load(path)

    monkeypatch.setattr(dsr.core.registry, "load_registry", counted_load)
    desk = _desk(SEED_REGISTRY)
    start = threading.Barrier(16)
    seen: list[SystemRegistry] = []

    def first_task() -> None:
        start.wait()
        seen.append(desk.registry)

    threads = [threading.Thread(target=first_task) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert readings == [SEED_REGISTRY]
    assert len(seen) == 16 and all(registry is seen[0] for registry in seen)
    assert len(seen[0].systems) > 5


@pytest.fixture
def recorded_clients(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    real_client = boto3.client

    def recording_client(service: str, *args: Any, **kwargs: Any) -> Any:
        made.append(service)
        time.sleep(0.02)  # making a client takes a while: others asking meanwhile must wait for it
        return real_client(service, *args, **kwargs)

    monkeypatch.setattr(boto3, "client", recording_client)
    return made


@pytest.mark.usefixtures("aws")
def test_a_stage_makes_only_the_clients_it_uses(recorded_clients: list[str]) -> None:
    settings = DeskSettings.model_construct(requests_table="requests", sender_address="privacy@desk.example")
    desk = Desk(settings=settings, clock=system_clock, registry_path=SEED_REGISTRY)

    assert recorded_clients == []  # wiring makes none
    desk.mailer.send  # noqa: B018 - what sending the acknowledgement reaches
    desk.store.get  # noqa: B018
    assert recorded_clients == ["sesv2"]

    start = threading.Barrier(8)

    def first_hand_off() -> None:
        start.wait()
        desk.s3.list_buckets  # noqa: B018

    threads = [threading.Thread(target=first_hand_off) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert recorded_clients == ["sesv2", "s3"]


@pytest.mark.usefixtures("aws")
def test_the_desks_own_account_comes_from_the_environment_or_once_from_sts(
    recorded_clients: list[str],
) -> None:
    # template.yaml gives every function DESK_ACCOUNT_ID: no call is made for it
    configured = Desk(
        settings=DeskSettings.model_construct(account_id="444455556666"),
        clock=system_clock,
        registry_path=SEED_REGISTRY,
    )
    assert configured.account_id == "444455556666"
    assert recorded_clients == []
    # Without it, STS says whose credentials the function runs with, asked once
    unconfigured = Desk(
        settings=DeskSettings.model_construct(account_id=None),
        clock=system_clock,
        registry_path=SEED_REGISTRY,
    )
    assert unconfigured.account_id == unconfigured.account_id == "123456789012"  # moto's account
    assert recorded_clients == ["sts"]
