"""What ``sam build`` puts in each deployed artifact: a function's own handler package, the
layer every function shares (the domain package ``dsr`` and the runtime dependencies), or the
data lake's layer (pyarrow, trimmed, for RunDataLakeTaskFunction alone).

``functions/Makefile`` calls ``python -m lambda_build`` for each resource (``BuildMethod:
makefile``): SAM's python builder copies the whole code folder into every function, cannot leave
out a dependency's dependency and compiles no bytecode. Nothing here is deployed.
"""

from __future__ import annotations

import compileall
import py_compile
import re
import shutil
import subprocess  # nosec B404
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

from dsr.core.languages import SHIPPED_LANGUAGES
from local_cloud.template import load_template

REPOSITORY = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPOSITORY / "functions"
TEMPLATE_PATH = REPOSITORY / "template.yaml"
PYPROJECT_PATH = REPOSITORY / "pyproject.toml"

LAYER_PACKAGES = ("dsr",)
# The Lambda python3.12 runtime provides the AWS SDK and what it depends on. aws-xray-sdk (through
# Powertools' tracer) requires botocore too; a second copy in the layer would be 20 MB more and
# would shadow the runtime's, so these are left out of the layer whoever requires them.
RUNTIME_PROVIDED = frozenset(
    {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
)
# Installed as a dependency's dependency, never imported by the desk: email-validator looks
# addresses up in DNS only when asked to (pydantic's EmailStr checks the syntax alone); cffi parses
# C declarations with pycparser, and PyNaCl's bindings come compiled.
NEVER_IMPORTED = frozenset({"dnspython", "pycparser"})
# Files of the installed distributions that the desk never reads.
NEVER_READ = (
    "pycountry/locales",  # translations of country names: the desk reads codes
    "pycountry/tests",
    # pycountry reads each standard's file when first asked: the desk asks for countries
    # (ISO 3166-1) and their subdivisions (ISO 3166-2) only, not languages, scripts, currencies or
    # former countries (the language file alone is 0.9 MB).
    *(
        f"pycountry/databases/{name}.json"
        for name in ("iso639-3", "iso639-5", "iso15924", "iso4217", "iso3166-3")
    ),
    "holidays/locale",  # translations of holiday names: the desk counts days (names fall back)
    "holidays/financial",  # stock exchanges' trading days: loaded only when one is asked for by name
    "bin",  # the distributions' command-line scripts
    # Powertools' utilities no function imports, on any path (tests/artifacts checks the rest load).
    *(
        f"aws_lambda_powertools/utilities/{name}"
        for name in (
            "auth_alpha",
            "circuit_breaker",
            "data_masking",
            "feature_flags",
            "kafka",
            "parameters",
            "streaming",
            "validation",
        )
    ),
    # pydantic 1's API, kept in pydantic 2 for migrations: pydantic imports it only for a type that
    # declares the old __get_validators__ hook, which nothing in the layer does (tests/artifacts).
    "pydantic/v1",
    "pydantic/experimental",  # pipelines and arguments schemas, imported only by name
    "wrapt-stubs",  # type stubs, read by type checkers only
    # asn1crypto's formats beyond the certificates scramp (pg8000's SCRAM authentication) reads.
    *(f"asn1crypto/{name}.py" for name in ("cms", "crl", "csr", "ocsp", "pdf", "pkcs12", "tsp", "_inet")),
    # Babel's catalog tooling (pybabel: extract, update, compile), which `make messages` runs; the
    # functions read the compiled catalogs with gettext, through babel.support.
    "babel/messages",
    # Jinja2's sandbox, native-types environment and template analysis: the pages use none.
    *(f"jinja2/{name}.py" for name in ("sandbox", "nativetypes", "meta")),
    # cffi's own package builds bindings from C declarations; the compiled bindings (PyNaCl's)
    # import only its _cffi_backend extension module, which stays.
    "cffi",
)
# The same, by pattern: files no import reads, and the parts of a library no function reaches.
NEVER_READ_PATTERNS = (
    "**/*.pyi",  # type stubs, read by type checkers only
    "**/*.c",  # C sources, and headers, shipped beside compiled modules
    "**/*.h",
    # Short numbers (emergency and service numbers), one module per region loaded when a short
    # number is checked there: the desk checks subscribers' numbers only.
    "phonenumbers/shortdata/region_*.py",
    # MarkupSafe's optional speedup: without it, it escapes in pure Python, as fast for a page.
    "markupsafe/_speedups.*.so",
    # X-Ray's integrations with other libraries: the tracer patches botocore and httplib only
    # (dsr.core.tracing; tests/unit/test_function_imports.py holds it so).
    *(
        f"aws_xray_sdk/ext/{name}"
        for name in (
            "aiobotocore",
            "aiohttp",
            "bottle",
            "django",
            "flask",
            "flask_sqlalchemy",
            "httpx",
            "mysql",
            "pg8000",
            "psycopg",
            "psycopg2",
            "pymongo",
            "pymysql",
            "pynamodb",
            "requests",
            "sqlalchemy",
            "sqlalchemy_core",
            "sqlite3",
        )
    ),
)
BABEL_LOCALE_DATA = "babel/locale-data"
"""Babel's CLDR data, one file per locale (35 MB for about 1,100 of them)."""


def locale_data_kept(languages: Sequence[str] = SHIPPED_LANGUAGES) -> frozenset[str]:
    """The CLDR locales a shipped language reads: itself, each locale it inherits from by
    dropping its last part (``fr_CA``, then ``fr``), and ``root``, which every locale inherits."""
    kept = {"root"}
    for language in languages:
        parts = language.split("_")
        kept.update("_".join(parts[:length]) for length in range(1, len(parts) + 1))
    return frozenset(kept)


def remove_other_locale_data(site: Path, kept: frozenset[str] | None = None) -> None:
    """Leave in Babel's locale data only the locales the desk's languages read."""
    kept = locale_data_kept() if kept is None else kept
    for path in (site / BABEL_LOCALE_DATA).glob("*.dat"):
        if path.stem not in kept:
            path.unlink()


# pyproject's optional dependencies that make the data lake's layer (pyarrow: too large to share).
DATA_LAKE_EXTRA = "data-lake"
# What the Parquet connector never loads: Flight, Substrait, datasets, Acero, ORC, the remote
# file systems, CUDA and the JVM bridge (their Python modules: pyarrow.lib links the C++
# libraries of Substrait, datasets and Acero, so those stay), C++ headers, Cython sources, the
# tests, and the two copies of libarrow_python the wheel carries besides the one it loads.
DATA_LAKE_NEVER_LOADED = (
    "pyarrow/include",
    "pyarrow/includes",
    "pyarrow/src",
    "pyarrow/tests",
    "pyarrow/**/*.pyx",
    "pyarrow/**/*.pxd",
    "pyarrow/**/*.pxi",
    "pyarrow/libarrow_flight.so*",
    "pyarrow/libarrow_python_flight.so*",
    "pyarrow/_flight.*",
    "pyarrow/flight.py",
    "pyarrow/_substrait.*",
    "pyarrow/substrait.py",
    "pyarrow/_dataset*",
    "pyarrow/dataset.py",
    "pyarrow/_acero.*",
    "pyarrow/acero.py",
    "pyarrow/_orc.*",
    "pyarrow/orc.py",
    "pyarrow/_s3fs.*",
    "pyarrow/_gcsfs.*",
    "pyarrow/_hdfs.*",
    "pyarrow/_azurefs.*",
    "pyarrow/_cuda.*",
    "pyarrow/cuda.py",
    "pyarrow/jvm.py",
    "pyarrow/_pyarrow_cpp_tests.*",
    "pyarrow/benchmark.py",
    "pyarrow/libarrow_python.so",
    "pyarrow/libarrow_python.so.*.*.*",
    "pyarrow/libarrow_python_parquet_encryption.so",
    "pyarrow/libarrow_python_parquet_encryption.so.*.*.*",
    "bin",
)
# Shared objects lose their symbol tables and debug information (8 MB), as a release build would.
STRIP_TOOLS = ("llvm-strip", "aarch64-linux-gnu-strip")
# Lambda's arm64 python3.12: wheels only, never built here for this machine.
TARGET_PLATFORM = (
    "--platform",
    "manylinux2014_aarch64",
    "--implementation",
    "cp",
    "--python-version",
    "3.12",
)
FUNCTION_ROOT = "/var/task"
LAYER_ROOT = "/opt/python"
NOT_SHIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")
# The catalogs' sources and the extraction's settings: the functions read the compiled catalogs.
CATALOG_SOURCES = ("*.po", "*.pot", "babel.cfg", "staff.cfg")


def distribution_name(requirement: str) -> str:
    """The normalized distribution name a requirement line names: ``pydantic[email]>=2`` -> ``pydantic``."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def layer_requirements(pyproject_path: Path = PYPROJECT_PATH) -> list[str]:
    """pyproject's ``[project] dependencies``, less what the runtime provides: read at build time,
    so the layer cannot drift from what the tests run with."""
    dependencies = tomllib.loads(pyproject_path.read_text(encoding="utf-8"))["project"]["dependencies"]
    return [line for line in dependencies if distribution_name(line) not in RUNTIME_PROVIDED]


def handler_package(logical_id: str, template_path: Path = TEMPLATE_PATH) -> str:
    """The package of a function's handler, as template.yaml names it: ``intake_api.app.lambda_handler``
    -> ``intake_api``."""
    resource = load_template(template_path).get("Resources", {}).get(logical_id)
    if resource is None or resource.get("Type") != "AWS::Serverless::Function":
        raise ValueError(f"{logical_id} is not a function in {template_path.name}")
    handler: str = resource["Properties"]["Handler"]
    return handler.split(".", 1)[0]


def compile_bytecode(root: Path, deployed_at: str) -> None:
    """Every module compiled once, here: Lambda's code folders are read-only, so a module without
    bytecode is compiled again on every cold start. Unchecked-hash ``.pyc`` files are used without
    looking at the source's timestamp (which a zip does not keep); tracebacks name the deployed path."""
    compiled = compileall.compile_dir(
        root,
        quiet=1,
        stripdir=str(root),
        prependdir=deployed_at,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        workers=0,
    )
    if not compiled:
        raise RuntimeError(f"some modules under {root} do not compile")


def sourceless_dependencies(site: Path, with_sources: Sequence[str] = LAYER_PACKAGES) -> None:
    """Each dependency's module as its bytecode alone, where its source was (``x.pyc`` beside no
    ``x.py``, which Python imports as it is, and reads no source for): the dependencies' sources,
    about 10 MB of the layer, are never read in Lambda. The desk's own packages keep theirs, so
    that a traceback through the desk's code shows its lines."""
    cache_tag = sys.implementation.cache_tag
    for source in sorted(site.rglob("*.py")):
        if source.relative_to(site).parts[0] in with_sources:
            continue
        compiled = source.parent / "__pycache__" / f"{source.stem}.{cache_tag}.pyc"
        compiled.replace(source.with_suffix(".pyc"))
        source.unlink()
    for cache in sorted(site.rglob("__pycache__"), reverse=True):
        if cache.relative_to(site).parts[0] not in with_sources and not any(cache.iterdir()):
            cache.rmdir()


def build_function(logical_id: str, artifacts_dir: Path) -> None:
    """The function's own handler package (with its files, e.g. the console's page), nothing else."""
    package = handler_package(logical_id)
    shutil.copytree(FUNCTIONS_DIR / package, artifacts_dir / package, ignore=NOT_SHIPPED, dirs_exist_ok=True)
    compile_bytecode(artifacts_dir, FUNCTION_ROOT)


def _distribution_files(site: Path, name: str) -> list[Path]:
    """The files one installed distribution put under ``site``, as its RECORD lists them."""
    for dist_info in site.glob("*.dist-info"):
        if distribution_name(dist_info.name.split("-", 1)[0]) == name:
            record = (dist_info / "RECORD").read_text(encoding="utf-8")
            return [site / line.split(",", 1)[0] for line in record.splitlines() if line.strip()]
    return []


def remove_unused(site: Path) -> None:
    """Take out what the runtime provides, whichever dependency pulled it in, and what is never
    imported or read."""
    for name in RUNTIME_PROVIDED | NEVER_IMPORTED:
        for path in _distribution_files(site, name):
            path.unlink(missing_ok=True)
    for directory in sorted(site.rglob("*"), reverse=True):  # deepest first, emptied ones go
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    for relative in NEVER_READ:
        path = site / relative
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    for pattern in NEVER_READ_PATTERNS:
        for path in sorted(site.glob(pattern), reverse=True):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def slim_distribution_metadata(site: Path) -> None:
    """Each installed distribution's metadata as the functions read it: ``importlib.metadata``
    reads a version (pg8000, holidays, pycountry do at import) from METADATA's headers, never
    the long description after them, nor RECORD, the file list pip uninstalls by. Licenses stay."""
    for dist_info in site.glob("*.dist-info"):
        (dist_info / "RECORD").unlink(missing_ok=True)
        metadata = dist_info / "METADATA"
        if metadata.exists():
            headers, _, _ = metadata.read_text(encoding="utf-8").partition("\n\n")
            metadata.write_text(headers + "\n", encoding="utf-8")


def strip_shared_objects(site: Path) -> None:
    """Strip the wheels' aarch64 shared objects with a strip that reads ELF for that machine."""
    tool = next((found for name in STRIP_TOOLS if (found := shutil.which(name))), None)
    if tool is None:
        raise RuntimeError(f"building the layer needs one of {', '.join(STRIP_TOOLS)} (Debian: llvm)")
    shared_objects = sorted(str(path) for path in site.rglob("*.so"))
    subprocess.run([tool, "--strip-unneeded", *shared_objects], check=True)  # noqa: S603  # nosec B603


def install_into(folder: Path, requirements: Sequence[str], *options: str) -> None:
    """pip, run by this interpreter, installs the requirements into ``folder``, uncompiled
    (the bytecode is compiled afterwards, for the path the folder will have in Lambda)."""
    subprocess.run(  # noqa: S603  # nosec B603 - this interpreter's pip, the project's own requirements
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "--no-warn-conflicts",  # with --target, pip compares with the running environment's
            "--upgrade",
            "--target",
            str(folder),
            *options,
            *requirements,
        ],
        check=True,
    )


