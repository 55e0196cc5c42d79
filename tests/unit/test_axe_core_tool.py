"""tools/axe_core.py, which brings the browser tests' axe-core from the npm registry: only the
tarball the registry published for the pinned version is unpacked."""

from __future__ import annotations

import importlib.util
import io
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "axe_core.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("axe_core_tool", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tarball(files: dict[str, bytes]) -> bytes:
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w:gz") as archive:
        for name, content in files.items():
            member = tarfile.TarInfo(name)
            member.size = len(content)
            archive.addfile(member, io.BytesIO(content))
    return packed.getvalue()


def test_a_tarball_other_than_the_published_one_is_refused_naming_both_integrities() -> None:
    tool = _tool()
    tampered = _tarball({"package/axe.min.js": b"window.axe = {run: () => Promise.resolve([])};"})

    with pytest.raises(tool.IntegrityError) as refused:
        tool.script_from(tampered)

    assert tool.INTEGRITY in str(refused.value)
    assert tool.integrity_of(tampered) in str(refused.value)


def test_the_published_tarball_gives_its_axe_min_js(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _tool()
    script = b"/*! axe */ window.axe = {};"
    published = _tarball({"package/package.json": b"{}", "package/axe.min.js": script})
    monkeypatch.setattr(tool, "INTEGRITY", tool.integrity_of(published))

    assert tool.script_from(published) == script


def test_the_pinned_integrity_is_a_sha512_in_npm_s_form() -> None:
    tool = _tool()
    assert tool.INTEGRITY.startswith("sha512-")
    assert len(tool.INTEGRITY.removeprefix("sha512-")) == 88  # 64 bytes in base64
    assert tool.VERSION in tool.TARBALL
