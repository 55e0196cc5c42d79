"""With tracing on, as the template deploys every function, each function patches the libraries
the desk reaches out through and nothing else installed beside them."""

from __future__ import annotations

import json
import subprocess  # nosec B404
import sys

from benchmarks import cold_start

# Runs in a fresh interpreter: imports the handler with tracing on, prints what the X-Ray SDK patched.
CHILD = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
from aws_xray_sdk.core import patcher
print(json.dumps(sorted(patcher._PATCHED_MODULES)))
"""


def test_every_function_patches_only_botocore_and_http_client_when_tracing_is_on() -> None:
    _baseline, functions, code_root = cold_start.subjects()
    patched = {}
    for function in functions:
        environment = {**function.environment}
        environment.pop("POWERTOOLS_TRACE_DISABLED", None)
        finished = subprocess.run(  # nosec B603 - this interpreter, a fixed script
            [sys.executable, "-c", CHILD, function.module],
            cwd=code_root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        patched[function.name] = json.loads(finished.stdout.strip().splitlines()[-1])

    traced = {name: modules for name, modules in patched.items() if modules}
    # The console serves pages without AWS calls and does not trace; every other function does.
    assert set(patched) - set(traced) == {"StaffConsoleFunction"}
    # Without the list, the SDK patches every library it supports that is installed (requests and
    # sqlite3 among them here), used or not, at each cold start.
    assert {name: ["botocore", "httplib"] for name in traced} == traced
