"""The desk reads the system registry when a stage first reaches a system, not when it is wired:
the stages that never do (intake, acknowledgement, verification by code, review) keep working
whatever the registry holds, and a fan-out's first tasks read it once between them."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, cast

import pytest

import dsr.registry
from dsr.desk import Desk
from dsr.registry import RegistryError, SystemRegistry

SEED_REGISTRY = Path(dsr.registry.__file__).parent / "config" / "systems.yaml"  # the one deployed


def _desk(registry_path: Path) -> Desk:
    # Only the registry is exercised here; the adapters are never reached.
    unused = cast("Any", None)
    return Desk(
        settings=unused,
        store=unused,
        mailer=unused,
        workflow=unused,
        hasher=unused,
        packages=unused,
        registry_path=registry_path,
        dynamodb=unused,
        s3=unused,
        alerts=unused,
        limiter=unused,
        clock=unused,
    )


def test_a_broken_registry_stops_only_the_stages_that_reach_a_system(tmp_path: Path) -> None:
    broken = tmp_path / "registry.yaml"
    broken.write_text("systems:\n  - id: crm\n    name: CRM\n    storez: {}\n", encoding="utf-8")

    desk = _desk(broken)  # wiring the desk reads nothing

    with pytest.raises(RegistryError, match="crm"):
        _ = desk.registry


def test_the_first_tasks_of_a_fan_out_read_the_registry_once(monkeypatch: pytest.MonkeyPatch) -> None:
    assert SEED_REGISTRY.is_file()
    readings: list[Path] = []
    real_load = dsr.registry.load_registry

    def counted_load(path: Path) -> SystemRegistry:
        readings.append(path)
        time.sleep(0.02)  # a reading takes a while: without the lock, the others start theirs meanwhile
        return real_load(path)

    monkeypatch.setattr(dsr.registry, "load_registry", counted_load)
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
