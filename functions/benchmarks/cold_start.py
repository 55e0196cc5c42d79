"""Cold start: the time to import each function's handler module, beside ``import boto3``.

What a Lambda function pays before its first event is, mostly, importing its handler module. Each
import is measured in a fresh interpreter (``sys.executable``) whose environment looks like the
function's in Lambda: the template's variables, the region, placeholder credentials, the Lambda
variables. The child times ``importlib.import_module`` alone with ``time.perf_counter``, so the
interpreter's own start-up is not counted, and it imports only the handler module, as Lambda does
(never the local cloud or moto). ``import boto3`` alone, measured the same way in the same rounds,
is the baseline: every function should cost at most 1.5 times that. Two references are measured in
the same rounds: the least a workflow function and an API function import on this stack
(``benchmarks.floors``), so that what the libraries cost and what the desk's own code adds can be
told apart; and, in one more fresh interpreter per round, what each of those libraries adds to
``import boto3`` step by step, beside the half of ``import boto3`` that the target leaves them.

The rounds are interleaved (the baseline, then each function, then again) so that a machine busy
for a moment slows all of them alike; the figure is the median of the rounds, after one round that
is not counted (it warms the file cache, and stops at once on a handler that does not import).

Tracing is on in the child, as ``Tracing: Active`` deploys it: the X-Ray SDK patches the
libraries the desk names (``dsr.tracing``) when each function makes its tracer.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess  # nosec B404
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure
from dsr.tracing import TRACED_LIBRARIES
from local_cloud.template import NAME_PREFIX, REGION, read_template

REPOSITORY = Path(__file__).resolve().parents[2]
# As the local cloud reads it (local_cloud.cloud.TEMPLATE_PATH, not imported here: it loads moto).
TEMPLATE_PATH = Path(os.environ.get("DSR_TEMPLATE", REPOSITORY / "template.yaml"))

BENCHMARK = "Cold start"
BASELINE = "import boto3"
TARGET_RATIO = 1.5
FULL_RUNS = 9  # at scale 1; never fewer than MIN_RUNS
MIN_RUNS = 3
CHILD_TIMEOUT_SECONDS = 120
RESULT_MARK = "cold-start-result:"

# Parameters without a default in template.yaml: plausible values, as a deployment would give.
PLACEHOLDER_PARAMETERS = {
    "PrivacyMailbox": "privacy@desk.example",
    "SenderAddress": "privacy@desk.example",
    "AlertEmail": "privacy-team@desk.example",
    "PublicBaseUrl": "https://privacy.desk.example",
}

# Runs in the child: times the import alone, checks the handler is there and that nothing of the
# local cloud came with it, and prints one line of JSON after RESULT_MARK.
CHILD_SCRIPT = f"""
import importlib, json, sys, time
module, attribute = sys.argv[1], sys.argv[2]
before = len(sys.modules)
started = time.perf_counter()
loaded = importlib.import_module(module)
elapsed = time.perf_counter() - started
if attribute and not callable(getattr(loaded, attribute, None)):
    sys.exit(f"{{module}} has no callable {{attribute}}")
strays = sorted(name for name in ("local_cloud", "moto") if name in sys.modules)
if strays:
    sys.exit(f"importing {{module}} also imported {{', '.join(strays)}}")
print({RESULT_MARK!r} + json.dumps({{"ms": elapsed * 1000, "modules": len(sys.modules) - before}}))
"""

# What a workflow function's libraries each add to ``import boto3``, in the order a handler meets
# them, timed one after the other in one fresh interpreter. The 1.5 x target leaves everything
# after the first step half of ``import boto3``.
LIBRARY_STEPS = (
    ("import boto3", "import boto3"),
    ("Powertools' logger", "from aws_lambda_powertools import Logger\nLogger()"),
    ("Powertools' metrics", "from aws_lambda_powertools import Metrics\nMetrics()"),
    (
        "Powertools' tracer, patching botocore and httplib",
        f"from aws_lambda_powertools import Tracer\nTracer(patch_modules={TRACED_LIBRARIES!r})",
    ),
    ("import pydantic's BaseModel", "from pydantic import BaseModel"),
    ("pydantic's first model", "class TaskInput(BaseModel):\n    request_id: str"),
)
LIBRARY_STEPS_SCRIPT = (
    "import json, time\nsteps_ms = []\n"
    + "".join(
        f"started = time.perf_counter()\n{code}\nsteps_ms.append((time.perf_counter() - started) * 1000)\n"
        for _, code in LIBRARY_STEPS
    )
    + f"print({RESULT_MARK!r} + json.dumps({{'steps_ms': steps_ms}}))\n"
)
LIBRARIES_MEASURE = "The libraries beyond import boto3: Powertools' logger, metrics and tracer, pydantic"


class ColdStartError(RuntimeError):
    """A handler module that does not import in a fresh interpreter, named with its function."""


@dataclass(frozen=True)
class Subject:
    """What one child imports: a function's handler module (or the baseline) and its environment."""

    name: str
    module: str
    attribute: str
    environment: dict[str, str]


