"""``python -m benchmarks``: run the benchmarks, print the table, write the figures as JSON."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from benchmarks.figures import Figure, markdown_table, write_results

# In the order they run and are printed; each module has run(scale) -> list[Figure].
BENCHMARKS = {
    "cold_start": "benchmarks.cold_start",
    "snapstart": "benchmarks.snapstart",
    "cost": "benchmarks.cost",
    "fan_out": "benchmarks.fan_out",
    "reads": "benchmarks.reads",
    "memory": "benchmarks.memory",
    "data_lake": "benchmarks.data_lake",
    "intake": "benchmarks.intake",
    "saas": "benchmarks.saas_rate",
    "database": "benchmarks.database",
    "mysql": "benchmarks.mysql_database",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help=f"comma-separated, of: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1 is the full size; the test suite runs a small fraction"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    arguments = parser.parse_args(argv)
    chosen = [name.strip() for name in arguments.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    started = time.monotonic()
    figures: list[Figure] = []
    for name in chosen:
        began = time.monotonic()
        print(f"running {name}...", file=sys.stderr, flush=True)
        figures += importlib.import_module(BENCHMARKS[name]).run(arguments.scale)
        print(f"  {name}: {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True)
    seconds = time.monotonic() - started
    write_results(figures, arguments.out, seconds)
    print(markdown_table(figures))
    print(f"\n{len(figures)} figures in {seconds:.0f} s; written to {arguments.out}")
    missed = [f for f in figures if f.met is False]
    for figure in missed:
        print(f"target missed: {figure.benchmark}: {figure.measure} ({figure.target})", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
