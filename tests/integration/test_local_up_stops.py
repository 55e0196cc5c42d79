"""`make run` stopped by `kill` (as by Ctrl-C) stops everything it started, the PostgreSQL server too."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_kill_stops_the_local_cloud_and_its_postgresql_server() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DSR_URL", "DSR_TOKEN"}}
    env["PORT"] = str(_free_port())
    process = subprocess.Popen(
        [str(BIN / "dsr"), "local", "up", "--empty"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    printed = []
    for line in process.stdout:
        printed.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    found = re.search(r"psql -h (\S+) ", "".join(printed))
    assert found, "".join(printed)
    postmaster = Path(found.group(1)) / "postmaster.pid"
    assert postmaster.exists()

    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=60)

    assert process.returncode == 0
    assert "stopped" in rest
    assert not postmaster.exists(), "the PostgreSQL server outlived the local cloud"
