"""The data lake's memory benchmark measures what it says: a small run, each erasure in a process
of its own, the peak of 100 row groups beside 10 of the same size; no speed is asserted."""

from __future__ import annotations

from benchmarks import data_lake


def test_a_small_run_gives_the_peak_of_100_row_groups_beside_10_and_the_throughput() -> None:
    peak, throughput = data_lake.run(0.001)

    assert peak.benchmark == "Bounded memory" and peak.unit == "MiB"
    assert peak.measure.startswith("Parquet erasure, 100 row groups (")
    assert peak.baseline is not None and peak.baseline.startswith("10 row groups (")
    assert peak.baseline_value is not None and peak.baseline_value > 0
    assert peak.met is (peak.value <= 1.5 * peak.baseline_value)
    large, small = peak.detail["large"], peak.detail["small"]
    assert (large["row_groups"], small["row_groups"]) == (100, 10)
    assert large["rows_per_group"] == small["rows_per_group"] == 1_000
    # The subject's rows were removed, the object written back whole less them
    assert (large["removed"], small["removed"]) == (100, 10)
    assert large["bytes_rewritten"] > 0 and large["arrow_peak_bytes"] > 0
    assert throughput.unit == "MB/s" and throughput.value > 0
    assert throughput.detail["object_mb_in_15_minutes"] > 0