def build_layer(
    artifacts_dir: Path, platform: Sequence[str] = TARGET_PLATFORM, *, dependency_sources: bool = False
) -> None:
    """``python/``: the runtime dependencies as Lambda's arm64 python3.12 wheels, and ``dsr``.
    With ``platform=()``, the same for this machine, where arm64's compiled modules cannot load
    (the cold-start benchmark imports from it, with ``dependency_sources`` kept beside their
    bytecode, to measure too what compiling them at a cold start would cost)."""
    site = artifacts_dir / "python"
    site.mkdir(parents=True, exist_ok=True)
    install_into(site, layer_requirements(), *platform, "--only-binary=:all:")
    remove_unused(site)
    remove_other_locale_data(site)
    slim_distribution_metadata(site)
    strip_shared_objects(site)
    for package in LAYER_PACKAGES:
        not_shipped = shutil.ignore_patterns("__pycache__", "*.pyc", *CATALOG_SOURCES)
        shutil.copytree(FUNCTIONS_DIR / package, site / package, ignore=not_shipped, dirs_exist_ok=True)
    compile_bytecode(site, LAYER_ROOT)
    if not dependency_sources:
        sourceless_dependencies(site)


def data_lake_requirements(pyproject_path: Path = PYPROJECT_PATH) -> list[str]:
    """pyproject's ``[project.optional-dependencies] data-lake``."""
    extras = tomllib.loads(pyproject_path.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    requirements: list[str] = extras[DATA_LAKE_EXTRA]
    return requirements


def trim_data_lake(site: Path) -> None:
    """Take out of the installed pyarrow what the Parquet connector never loads."""
    for pattern in DATA_LAKE_NEVER_LOADED:
        for path in sorted(site.glob(pattern), reverse=True):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()


def build_data_lake_layer(artifacts_dir: Path, platform: Sequence[str] = TARGET_PLATFORM) -> None:
    """``python/``: pyarrow as Lambda's arm64 python3.12 wheel, trimmed and stripped, compiled.
    With ``platform=()``, the same for this machine (the cold-start benchmark imports from it)."""
    site = artifacts_dir / "python"
    site.mkdir(parents=True, exist_ok=True)
    install_into(site, data_lake_requirements(), *platform, "--only-binary=:all:")
    trim_data_lake(site)
    strip_shared_objects(site)
    compile_bytecode(site, LAYER_ROOT)
