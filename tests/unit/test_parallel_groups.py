"""make test runs the suite on every core; tests that share a costly fixture (the built artifacts,
a module's one local cloud) carry an xdist_group mark, and one worker runs all of a group's tests,
so the fixture is made once."""

from __future__ import annotations

import os
import re
import subprocess  # nosec B404
import sys
from pathlib import Path

SHARED_AND_ALONE = """
import pytest

@pytest.mark.xdist_group("shared")
@pytest.mark.parametrize("number", range(6))
def test_sharing(number):
    pass

@pytest.mark.parametrize("number", range(6))
def test_alone(number):
    pass
"""


def test_one_worker_runs_every_test_of_a_group(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(SHARED_AND_ALONE)

    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "xdist", "-n", "2", "--dist", "loadgroup", "-v"],
        cwd=tmp_path,
        # xdist alone: the workers start sooner without the other plugins installed here.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    ran = re.findall(r"\[(gw\d)\] .*PASSED \S*::(test_\w+)", finished.stdout)
    sharing_workers = [worker for worker, test in ran if test == "test_sharing"]
    assert len(ran) == 12, finished.stdout
    assert len(sharing_workers) == 6 and len(set(sharing_workers)) == 1, finished.stdout