def _lambda_variables(function_name: str, handler: str, memory_mb: int, code_root: Path) -> dict[str, str]:
    """The variables Lambda itself sets, with placeholder credentials and no way to reach AWS."""
    return {
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        # Placeholders, not credentials: nothing may call AWS at import.
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "cold-start-placeholder",  # nosec B105
        "AWS_SESSION_TOKEN": "cold-start-placeholder",  # nosec B105
        # Were something to call AWS at import anyway, it fails here rather than reaching AWS.
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2025/01/01/[$LATEST]cold-start",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "_HANDLER": handler,
        "LAMBDA_TASK_ROOT": str(code_root),
        "LAMBDA_RUNTIME_DIR": str(code_root),
        "PYTHONPATH": str(code_root),
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": os.environ.get("PATH", os.defpath),
    }


def subjects(
    template_path: Path = TEMPLATE_PATH, functions: Sequence[str] | None = None
) -> tuple[Subject, list[Subject], Path]:
    """The baseline, the functions in template order (or the ones named) and the code root."""
    template = read_template(template_path, PLACEHOLDER_PARAMETERS)
    defaults = template.document.get("Globals", {}).get("Function", {})
    code_root = (template_path.parent / defaults.get("CodeUri", ".")).resolve()
    specs = template.functions({})
    unknown = sorted(set(functions or ()) - set(specs))
    if unknown:
        raise ColdStartError(f"not functions in {template_path.name}: {', '.join(unknown)}")
    chosen = []
    for logical_id, spec in specs.items():
        if functions is not None and logical_id not in functions:
            continue
        module, _, attribute = spec.handler.rpartition(".")
        lambda_variables = _lambda_variables(
            template.physical_name(logical_id), spec.handler, spec.memory_mb, code_root
        )
        chosen.append(Subject(logical_id, module, attribute, {**spec.environment, **lambda_variables}))
    global_environment = {
        name: str(template.resolve(value, {}))
        for name, value in defaults.get("Environment", {}).get("Variables", {}).items()
    }
    memory_mb = int(defaults.get("MemorySize", 128))
    baseline_variables = _lambda_variables(f"{NAME_PREFIX}-Baseline", "boto3", memory_mb, code_root)
    baseline = Subject("baseline", "boto3", "", {**global_environment, **baseline_variables})
    return baseline, chosen, code_root


# The libraries alone, measured in the same rounds: what a function of each kind cannot go below on
# this stack (benchmarks/floors), beside which each function's own share can be read.
FLOORS = {
    "Libraries alone, workflow function": "benchmarks.floors.workflow",
    "Libraries alone, API function": "benchmarks.floors.api",
}


FLOORS_ROOT = Path(__file__).resolve().parents[1]  # beside the desk's functions, whatever the template


def floor_subjects(baseline: Subject) -> list[Subject]:
    return [
        Subject(
            name,
            module,
            "lambda_handler",
            {
                **baseline.environment,
                "_HANDLER": f"{module}.lambda_handler",
                "PYTHONPATH": str(FLOORS_ROOT),
                "LAMBDA_TASK_ROOT": str(FLOORS_ROOT),
            },
        )
        for name, module in FLOORS.items()
    ]


def import_milliseconds(subject: Subject, code_root: Path) -> dict[str, Any]:
    """One import of the subject's module in a fresh interpreter: {"ms": ..., "modules": ...}."""
    return _in_fresh_interpreter(
        f"{subject.name}: import {subject.module}",
        [CHILD_SCRIPT, subject.module, subject.attribute],
        subject.environment,
        code_root,
    )


