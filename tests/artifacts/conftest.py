"""The built artifacts, made once for the session by `make build` into a temporary folder: about
20 s on 2 cores once the SAM CLI's environment exists (the first `make build` installs it, about a
minute more), most of it pip fetching the arm64 wheels."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambda_build import REPOSITORY


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    built = tmp_path_factory.mktemp("sam-build")
    finished = subprocess.run(
        ["make", "build", f"BUILD_DIR={built}"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    yield built
