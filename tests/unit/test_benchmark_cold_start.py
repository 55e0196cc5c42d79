"""The cold-start benchmark measures what it says: a small run, checked for what it measured and
how it reads the figures; never timed, and no speed is asserted."""

from __future__ import annotations

import statistics
import textwrap
from pathlib import Path

import pytest

from benchmarks import cold_start


def test_a_small_run_gives_one_figure_per_function_named_beside_import_boto3() -> None:
    figures = cold_start.run(0.05, ["CloseRequestFunction", "StaffConsoleFunction"])

    # The two references first, then the functions in template order, whatever the order asked.
    assert [figure.measure for figure in figures] == [
        "Libraries alone, workflow function: import benchmarks.floors.workflow",
        "Libraries alone, API function: import benchmarks.floors.api",
        cold_start.LIBRARIES_MEASURE,
        "StaffConsoleFunction: import staff_console.app",
        "CloseRequestFunction: import close_request.app",
    ]
    references, libraries, functions = figures[:2], figures[2], figures[3:]
    for reference in references:
        assert reference.target is None and reference.met is None
        assert reference.baseline == "import boto3" and reference.value > 0
        assert reference.detail["modules_imported"] > 0
    # An API function's libraries hold a workflow function's, and more.
    assert references[1].detail["modules_imported"] > references[0].detail["modules_imported"]
    # What each library adds to import boto3, step by step, beside what the target leaves.
    steps = libraries.detail["steps_median_ms"]
    assert list(steps) == [label for label, _ in cold_start.LIBRARY_STEPS]
    assert next(iter(steps)) == "import boto3" and all(milliseconds >= 0 for milliseconds in steps.values())
    assert steps["import pydantic's BaseModel"] > 0 and steps["Powertools' logger"] > 0
    assert libraries.target is None and libraries.met is None and libraries.baseline == "import boto3"
    assert libraries.baseline_value is not None
    assert libraries.detail["left_by_the_target_ms"] == round(0.5 * libraries.baseline_value, 1)
    assert len(libraries.detail["runs_ms"]) >= 3
    assert libraries.value == pytest.approx(statistics.median(libraries.detail["runs_ms"]), abs=0.1)
    for figure in functions:
        assert figure.benchmark == "Cold start"
        assert figure.unit == "ms"
        assert figure.value > 0
        assert figure.baseline == "import boto3"
        assert figure.baseline_value is not None and figure.baseline_value > 0
        assert figure.target == "at most 1.5 x import boto3"
        assert figure.met is (figure.value <= 1.5 * figure.baseline_value)
        assert figure.ratio is not None and figure.met is (figure.ratio <= 1.5)
        assert len(figure.detail["runs_ms"]) == len(figure.detail["baseline_runs_ms"]) >= 3
        assert figure.detail["modules_imported"] > 0
    # One baseline for the whole run, measured in the same rounds.
    assert len({figure.baseline_value for figure in figures}) == 1


def test_each_function_imports_in_an_environment_like_its_own_in_lambda() -> None:
    baseline, chosen, code_root = cold_start.subjects(functions=["SweeperFunction"])

    (sweeper,) = chosen
    assert (sweeper.name, sweeper.module, sweeper.attribute) == (
        "SweeperFunction",
        "sweeper.app",
        "lambda_handler",
    )
    assert code_root == Path(cold_start.__file__).resolve().parents[1]
    environment = sweeper.environment
    assert environment["DEADLINE_HORIZON_DAYS"] == "8"  # the function's own, a plain string
    assert environment["POWERTOOLS_SERVICE_NAME"] == "privacy-desk"  # the template's Globals
    assert environment["REQUESTS_TABLE"] and environment["STATE_MACHINE_ARN"].startswith("arn:aws:states:")
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] and environment["AWS_DEFAULT_REGION"] == "us-east-1"
    assert all(isinstance(value, str) for value in environment.values())
    assert (baseline.module, baseline.attribute) == ("boto3", "")


def _template_with(tmp_path: Path, module_text: str) -> Path:
    package = tmp_path / "src" / "broken_handler"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(textwrap.dedent(module_text))
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """\
            Globals:
              Function:
                CodeUri: src/
            Resources:
              BrokenFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: broken_handler.app.lambda_handler
            """
        )
    )
    return template


@pytest.mark.parametrize(
    ("module_text", "reason"),
    [
        ("raise RuntimeError('no configuration at import')\n", "no configuration at import"),
        ("HANDLER = None\n", "has no callable lambda_handler"),
        ("import local_cloud\n\ndef lambda_handler(event, context):\n    return {}\n", "local_cloud"),
    ],
    ids=["raises", "no-handler", "imports-the-local-cloud"],
)
def test_a_handler_module_that_does_not_import_as_lambda_would_is_named_with_its_function(
    tmp_path: Path, module_text: str, reason: str
) -> None:
    template = _template_with(tmp_path, module_text)

    with pytest.raises(cold_start.ColdStartError) as failure:
        cold_start.run(0.05, template_path=template)

    message = str(failure.value)
    assert message.startswith("BrokenFunction: import broken_handler.app failed")
    assert reason in message


def test_a_function_not_in_the_template_is_refused() -> None:
    with pytest.raises(cold_start.ColdStartError, match="NoSuchFunction"):
        cold_start.run(0.05, ["NoSuchFunction"])
