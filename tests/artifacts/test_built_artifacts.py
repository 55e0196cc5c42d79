"""What `sam build` makes is what is deployed: each function its own handler package, one layer
with the domain package and the runtime dependencies, bytecode compiled, one botocore (the
runtime's), and every function under 45 MB unzipped with the layer.

`make build` runs once for the session (tests/artifacts/conftest.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from lambda_build import PYPROJECT_PATH, REPOSITORY, RUNTIME_PROVIDED, distribution_name
from local_cloud.template import load_template

# One worker runs every test here: they share the session's one `make build`.
pytestmark = pytest.mark.xdist_group("built-artifacts")

MAX_UNZIPPED_BYTES = 45_000_000
NOT_DEPLOYED = {"local_cloud", "dsr_cli", "benchmarks", "tests", "lambda_build"}
RUNTIME_PACKAGES = {"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3"}
UNCHECKED_HASH_FLAGS = 0b01  # PEP 552: hash-based, source not checked


def _functions() -> dict[str, str]:
    """Each function's logical id and its handler package."""
    resources = load_template(REPOSITORY / "template.yaml")["Resources"]
    return {
        logical_id: resource["Properties"]["Handler"].split(".", 1)[0]
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def _unzipped_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def test_each_function_holds_its_own_handler_package_only(build_dir: Path) -> None:
    for logical_id, package in _functions().items():
        top_level = {path.name for path in (build_dir / logical_id).iterdir()}
        assert top_level == {package}, f"{logical_id} ships {sorted(top_level)}"
        assert (build_dir / logical_id / package / "app.py").is_file()
    assert (build_dir / "StaffConsoleFunction" / "staff_console" / "static" / "index.html").is_file()


def test_the_built_template_gives_every_function_its_folder_and_the_layer(build_dir: Path) -> None:
    resources = load_template(build_dir / "template.yaml")["Resources"]
    layer = resources["DeskLayer"]["Properties"]
    assert layer["ContentUri"] == "DeskLayer"
    assert layer["CompatibleArchitectures"] == ["arm64"]
    assert layer["CompatibleRuntimes"] == ["python3.12"]
    for logical_id in _functions():
        assert resources[logical_id]["Properties"]["CodeUri"] == logical_id
    globals_function = load_template(build_dir / "template.yaml")["Globals"]["Function"]
    assert globals_function["Layers"] == [{"Ref": "DeskLayer"}]


def test_the_layer_holds_the_domain_package_and_pyprojects_dependencies(build_dir: Path) -> None:
    site = build_dir / "DeskLayer" / "python"
    assert (site / "dsr" / "config").is_dir()
    installed = {
        distribution_name(path.name.split("-", 1)[0]): path.name.removesuffix(".dist-info").split("-")[1]
        for path in site.glob("*.dist-info")
    }
    dependencies = tomllib.loads(PYPROJECT_PATH.read_text(encoding="utf-8"))["project"]["dependencies"]
    for line in dependencies:
        requirement = Requirement(line)
        name = distribution_name(requirement.name)
        if name in RUNTIME_PROVIDED:
            assert name not in installed, f"{name} is the runtime's, yet in the layer"
            continue
        assert name in installed, f"{line} is in pyproject but not in the layer"
        assert requirement.specifier.contains(installed[name]), f"layer has {name} {installed[name]}"


def test_nothing_for_the_local_cloud_the_cli_the_benchmarks_or_the_tests_is_deployed(build_dir: Path) -> None:
    deployed = [path for path in build_dir.iterdir() if path.is_dir() and path.name != ".cache"]
    found = sorted(
        str(path.relative_to(build_dir))
        for artifact in deployed
        for path in artifact.rglob("*")
        if path.is_dir() and path.name in NOT_DEPLOYED and path.parent.name in {artifact.name, "python"}
    )
    assert found == []


def test_one_botocore_the_runtimes(build_dir: Path) -> None:
    """Nothing importable as the AWS SDK or its dependencies: the runtime provides them."""
    import_roots = [
        build_dir / "DeskLayer" / "python",
        *(build_dir / logical_id for logical_id in _functions()),
    ]
    found = sorted(
        str(path.relative_to(build_dir))
        for root in import_roots
        for path in root.iterdir()
        if path.name.split("-", 1)[0].removesuffix(".py") in RUNTIME_PACKAGES
    )
    assert found == []


def test_phone_numbers_without_geodata_carriers_or_time_zones(build_dir: Path) -> None:
    phonenumbers = build_dir / "DeskLayer" / "python" / "phonenumbers"
    assert (phonenumbers / "data").is_dir()
    assert [name for name in ("geodata", "carrierdata", "tzdata") if (phonenumbers / name).exists()] == []


def test_pyyaml_is_deployed_with_libyaml_for_the_lambda_architecture(build_dir: Path) -> None:
    """The policies and the registry are read with libyaml's loader (dsr.core.yaml_text), ten
    times faster than PyYAML's own: the layer must carry it, built for arm64 like the functions."""
    extensions = [path.name for path in (build_dir / "DeskLayer" / "python" / "yaml").glob("_yaml.*.so")]
    assert extensions == ["_yaml.cpython-312-aarch64-linux-gnu.so"]


def test_every_module_has_unchecked_hash_bytecode_for_python312(build_dir: Path) -> None:
    """Beside each source, in __pycache__; the layer's dependencies as bytecode alone (below)."""
    magic = importlib.util.MAGIC_NUMBER
    assert sys.version_info[:2] == (3, 12)
    missing, stale = [], []
    for source in build_dir.rglob("*.py"):
        compiled = source.parent / "__pycache__" / f"{source.stem}.cpython-312.pyc"
        if not compiled.is_file():
            missing.append(str(source.relative_to(build_dir)))
    for compiled in build_dir.rglob("*.pyc"):
        header = compiled.read_bytes()[:8]
        if header[:4] != magic or int.from_bytes(header[4:8], "little") != UNCHECKED_HASH_FLAGS:
            stale.append(str(compiled.relative_to(build_dir)))
    assert missing == []
    assert stale == []


def test_the_layers_dependencies_are_bytecode_alone_and_the_desk_keeps_its_sources(build_dir: Path) -> None:
    """Lambda never reads a dependency's source: each module of theirs is its ``.pyc`` where the
    ``.py`` was, which Python imports without a source. The desk's own modules keep their source,
    for tracebacks that show its lines."""
    site = build_dir / "DeskLayer" / "python"
    sources = [path.relative_to(site) for path in site.rglob("*.py")]
    assert [str(path) for path in sources if path.parts[0] != "dsr"] == []
    assert Path("dsr/core/catalogs.py") in sources
    assert (site / "pydantic" / "main.pyc").is_file()
    assert (site / "typing_extensions.pyc").is_file()
    assert [str(cache) for cache in site.rglob("__pycache__") if not any(cache.iterdir())] == []


def test_what_the_layer_leaves_out_the_desk_never_reads(build_dir: Path) -> None:
    site = build_dir / "DeskLayer" / "python"
    assert not (site / "holidays" / "financial").exists()
    assert not (site / "pycountry" / "databases" / "iso639-3.json").exists()
    assert not (site / "aws_lambda_powertools" / "utilities" / "kafka").exists()
    assert not (site / "asn1crypto" / "cms.py").exists()
    assert not (site / "asn1crypto" / "cms.pyc").exists()
    assert not (site / "pydantic" / "v1").exists()
    assert not (site / "babel" / "messages").exists()
    locale_data = {path.stem for path in (site / "babel" / "locale-data").glob("*.dat")}
    assert locale_data == {"root", "en", "fr", "fr_CA", "de", "es"}
    assert {path.parent.parent.name for path in (site / "dsr" / "locale").glob("*/LC_MESSAGES/desk.mo")} == {
        "en",
        "fr",
        "fr_CA",
        "de",
        "es",
    }
    # The staff's catalog (English only for now) ships beside the subject's; no catalog's source does.
    catalogs = site / "dsr" / "locale"
    assert {path.parent.parent.name for path in catalogs.glob("*/LC_MESSAGES/staff.mo")} == {"en"}
    assert [path.name for path in catalogs.rglob("*") if path.suffix in {".po", ".pot", ".cfg"}] == []
    # pydantic imports pydantic.v1 only for a type with the old __get_validators__ hook: none is
    # shipped (a name a module uses is in its bytecode as it is in its source).
    hooked = [
        str(path.relative_to(site))
        for path in site.rglob("*.py*")
        if path.suffix in {".py", ".pyc"}
        and path.parts[len(site.parts)] != "pydantic"
        and b"__get_validators__" in path.read_bytes()
    ]
    assert hooked == []
    # What the desk reads is there, and works from the layer (both are pure Python).
    check = (
        "import holidays, pycountry; "
        "assert pycountry.subdivisions.get(code='US-CA').name == 'California'; "
        "assert pycountry.countries.get(alpha_2='CH').name == 'Switzerland'; "
        "assert date(2026, 12, 25) in holidays.country_holidays('DE', subdiv='BY'); "
        "assert date(2027, 3, 1) in holidays.country_holidays('KR'); "
        "import pg8000.native, scramp, pymysql.cursors; "
        # The subject's pages in every language, dates as each writes them, from the pruned data.
        "from dsr.core.catalogs import day_in_words, gettext; "
        "assert day_in_words(date(2027, 1, 5), 'de') == '5. Januar 2027'; "
        "assert day_in_words(date(2027, 1, 5), 'fr_CA') == '5 janvier 2027'; "
        "assert day_in_words(date(2027, 1, 5), 'es') == '5 de enero de 2027'; "
        "assert gettext('fr_CA', 'Email address') == 'Adresse courriel'"
    )
    answer = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(site)!r}); from datetime import date; {check}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr


