"""What each function loads when Lambda imports its handler, tracing on as the template deploys
every function: the X-Ray patches it makes, and the modules only some of its paths need, which
must wait for those paths (each is a cold start every user of that function would wait for)."""

from __future__ import annotations

import json
import subprocess  # nosec B404
import sys
from typing import Any

import pytest

from benchmarks import cold_start

# One worker runs every test here: they share the module's one import of every function.
pytestmark = pytest.mark.xdist_group("function-imports")

# Loaded by no handler at import: each serves a few paths, and costs 10 to 90 ms to load.
ONLY_WHERE_USED = (
    "holidays",  # business-day deadlines
    "phonenumbers",  # data-point matching
    "nacl",  # account assertions
    "cryptography",  # processors' signed callbacks
    "yaml",  # the registry and policies, read on first use
    "aws_lambda_powertools.event_handler.openapi.models",  # the API's documentation page
    "email_validator",  # the first email address a function checks
    "pg8000",  # a database system's first task
    "pymysql",  # a MySQL system's first task
    "babel",  # a page or a language choice: the catalogs, Accept-Language, dates per locale
    "jinja2",  # the first page a function renders
)
# The desk's own modules that a function's paths never reach.
NEVER_REACHED = {
    "IntakeApiFunction": ("dsr.core.registry", "dsr.core.registry_stores", "dsr.fulfilment.fulfilment"),
    "EmailIntakeFunction": ("dsr.core.registry", "dsr.core.registry_stores", "dsr.fulfilment.fulfilment"),
    "AcknowledgeRequestFunction": (
        "dsr.intake.submission",
        "dsr.verification.identity_checks",
        "dsr.fulfilment.fulfilment",
        "dsr.core.registry",
        "dsr.core.registry_stores",
    ),
    "RequestReviewFunction": ("dsr.core.registry", "dsr.core.registry_stores", "dsr.fulfilment.fulfilment"),
    "StartVerificationFunction": (
        "dsr.verification.account_assertion",
        "dsr.verification.data_points",
        "dsr.connectors.base",
    ),
    "ExecutionEventsFunction": ("dsr.core.registry", "dsr.fulfilment.results", "dsr.closing.downloads"),
    "RunSystemTaskFunction": (
        "dsr.policies.deadline_table",
        "dsr.policies.deadlines",
        "dsr.notices.subject_notices",
        "dsr.verification.identity_checks",
        "dsr.intake.submission",
    ),
}
# Built at import: the models the handler parses every event with (Powertools' parser), which
# each first event would build anyway.
EVERY_EVENT_MODELS = {
    "EmailIntakeFunction": {
        *("InboundMailEvent", "ReceiptRecord", "ReceivedMessage", "ReceivedMail", "Receipt", "Verdict"),
    },
    "ExecutionEventsFunction": {"ExecutionEndedEvent"},
}
# The desk's own modules that only some of a function's paths reach, loaded on their first call:
# the staff API's routes that act on a request in one way; the sweeper's hourly deadline watch,
# and a hand-off that timed out.
ONLY_SOME_PATHS = {
    "StaffApiFunction": (
        "dsr.closing.cancellation",
        "dsr.fulfilment.fulfilment",
        "dsr.fulfilment.handoffs",
        "dsr.fulfilment.reruns",
        "dsr.core.registry",
        "dsr.core.registry_stores",
    ),
    "SweeperFunction": (
        "dsr.deadlines.watch",
        "dsr.appeals.appeals",
        "dsr.fulfilment.fulfilment",
        "dsr.core.registry",
        "dsr.core.registry_stores",
    ),
}
WATCHED = sorted(
    {
        *ONLY_WHERE_USED,
        *(name for names in NEVER_REACHED.values() for name in names),
        *(name for names in ONLY_SOME_PATHS.values() for name in names),
    }
)

