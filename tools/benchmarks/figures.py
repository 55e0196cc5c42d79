"""One measured figure, its baseline and its target; the markdown table and the JSON file."""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    benchmark: str
    """Which of the benchmarks measured it ("Cold start", "Cost per request"...)."""
    measure: str
    """What was measured ("IntakeApiFunction: import of its handler")."""
    value: float
    unit: str
    baseline: str | None = None
    """What it is compared with, measured the same way in the same run."""
    baseline_value: float | None = None
    target: str | None = None
    """The target in words ("at most 1.5 x the baseline")."""
    met: bool | None = None
    """Whether the target is met; None where the figure has no target."""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0):
            return None
        return self.value / float(self.baseline_value)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if value == 0:
        text = "0"
    elif abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 1:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def markdown_table(figures: Sequence[Figure]) -> str:
    """The figures as a GitHub markdown table, in the order measured."""
    lines = [
        "| Benchmark | Measure | Value | Baseline | Ratio | Target | Met |",
        "|---|---|---:|---|---:|---|:---:|",
    ]
    for figure in figures:
        baseline = ""
        if figure.baseline is not None:
            unit = figure.detail.get("baseline_unit", figure.unit)
            baseline = f"{figure.baseline}: {_number(figure.baseline_value, unit)}"
        ratio = _number(figure.ratio)
        met = {True: "yes", False: "**no**", None: ""}[figure.met]
        lines.append(
            f"| {figure.benchmark} | {figure.measure} | {_number(figure.value, figure.unit)} | {baseline} "
            f"| {ratio} | {figure.target or ''} | {met} |"
        )
    return "\n".join(lines)


def write_results(figures: Sequence[Figure], path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "seconds": round(seconds, 1),
        "figures": [asdict(figure) | {"ratio": figure.ratio} for figure in figures],
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
