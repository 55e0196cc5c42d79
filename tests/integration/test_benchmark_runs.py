"""A small run of the benchmarks on the local cloud writes every figure it promises: the
benchmarks' own code end to end, never speed (``make bench`` measures at full size)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import cost
from benchmarks.__main__ import main


def test_a_small_run_of_the_benchmarks_writes_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"

    main(["--only", "reads,cost,fan_out,intake", "--scale", "0.02", "--out", str(out)])

    document = json.loads(out.read_text())
    figures = {(f["benchmark"], f["measure"]): f for f in document["figures"]}
    by_benchmark = Counter(benchmark for benchmark, _ in figures)
    assert by_benchmark == {
        "Reads per subject": 3,
        "Cost per request": 8,  # two per size, SnapStart's restores for one, and its cache
        "Fan-out speed": 9,
        "Intake throughput": 3,
    }
    reads = next(f for (b, m), f in figures.items() if b == "Reads per subject" and "connector" in m)
    assert reads["value"] == 1.0 and reads["met"] is True
    assert reads["baseline_value"] > 10, "a Scan reads the whole table for one subject"
    sweeper = next(f for (b, m), f in figures.items() if m == "Sweeper: closed requests read")
    assert sweeper["value"] == 0
    for f in document["figures"]:
        if f["benchmark"] == "Cost per request" and f["unit"] == "USD":
            usage = f["detail"]["usage"]
            systems = int(f["measure"].split(", ")[1].split()[0])
            assert usage["states_entered"]["RunSystemTask"] == systems  # one erase task per system
            assert usage["records_erased"] == systems  # each found and erased, not "nothing found"
            assert usage["emails"] == 3 and f["detail"]["status"] == "COMPLETED"
            assert 0 < f["value"] < 0.01
    restores = next(f for (b, m), f in figures.items() if "SnapStart restores" in m)
    assert restores["detail"]["restores"] >= 4  # submission, code, acknowledgement, verification, approval
    assert restores["value"] > 0 and restores["baseline_value"] > 0
    cache = next(f for (b, m), f in figures.items() if "SnapStart snapshot cache" in m)
    assert cache["unit"] == "USD/month" and cache["value"] == pytest.approx(
        cost.snapstart_cache_per_month(cost.snapstart_memory())
    )
    intake = next(f for (b, m), f in figures.items() if b == "Intake throughput" and "submissions" in m)
    assert intake["value"] > 0 and intake["baseline_value"] > 0
    assert "| Cost per request |" in capsys.readouterr().out


def test_the_saas_rate_benchmark_completes_every_export_within_the_declared_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"

    main(["--only", "saas", "--scale", "0.1", "--out", str(out)])

    figures = {f["measure"]: f for f in json.loads(out.read_text())["figures"]}
    busiest = next(f for m, f in figures.items() if "busiest" in m)
    assert busiest["met"] is True and busiest["value"] <= 25
    assert busiest["detail"]["throttled"] > 0, "the stand-in throttled some requests"
    retries = figures["stripe: retries counted by the client"]
    assert retries["value"] == retries["baseline_value"] > 0
    assert figures["stripe: exports completed whole (5 records each)"]["met"] is True


def test_a_small_run_of_the_database_benchmark_reads_one_row_per_row_found_in_bounded_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"

    main(["--only", "database", "--scale", "0.01", "--out", str(out)])

    lookup, export = json.loads(out.read_text())["figures"]
    assert (lookup["value"], lookup["met"]) == (1.0, True)
    assert lookup["baseline_value"] > 20_000, "without the index the whole table is read"
    assert export["met"] is True, export


def test_a_small_run_of_the_mysql_benchmark_reads_the_index_not_the_table(tmp_path: Path) -> None:
    out = tmp_path / "results.json"

    main(["--only", "mysql", "--scale", "0.02", "--out", str(out)])

    (lookup,) = json.loads(out.read_text())["figures"]
    assert (lookup["value"], lookup["met"]) == (2.0, True), lookup
    assert lookup["baseline_value"] > 20_000, "without the index the whole table is read"
