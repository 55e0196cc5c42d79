"""axe-core, the accessibility engine the browser tests load into each page, from the npm registry
without Node: the pinned release's tarball, checked against the registry's published integrity
(sha512), and its ``package/axe.min.js`` kept under ``.cache/`` (outside git), fetched once.

``python tools/axe_core.py`` fetches it if missing and prints the path of ``axe.min.js``;
``make dev`` and the browser tests' conftest run it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

# The release and its integrity, as https://registry.npmjs.org/axe-core/<VERSION> publishes them
# (``dist.integrity``). Changing the version means changing the integrity beside it.
VERSION = "4.14.1"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
MEMBER = "package/axe.min.js"
CACHE = Path(__file__).resolve().parents[1] / ".cache" / f"axe-core-{VERSION}"
SCRIPT = CACHE / "axe.min.js"
TIMEOUT_SECONDS = 60


class IntegrityError(RuntimeError):
    """The downloaded tarball is not the one the registry published for the pinned version."""


def integrity_of(tarball: bytes) -> str:
    """The npm ``dist.integrity`` form of a tarball: ``sha512-`` and the base64 digest."""
    return "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()


def script_from(tarball: bytes) -> bytes:
    """``axe.min.js`` out of the release's tarball, once its integrity matches the pinned one."""
    found = integrity_of(tarball)
    if found != INTEGRITY:
        raise IntegrityError(f"{TARBALL} has integrity {found}, not the pinned {INTEGRITY}")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise IntegrityError(f"{TARBALL} holds no {MEMBER}")
        return member.read()


def axe_script() -> Path:
    """The path of the pinned ``axe.min.js``, downloaded and checked the first time."""
    if SCRIPT.is_file():
        return SCRIPT
    if not TARBALL.startswith("https://"):
        raise ValueError(f"axe-core is fetched over HTTPS only, not from {TARBALL}")
    with urllib.request.urlopen(TARBALL, timeout=TIMEOUT_SECONDS) as answer:  # nosec B310: https, pinned
        script = script_from(answer.read())
    CACHE.mkdir(parents=True, exist_ok=True)
    # Written beside its place and renamed into it: test processes fetching at once never read half.
    handle, partial = tempfile.mkstemp(dir=CACHE, suffix=".partial")
    with os.fdopen(handle, "wb") as written:
        written.write(script)
    Path(partial).replace(SCRIPT)
    return SCRIPT


if __name__ == "__main__":
    sys.stdout.write(f"{axe_script()}\n")