def test_every_function_with_the_layer_is_at_most_45_mb_unzipped(build_dir: Path) -> None:
    layer_bytes = _unzipped_bytes(build_dir / "DeskLayer")
    for logical_id in _functions():
        total = layer_bytes + _unzipped_bytes(build_dir / logical_id)
        assert total <= MAX_UNZIPPED_BYTES, f"{logical_id}: {total / 1e6:.1f} MB with the layer"


LAMBDA_MAX_UNZIPPED_BYTES = 250 * 1024 * 1024  # a function with all its layers, Lambda's own limit


def test_the_data_lake_function_with_both_layers_is_within_lambdas_limit(build_dir: Path) -> None:
    """pyarrow is in a layer of its own, for RunDataLakeTaskFunction alone, trimmed of what the
    Parquet connector never loads; the function with both layers stays under 250 MB unzipped."""
    site = build_dir / "DataLakeLayer" / "python"
    assert (site / "pyarrow" / "parquet").is_dir()
    assert (site / "pyarrow" / "_parquet.cpython-312-aarch64-linux-gnu.so").is_file()
    never_loaded = ["include", "tests", "flight.py", "substrait.py", "dataset.py"]
    assert [name for name in never_loaded if (site / "pyarrow" / name).exists()] == []
    assert list((site / "pyarrow").glob("libarrow_flight.so*")) == []
    total = sum(
        _unzipped_bytes(build_dir / name)
        for name in ("RunDataLakeTaskFunction", "DeskLayer", "DataLakeLayer")
    )
    assert total <= LAMBDA_MAX_UNZIPPED_BYTES, f"{total / 1e6:.1f} MB with both layers"
    # The layer is this function's alone; pyarrow is never in the shared one
    assert not (build_dir / "DeskLayer" / "python" / "pyarrow").exists()
    resources = load_template(build_dir / "template.yaml")["Resources"]
    with_the_lake = [
        logical_id
        for logical_id, resource in resources.items()
        if {"Ref": "DataLakeLayer"} in resource.get("Properties", {}).get("Layers", [])
    ]
    assert with_the_lake == ["RunDataLakeTaskFunction"]
