"""Cold start as Lambda does it: each function's handler imported from its built artifact.

``make bench`` builds first (``make build``). Each import runs in a fresh ``python3.12 -I -S -B``
(no user site, no site-packages, nothing written): on its path only what Lambda gives it, the
function's artifact (``/var/task``), the layer's ``python/`` (``/opt/python``) and a stand-in for
the runtime's own AWS SDK (``build/runtime-sdk``: boto3 as the development environment pins it,
and SnapStart's hook library, compiled like the artifacts). The environment is the function's
from the template, with the variables Lambda sets and placeholder credentials. The child times
``importlib.import_module`` alone with ``time.perf_counter``.

Beside each function, in the same rounds: its floor, the libraries a function of its kind imports
alone, wired as the desk wires a handler (boto3, Powertools' logger, metrics and tracer patching
as the desk does, and the collector paused while it imports, dsr.core.initialising; for a workflow
function Powertools' parser with a pydantic model, for a function behind API Gateway Powertools'
REST resolver with validation: ``benchmarks/floors``, compiled, from the same layer), and
``import boto3`` alone. The target is each function's median at most 1.25 times its floor's.
Single imports on a shared machine vary by a third from one to the next, the floor's as much as
a function's, and not together: the medians of fifteen rounds are steadier than any one round's
ratio. The from-source figure is the same import from a copy without ``__pycache__``, so what
the compiled bytecode saves stays visible. The artifact's size (function and layer, unzipped) is
held to 45 MB. On a machine that is not arm64, the layer the children import is built again for
this machine (the same requirements, pruning and bytecode; arm64's compiled modules cannot load
here); the sizes are the arm64 build's.

The rounds are interleaved so that a machine busy for a moment slows all of them alike; each
figure is the median of the rounds (at least 7), after one round that is not counted.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import statistics
import subprocess  # nosec B404
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks import snapstart
from benchmarks.cost import snapstart_memory
from benchmarks.figures import Figure
from benchmarks.snapstart import resumed_first_event_ms
from lambda_build import build_data_lake_layer, build_layer, compile_bytecode, install_into
from local_cloud.template import NAME_PREFIX, REGION, read_template

REPOSITORY = Path(__file__).resolve().parents[2]
# As the local cloud reads it (local_cloud.cloud.TEMPLATE_PATH, not imported here: it loads moto).
TEMPLATE_PATH = Path(os.environ.get("DSR_TEMPLATE", REPOSITORY / "template.yaml"))
BUILD_DIR = Path(os.environ.get("DSR_BUILD_DIR", REPOSITORY / ".aws-sam" / "build"))
RUNTIME_SDK_DIR = REPOSITORY / "build" / "runtime-sdk"
LAYER = "DeskLayer"
# A function's own layer besides the shared one (template.yaml): built again for this machine too.
DATA_LAKE_LAYER = "DataLakeLayer"
FLOORS_DIR = Path(__file__).resolve().parent / "floors"

BENCHMARK = "Cold start"
# The libraries alone, by the kind of function (benchmarks/floors): what each kind cannot go below.
FLOORS = {
    "workflow": "the libraries alone, a workflow function (boto3, Powertools, pydantic)",
    "api": "the libraries alone, an API function (and Powertools' REST resolver with validation)",
    "data_lake": "the libraries alone, the data lake's workflow function (and pyarrow's Parquet)",
}
TARGET_RATIO = 1.25
MAX_ARTIFACT_MB = 45.0
# The data lake's function carries pyarrow in a layer of its own: held to Lambda's own limit for a
# function with all its layers, unzipped.
MAX_ARTIFACT_MB_BY_KIND = {"data_lake": 250.0}
FULL_RUNS = 15  # at scale 1; never fewer than MIN_RUNS
MIN_RUNS = 7
CHILD_TIMEOUT_SECONDS = 120
RESULT_MARK = "cold-start-result:"
# What Lambda's Python runtime provides beside the SDK, installed with it in the stand-in.
RUNTIME_EXTRAS = ("snapshot-restore-py",)

# Parameters without a default in template.yaml: plausible values, as a deployment would give.
PLACEHOLDER_PARAMETERS = {
    "PrivacyMailbox": "privacy@desk.example",
    "SenderAddress": "privacy@desk.example",
    "AlertEmail": "privacy-team@desk.example",
    "PublicBaseUrl": "https://privacy.desk.example",
}

# Runs in the child (python -I -S -B): puts the given folders first on the path, as Lambda's
# bootstrap does, times the import alone, checks the handler is there and that nothing of the
# local cloud came with it, and prints one line of JSON after RESULT_MARK.
CHILD_SCRIPT = f"""
import importlib, json, sys, time
module, attribute, folders = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = folders
before = len(sys.modules)
started = time.perf_counter()
loaded = importlib.import_module(module)
elapsed = time.perf_counter() - started
if attribute and not callable(getattr(loaded, attribute, None)):
    sys.exit(f"{{module}} has no callable {{attribute}}")
