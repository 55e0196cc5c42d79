"""Schemathesis, with all its checks and its default phases (examples, coverage, fuzzing and
stateful), against the running local cloud's two documents: the public /openapi.json and the
staff /staff/openapi.json (with an admin's token, so that every staff route is reachable).
Whatever it sends, each API answers without a server error, with a status its document lists,
and with the body that status documents. Both run in about two minutes on two cores."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess  # nosec B404 - runs the schemathesis command installed beside this Python
import sys
from pathlib import Path
from urllib.parse import urlsplit

from local_cloud.http_api import LocalApi

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
HERE = Path(__file__).parent
EXAMPLES_PER_OPERATION = 15
# API Gateway gives an integration 29 seconds; schemathesis's own default is 10.
REQUEST_TIMEOUT_SECONDS = 29
# The same cases on every run, so a failure in CI is reproduced by running the test again;
# SCHEMATHESIS_SEED=<n> explores other ones (a failure prints the seed it ran with).
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261206")


def _schemathesis(
    document_url: str, workdir: Path, *options: str, config: str = "schemathesis.toml"
) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(HERE / config),
        "run",
        document_url,
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--request-timeout",
        str(REQUEST_TIMEOUT_SECONDS),
        "--no-color",
        "--seed",
        SEED,
        *options,
    ]
    hooks = {"SCHEMATHESIS_HOOKS": str(HERE / "schemathesis_hooks.py")}
    return subprocess.run(  # nosec B603 - a fixed command, no shell
        command,
        cwd=workdir,  # where it keeps its examples database
        env={**os.environ, **hooks},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _operations_tested(run: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    """How many of the document's operations schemathesis tested, and how many there are."""
    documented = re.search(r"Selected: \d+/(\d+)", run.stdout)
    tested = re.search(r"Tested: (\d+)", run.stdout)
    assert documented and tested, _summary(run)
    return int(tested.group(1)), int(documented.group(1))


def _summary(run: subprocess.CompletedProcess[str]) -> str:
    return (run.stdout + run.stderr)[-12_000:]


def test_every_public_answer_is_as_the_public_document_says(local_api: LocalApi, tmp_path: Path) -> None:
    run = _schemathesis(
        f"{local_api.cloud.base_url}/openapi.json", tmp_path, config="schemathesis-public.toml"
    )

    assert run.returncode == 0, _summary(run)
    assert _operations_tested(run) == (15, 15)


def test_every_staff_answer_is_as_the_staff_document_says(local_api: LocalApi, tmp_path: Path) -> None:
    token = local_api.tokens.issue("admin@desk.example")

    run = _schemathesis(
        f"{local_api.cloud.base_url}/staff/openapi.json",
        tmp_path,
        "--header",
        f"Authorization: Bearer {token}",
    )

    assert run.returncode == 0, _summary(run)
    tested, documented = _operations_tested(run)
    assert tested == documented >= 21


def _answer(local_api: LocalApi, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    address = urlsplit(local_api.cloud.base_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


NO_ROUTE = [
    ("TRACE", "/requests"),
    ("QUERY", "/requests/00000000-0000-4000-8000-000000000000"),
    ("GET", "/no-such-path"),
    ("POST", "/openapi.json"),
    ("DELETE", "/staff/requests"),
    ("TRACE", "/staff/requests"),
    ("PUT", "/privacy-request"),
]
NOT_TAKEN = [
    ("GET", "/requests", "POST"),
    ("DELETE", "/requests/00000000-0000-4000-8000-000000000000", "GET"),
    ("PUT", "/requests/00000000-0000-4000-8000-000000000000/verification", "POST"),
    ("OPTIONS", "/requests/00000000-0000-4000-8000-000000000000/appeal", "POST"),
]


def test_a_method_or_path_no_route_declares_is_answered_as_api_gateway_answers_it(
    local_api: LocalApi,
) -> None:
    answers = {(method, path): _answer(local_api, method, path) for method, path in NO_ROUTE}
    head_status, head_headers, head_body = _answer(local_api, "HEAD", "/no-such-path")

    missing_token = (403, "application/json", {"message": "Missing Authentication Token"})
    assert {
        call: (status, headers.get("content-type"), json.loads(body or b"null"))
        for call, (status, headers, body) in answers.items()
    } == dict.fromkeys(answers, missing_token)
    assert (head_status, head_headers["content-type"], head_body) == (403, "application/json", b"")


def test_a_documented_path_answers_a_method_it_does_not_take_with_405_and_what_it_takes(
    local_api: LocalApi,
) -> None:
    for method, path, allowed in NOT_TAKEN:
        status, headers, body = _answer(local_api, method, path)

        assert (status, headers.get("allow")) == (405, allowed), (method, path)
        assert json.loads(body)["message"] == f"This address does not take {method}; it takes {allowed}."