# Runs in a fresh interpreter: imports the handler, prints what X-Ray patched, which of the
# watched modules came with it, and which of the desk's models the import built.
CHILD = """
import gc, importlib, json, sys
LIBRARIES = ("boto3", "botocore", "pydantic", "aws_lambda_powertools", "aws_xray_sdk")
FIRST = ("dsr.core", "dsr.core.initialising")  # the folder's __init__ is a docstring only
class PauseWatch:  # notes which libraries were loaded when the collector was paused, and
    loaded = None   # whether boto3 was when the first of the desk's other modules was looked for
    boto3_first = None
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name == "dsr.core.initialising" and cls.loaded is None:
            cls.loaded = [library for library in LIBRARIES if library in sys.modules]
        if name.startswith("dsr.") and name not in FIRST and cls.boto3_first is None:
            cls.boto3_first = "boto3" in sys.modules
sys.meta_path.insert(0, PauseWatch)
importlib.import_module(sys.argv[1])
collector = {"before_pause": PauseWatch.loaded, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
             "boto3_first": PauseWatch.boto3_first}
from aws_xray_sdk.core import patcher
loaded = [name for name in json.loads(sys.argv[2]) if name in sys.modules]
from pydantic import BaseModel
models, waiting = [], [BaseModel]
while waiting:
    for model in waiting.pop().__subclasses__():
        waiting.append(model)
        if model.__module__.split(".")[0] in ("dsr", sys.argv[1].split(".")[0]):
            models.append(model)
built = sorted(model.__qualname__ for model in models if model.__pydantic_complete__)
found = {"patched": sorted(patcher._PATCHED_MODULES), "loaded": loaded, "built": built}
print(json.dumps({**found, **collector}))
"""


@pytest.fixture(scope="module")
def imported() -> dict[str, dict[str, Any]]:
    _baseline, functions, code_root = cold_start.subjects()
    found = {}
    for function in functions:
        environment = {**function.environment}
        environment.pop("POWERTOOLS_TRACE_DISABLED", None)
        finished = subprocess.run(  # nosec B603 - this interpreter, a fixed script
            [sys.executable, "-c", CHILD, function.module, json.dumps(WATCHED)],
            cwd=code_root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        found[function.name] = json.loads(finished.stdout.strip().splitlines()[-1])
    return found


def test_every_function_patches_only_botocore_and_http_client_when_tracing_is_on(
    imported: dict[str, dict[str, Any]],
) -> None:
    patched = {name: found["patched"] for name, found in imported.items()}
    traced = {name: modules for name, modules in patched.items() if modules}
    # The console serves pages without AWS calls and does not trace; every other function does.
    assert set(patched) - set(traced) == {"StaffConsoleFunction"}
    # Without the list, the SDK patches every library it supports that is installed (requests and
    # sqlite3 among them here), used or not, at each cold start.
    assert {name: ["botocore", "httplib"] for name in traced} == traced


def test_no_handler_loads_at_import_what_only_some_of_its_paths_use(
    imported: dict[str, dict[str, Any]],
) -> None:
    loaded_early = {
        name: [module for module in found["loaded"] if module in ONLY_WHERE_USED]
        for name, found in imported.items()
    }
    assert {name: modules for name, modules in loaded_early.items() if modules} == {}
    for name, modules in NEVER_REACHED.items():
        assert [module for module in imported[name]["loaded"] if module in modules] == [], name
    for name, modules in ONLY_SOME_PATHS.items():
        assert [module for module in imported[name]["loaded"] if module in modules] == [], name


def test_each_handler_loads_its_libraries_with_the_collector_paused_and_leaves_it_on(
    imported: dict[str, dict[str, Any]],
) -> None:
    # Each handler's first import pauses the collector, before any library loads, and its last
    # line freezes what the import built (dsr.core.initialising): an import walked by the collector
    # as it grows is tens of ms slower.
    assert {name: found["before_pause"] for name, found in imported.items()} == {
        name: [] for name in imported
    }
    assert {name for name, found in imported.items() if not found["enabled"]} == set()
    # Tens of thousands of objects: the libraries and the desk, out of every later collection's way.
    assert {name: found["frozen"] for name, found in imported.items() if found["frozen"] < 20_000} == {}


def test_each_handler_loads_boto3_before_the_desks_own_modules(imported: dict[str, dict[str, Any]]) -> None:
    # Loaded from deep inside the desk's modules, boto3's start-up ran at a boundary of CPython's
    # frame stack and mapped and unmapped memory on each call: 400 to 1,600 system calls per cold
    # start. dsr.core.initialising loads it from the top, as the libraries' floor does.
    assert {name: found["boto3_first"] for name, found in imported.items() if not found["boto3_first"]} == {}


def test_no_handler_builds_a_desk_model_at_import(imported: dict[str, dict[str, Any]]) -> None:
    # Each model costs about a millisecond to build; a function's paths use a few of the desk's
    # fifty, so each is built on its first use (dsr.core.desk_model), or before a snapshot.
    built = {
        name: sorted(set(found["built"]) - EVERY_EVENT_MODELS.get(name, set()))
        for name, found in imported.items()
    }
    assert {name: models for name, models in built.items() if models} == {}