strays = sorted(name for name in ("local_cloud", "moto", "botocore") if name in sys.modules
                and not (sys.modules[name].__file__ or "").startswith(folders[-1]))
if strays:
    sys.exit(f"importing {{module}} also imported {{', '.join(strays)}} from outside the runtime")
print({RESULT_MARK!r} + json.dumps({{"ms": elapsed * 1000, "modules": len(sys.modules) - before}}))
"""


class ColdStartError(RuntimeError):
    """A handler module that does not import in a fresh interpreter, named with its function."""


@dataclass(frozen=True)
class Subject:
    """What one child imports: a function's handler module (or a reference) and its environment."""

    name: str
    module: str
    attribute: str
    environment: dict[str, str]
    folders: tuple[str, ...] = ()
    """What the child puts first on its path, the runtime's SDK last."""
    kind: str = "workflow"
    """Which floor it is held to: "api" for a function behind API Gateway."""


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
        "PYTHONPATH": str(code_root),  # for a child of the development interpreter; -I ignores it
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


def ensure_runtime_sdk(folder: Path = RUNTIME_SDK_DIR) -> Path:
    """The stand-in for what Lambda's python3.12 runtime provides in /var/runtime: boto3 (at the
    version the development environment pins) and SnapStart's hook library, compiled."""
    if not (folder / "boto3").is_dir():
        install_into(folder, [f"boto3=={version('boto3')}", *RUNTIME_EXTRAS])
        compile_bytecode(folder, "/var/runtime")
    return folder


def _floor_module(kind: str) -> str:
    return f"libraries_floor_{kind}"


def _floor_folder(into: Path) -> Path:
    """The floors' modules, compiled like the artifacts, in a folder of their own."""
    into.mkdir(parents=True, exist_ok=True)
    for kind in FLOORS:
        shutil.copyfile(FLOORS_DIR / f"{kind}.py", into / f"{_floor_module(kind)}.py")
    compile_bytecode(into, "/var/task")
    return into


def _api_functions(template_path: Path) -> set[str]:
    resources = read_template(template_path, PLACEHOLDER_PARAMETERS).document["Resources"]
    return {
        logical_id
        for logical_id, resource in resources.items()
        if any(
            event.get("Type") == "Api" for event in resource.get("Properties", {}).get("Events", {}).values()
        )
    }