def library_steps_milliseconds(baseline: Subject, code_root: Path) -> list[float]:
    """Each of LIBRARY_STEPS timed in turn in one fresh interpreter, in the baseline's environment."""
    result = _in_fresh_interpreter(
        "the libraries step by step", [LIBRARY_STEPS_SCRIPT], baseline.environment, code_root
    )
    return [float(milliseconds) for milliseconds in result["steps_ms"]]


def _in_fresh_interpreter(
    what: str, arguments: list[str], environment: dict[str, str], code_root: Path
) -> dict[str, Any]:
    """Run one of this module's child scripts and read the JSON line it prints after RESULT_MARK."""
    try:
        # This very interpreter, on a fixed script; the module and attribute come from template.yaml.
        finished = subprocess.run(  # noqa: S603  # nosec B603
            [sys.executable, "-c", *arguments],
            cwd=code_root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ColdStartError(f"{what} took over {CHILD_TIMEOUT_SECONDS} s in a fresh interpreter") from error
    results = [line for line in finished.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if finished.returncode != 0 or not results:
        output = (finished.stderr.strip() or finished.stdout.strip())[-2000:]
        raise ColdStartError(f"{what} failed in a fresh interpreter (exit {finished.returncode}):\n{output}")
    result: dict[str, Any] = json.loads(results[-1].removeprefix(RESULT_MARK))
    return result


def _libraries_share(library_runs: list[list[float]], baseline_ms: float) -> Figure:
    """What the libraries every function imports add to ``import boto3``, step by step: beside the
    half of ``import boto3`` that the 1.5 x target leaves, before any of the desk's own code."""
    beyond_boto3 = [sum(steps[1:]) for steps in library_runs]
    return Figure(
        benchmark=BENCHMARK,
        measure=LIBRARIES_MEASURE,
        value=round(statistics.median(beyond_boto3), 1),
        unit="ms",
        baseline=BASELINE,
        baseline_value=baseline_ms,
        detail={
            "steps_median_ms": {
                label: round(statistics.median(steps[index] for steps in library_runs), 1)
                for index, (label, _) in enumerate(LIBRARY_STEPS)
            },
            "left_by_the_target_ms": round((TARGET_RATIO - 1) * baseline_ms, 1),
            "runs_ms": [round(total, 2) for total in beyond_boto3],
        },
    )


def run(
    scale: float, functions: Sequence[str] | None = None, *, template_path: Path = TEMPLATE_PATH
) -> list[Figure]:
    """One figure per function in template.yaml (or per function named in ``functions``)."""
    baseline, chosen, code_root = subjects(template_path, functions)
    floors = floor_subjects(baseline)
    rounds = max(MIN_RUNS, math.ceil(FULL_RUNS * scale))
    everything = [baseline, *floors, *chosen]
    # A first round, not counted, warms the file cache and stops at once on a failing import.
    modules = {subject.name: import_milliseconds(subject, code_root)["modules"] for subject in everything}
    runs: dict[str, list[float]] = {subject.name: [] for subject in everything}
    library_runs: list[list[float]] = []
    for _ in range(rounds):
        for subject in everything:
            runs[subject.name].append(round(import_milliseconds(subject, code_root)["ms"], 2))
        library_runs.append(library_steps_milliseconds(baseline, code_root))
    baseline_ms = round(statistics.median(runs[baseline.name]), 1)
    figures = [
        Figure(
            benchmark=BENCHMARK,
            measure=f"{floor.name}: import {floor.module}",
            value=round(statistics.median(runs[floor.name]), 1),
            unit="ms",
            baseline=BASELINE,
            baseline_value=baseline_ms,
            detail={"runs_ms": runs[floor.name], "modules_imported": modules[floor.name]},
        )
        for floor in floors
    ]
    figures.append(_libraries_share(library_runs, baseline_ms))
    for subject in chosen:
        value = round(statistics.median(runs[subject.name]), 1)
        figures.append(
            Figure(
                benchmark=BENCHMARK,
                measure=f"{subject.name}: import {subject.module}",
                value=value,
                unit="ms",
                baseline=BASELINE,
                baseline_value=baseline_ms,
                target=f"at most {TARGET_RATIO} x {BASELINE}",
                met=value <= TARGET_RATIO * baseline_ms,
                detail={
                    "runs_ms": runs[subject.name],
                    "baseline_runs_ms": runs[baseline.name],
                    "modules_imported": modules[subject.name],
                    "baseline_modules_imported": modules[baseline.name],
                    "python": sys.version.split()[0],
                },
            )
        )
    return figures
