"""The cold-start benchmark measures the built artifacts as Lambda imports them: a small run on
the session's build, checked for what it measured and how it reads the figures; no speed is
asserted beyond bytecode beating source by far."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import cold_start

# One worker runs every test here: they share the session's one `make build`.
pytestmark = pytest.mark.xdist_group("built-artifacts")


def test_a_small_run_times_each_built_function_beside_the_floor_and_from_source(
    build_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = cold_start.run(0.05, ["CloseRequestFunction", "StaffConsoleFunction"], build_dir=build_dir)

    assert [figure.measure for figure in figures] == [
        "import boto3 alone, from the runtime's SDK",
        "Floor: the libraries alone, a workflow function (boto3, Powertools, pydantic)",
        "Floor: the libraries alone, an API function (and Powertools' REST resolver with validation)",
        "StaffConsoleFunction: import staff_console.app, built, with bytecode",
        "StaffConsoleFunction: artifact with the layer, unzipped",
        "CloseRequestFunction: import close_request.app, built, with bytecode",
        "CloseRequestFunction: artifact with the layer, unzipped",
    ]
    boto3_alone, workflow_floor, api_floor = figures[:3]
    for floor in (workflow_floor, api_floor):
        assert floor.baseline_value == boto3_alone.value > 0
        assert floor.value > boto3_alone.value  # a floor imports boto3 and more
    # The console is behind API Gateway, closing a request is a workflow task.
    for timing, size, floor, kind in zip(
        figures[3::2], figures[4::2], (api_floor, workflow_floor), ("api", "workflow"), strict=True
    ):
        assert timing.baseline == f"floor ({kind})" and timing.baseline_value == floor.value
        assert timing.target == "at most 1.25 x the floor"
        assert timing.met is (timing.value <= 1.25 * floor.value)
        assert len(timing.detail["runs_ms"]) == len(timing.detail["floor_runs_ms"]) >= 7
        # From source every module is compiled at each cold start: far slower than with bytecode.
        assert timing.detail["from_source_ms"] > 1.5 * timing.value
        assert size.unit == "MB" and size.value == timing.detail["artifact_mb"]
        assert size.met is (size.value <= 45)
    # SnapStart's functions only (the console): its first event resumed from the snapshot, from
    # the same artifact, the before-snapshot hook's loading done; far below a cold import.
    console, closing = figures[3], figures[5]
    assert 0 < console.detail["with_before_snapshot_loading_ms"] < console.value
    assert closing.detail["with_before_snapshot_loading_ms"] is None
    table = capsys.readouterr().out
    assert (
        "| Function | Artifact + layer MB | From source ms | With bytecode ms"
        " | With before-snapshot loading ms | Floor ms | Ratio |"
    ) in table
    assert "| CloseRequestFunction (workflow) |" in table
    assert "| StaffConsoleFunction (api) |" in table


def test_a_handler_that_does_not_import_from_its_artifact_is_named_with_its_function(tmp_path: Path) -> None:
    package = tmp_path / "broken_handler"
    package.mkdir()
    (package / "app.py").write_text("import local_cloud_only_module\n")
    subject = cold_start.Subject(
        "BrokenFunction", "broken_handler.app", "lambda_handler", {}, (str(tmp_path),)
    )

    with pytest.raises(cold_start.ColdStartError) as failure:
        cold_start.import_milliseconds(subject, tmp_path)

    assert str(failure.value).startswith("BrokenFunction: import broken_handler.app failed")
    assert "local_cloud_only_module" in str(failure.value)


def test_the_child_sees_only_the_folders_it_is_given(tmp_path: Path) -> None:
    """-I -S: neither the development environment's packages nor PYTHONPATH reach the import."""
    (tmp_path / "probe.py").write_text(
        "import sys, json\nprint('cold-start-result:' + json.dumps({'ms': 1, 'modules': len(sys.path)}))\n"
        "import yaml\n"
    )
    subject = cold_start.Subject(
        "Probe", "probe", "", {"PYTHONPATH": str(Path(json.__file__).parent)}, (str(tmp_path),)
    )

    with pytest.raises(cold_start.ColdStartError, match="No module named 'yaml'"):
        cold_start.import_milliseconds(subject, tmp_path)


def test_a_function_not_in_the_template_is_refused(build_dir: Path) -> None:
    with pytest.raises(cold_start.ColdStartError, match="NoSuchFunction"):
        cold_start.run(0.05, ["NoSuchFunction"], build_dir=build_dir)