def _source_copy(folder: Path, into: Path) -> Path:
    """The same files without their bytecode: what a cold start compiles from source."""
    shutil.copytree(folder, into, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    return into


def unzipped_mb(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def built_subjects(
    build_dir: Path, runtime_sdk: Path, floor_folder: Path, functions: Sequence[str] | None = None
) -> tuple[Subject, dict[str, Subject], list[Subject]]:
    """``import boto3``, the floors and each function, with the built artifacts on their paths."""
    baseline, chosen, _ = subjects(TEMPLATE_PATH, functions)
    layer = str(build_dir / LAYER / "python")
    missing = [subject.name for subject in chosen if not (build_dir / subject.name).is_dir()]
    if missing or not Path(layer).is_dir():
        raise ColdStartError(
            f"no built artifact in {build_dir} for {', '.join(missing) or LAYER}: make build"
        )
    boto3_alone = replace(baseline, folders=(layer, str(runtime_sdk)))
    floors = {
        kind: replace(
            baseline,
            name=f"floor ({kind})",
            module=_floor_module(kind),
            attribute="lambda_handler",
            folders=(str(floor_folder), layer, str(runtime_sdk)),
            kind=kind,
        )
        for kind in FLOORS
    }
    data_lake = str(build_dir / DATA_LAKE_LAYER / "python")
    floors["data_lake"] = replace(
        floors["data_lake"], folders=(str(floor_folder), layer, data_lake, str(runtime_sdk))
    )
    api_functions = _api_functions(TEMPLATE_PATH)
    lake_functions = _functions_with_layer(TEMPLATE_PATH, DATA_LAKE_LAYER)
    functions_built = [
        replace(
            subject,
            environment={**subject.environment, "LAMBDA_TASK_ROOT": str(build_dir / subject.name)},
            folders=(
                str(build_dir / subject.name),
                layer,
                *((data_lake,) if subject.name in lake_functions else ()),
                str(runtime_sdk),
            ),
            kind=_kind(subject.name, api_functions, lake_functions),
        )
        for subject in chosen
    ]
    kinds = {"workflow", "api"} | {subject.kind for subject in functions_built}
    return boto3_alone, {kind: floor for kind, floor in floors.items() if kind in kinds}, functions_built


def _kind(name: str, api_functions: set[str], lake_functions: set[str]) -> str:
    if name in lake_functions:
        return "data_lake"
    return "api" if name in api_functions else "workflow"


def _functions_with_layer(template_path: Path, layer: str) -> set[str]:
    """The functions that name ``layer`` among their own Layers (besides the Globals' one)."""
    resources = read_template(template_path, PLACEHOLDER_PARAMETERS).document["Resources"]
    return {
        logical_id
        for logical_id, resource in resources.items()
        if {"Ref": layer} in resource.get("Properties", {}).get("Layers", [])
    }


def import_milliseconds(subject: Subject, code_root: Path) -> dict[str, Any]:
    """One import of the subject's module in a fresh ``python -I -S -B``: {"ms": ..., "modules": ...}."""
    try:
        # This very interpreter, on a fixed script; the module and attribute come from template.yaml.
        finished = subprocess.run(  # noqa: S603  # nosec B603
            [
                sys.executable,
                "-I",
                "-S",
                "-B",
                "-c",
                CHILD_SCRIPT,
                subject.module,
                subject.attribute,
                json.dumps(list(subject.folders)),
            ],
            cwd=code_root,
            env=subject.environment,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ColdStartError(
            f"{subject.name}: import {subject.module} took over {CHILD_TIMEOUT_SECONDS} s"
        ) from error
    results = [line for line in finished.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if finished.returncode != 0 or not results:
        output = (finished.stderr.strip() or finished.stdout.strip())[-2000:]
        raise ColdStartError(
            f"{subject.name}: import {subject.module} failed in a fresh interpreter "
            f"(exit {finished.returncode}):\n{output}"
        )
    result: dict[str, Any] = json.loads(results[-1].removeprefix(RESULT_MARK))
    return result


def _from_source(subject: Subject, compiled_root: Path, source_root: Path) -> Subject:
    """The subject with every folder swapped for its copy without bytecode."""
    folders = tuple(str(source_root / Path(folder).relative_to(compiled_root)) for folder in subject.folders)
    return replace(subject, name=f"{subject.name} (from source)", folders=folders)


def _median(runs: list[float]) -> float:
    return round(statistics.median(runs), 1)


def run(
    scale: float,
    functions: Sequence[str] | None = None,
    *,
    build_dir: Path = BUILD_DIR,
    runtime_sdk: Path = RUNTIME_SDK_DIR,
) -> list[Figure]:
    """Per function: the import with bytecode beside the floor (target 1.25 x), from source, and the
    artifact's size with the layer (target 45 MB); the floor and ``import boto3`` first."""
    rounds = max(MIN_RUNS, math.ceil(FULL_RUNS * scale))
    subjects(TEMPLATE_PATH, functions)  # refuses a function the template does not have, first
    ensure_runtime_sdk(runtime_sdk)
    with tempfile.TemporaryDirectory(prefix="cold-start-") as scratch:
        # Everything the children read, side by side, compiled and (below) as a copy from source.
        compiled_root = Path(scratch) / "compiled"
        source_root = Path(scratch) / "source"
        shutil.copytree(
            build_dir, compiled_root / "build", ignore=shutil.ignore_patterns("template.yaml", LAYER)
        )
        # The same layer, with this machine's compiled modules (arm64's, where this is arm64), and
        # the dependencies' sources beside their bytecode, which the deployed layer leaves out:
        # the copy from source below compiles them as a cold start without bytecode would.
        build_layer(compiled_root / "build" / LAYER, platform=(), dependency_sources=True)
        if (build_dir / DATA_LAKE_LAYER).is_dir():
            shutil.rmtree(compiled_root / "build" / DATA_LAKE_LAYER)
            if platform.machine() in ("aarch64", "arm64"):
                shutil.copytree(build_dir / DATA_LAKE_LAYER, compiled_root / "build" / DATA_LAKE_LAYER)
            else:
                build_data_lake_layer(compiled_root / "build" / DATA_LAKE_LAYER, platform=())
        shutil.copytree(runtime_sdk, compiled_root / "runtime-sdk")
        floor_folder = _floor_folder(compiled_root / "floor")
        boto3_alone, floors, chosen = built_subjects(
            compiled_root / "build", compiled_root / "runtime-sdk", floor_folder, functions
        )
        _source_copy(compiled_root, source_root)
        compiled = [boto3_alone, *floors.values(), *chosen]
        from_source = [_from_source(subject, compiled_root, source_root) for subject in chosen]
        everything = [*compiled, *from_source]
        # A first round, not counted, warms the file cache and stops at once on a failing import.
        modules = {
            subject.name: import_milliseconds(subject, compiled_root)["modules"] for subject in everything
        }
        runs: dict[str, list[float]] = {subject.name: [] for subject in everything}
        for _ in range(rounds):
            for subject in everything:
                runs[subject.name].append(round(import_milliseconds(subject, compiled_root)["ms"], 2))
        # SnapStart's functions, from the same artifacts: the first event once resumed from the
        # snapshot, the before-snapshot hook's loading done (benchmarks.snapstart).
        snapshotted = snapstart_memory()
        resumed_ms = resumed_first_event_ms(
            {subject.name: subject.folders for subject in chosen if subject.name in snapshotted},
            max(snapstart.MIN_ROUNDS, round(snapstart.FULL_ROUNDS * scale)),
        )
    layer_mb = unzipped_mb(build_dir / LAYER)
    boto3_ms = _median(runs[boto3_alone.name])
    floors_ms = {kind: _median(runs[floor.name]) for kind, floor in floors.items()}
    figures = [
        Figure(
            BENCHMARK,
            "import boto3 alone, from the runtime's SDK",
            boto3_ms,
            "ms",
            detail={"runs_ms": runs[boto3_alone.name], "modules_imported": modules[boto3_alone.name]},
        ),
        *(
            Figure(
                BENCHMARK,
                f"Floor: {FLOORS[kind]}",
                floors_ms[kind],
                "ms",
                baseline="import boto3",
                baseline_value=boto3_ms,
                detail={"runs_ms": runs[floor.name], "modules_imported": modules[floor.name]},
            )
            for kind, floor in floors.items()
        ),
    ]
    rows = []
    for subject in chosen:
        floor, floor_ms = floors[subject.kind], floors_ms[subject.kind]
        value = _median(runs[subject.name])
        source_ms = _median(runs[f"{subject.name} (from source)"])
        own_layers_mb = unzipped_mb(build_dir / DATA_LAKE_LAYER) if subject.kind == "data_lake" else 0.0
        artifact_mb = round(unzipped_mb(build_dir / subject.name) + layer_mb + own_layers_mb, 2)
        max_mb = MAX_ARTIFACT_MB_BY_KIND.get(subject.kind, MAX_ARTIFACT_MB)
        figures.append(
            Figure(
                BENCHMARK,
                f"{subject.name}: import {subject.module}, built, with bytecode",
                value,
                "ms",
                baseline=f"floor ({subject.kind})",
                baseline_value=floor_ms,
                target=f"at most {TARGET_RATIO} x the floor",
                met=value <= TARGET_RATIO * floor_ms,
                detail={
                    "runs_ms": runs[subject.name],
                    "floor_runs_ms": runs[floor.name],
                    "from_source_ms": source_ms,
                    "from_source_runs_ms": runs[f"{subject.name} (from source)"],
                    "import_boto3_ms": boto3_ms,
                    "modules_imported": modules[subject.name],
                    "artifact_mb": artifact_mb,
                    "with_before_snapshot_loading_ms": resumed_ms.get(subject.name),
                    "python": sys.version.split()[0],
                },
            )
        )
        figures.append(
            Figure(
                BENCHMARK,
                f"{subject.name}: artifact with the layer, unzipped",
                artifact_mb,
                "MB",
                target=f"at most {max_mb:g} MB",
                met=artifact_mb <= max_mb,
            )
        )
        rows.append(
            (
                f"{subject.name} ({subject.kind})",
                artifact_mb,
                source_ms,
                value,
                resumed_ms.get(subject.name),
                floor_ms,
                value / floor_ms,
            )
        )
    print(per_function_table(rows, boto3_ms, rounds), flush=True)
    return figures


def per_function_table(
    rows: list[tuple[str, float, float, float, float | None, float, float]], boto3_ms: float, rounds: int
) -> str:
    """Artifact size, import from source, with bytecode, the first event once resumed from a
    SnapStart snapshot (its functions only: what the event still imports and its handling, the
    before-snapshot hook's loading done), the floor and the ratio, per function."""
    lines = [
        f"Cold start from the built artifacts (median of {rounds}; import boto3 alone {boto3_ms:.0f} ms):",
        "",
        "| Function | Artifact + layer MB | From source ms | With bytecode ms"
        " | With before-snapshot loading ms | Floor ms | Ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {name} | {mb:.1f} | {source:.0f} | {compiled:.0f}"
        f" | {'' if resumed is None else f'{resumed:.0f}'} | {floor:.0f} | {ratio:.2f} |"
        for name, mb, source, compiled, resumed, floor, ratio in rows
    ]
    return "\n".join(lines) + "\n"
