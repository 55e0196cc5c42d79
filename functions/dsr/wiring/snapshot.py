"""SnapStart's runtime hooks, for the functions template.yaml publishes with a snapshot.

Lambda initialises such a function when a version is published: it imports the handler, runs
the hooks registered with ``register_before_snapshot`` (in the reverse order of registration),
snapshots the memory, and resumes each new execution environment from that snapshot, running
the ``register_after_restore`` hooks (in order) before the first event. The hooks come from
AWS's ``snapshot_restore_py``, which the Python runtimes include; it is also on PyPI, and a
development dependency here so that tests run the hooks as Lambda does. Without it (a build run
elsewhere) nothing takes a snapshot, and nothing is registered.

Before the snapshot, each function loads what its first event would otherwise load: the modules
its paths import lazily, its configuration files, and the desk's settings and AWS clients; then
it builds every desk model loaded (each is otherwise built on its first use, dsr.core.desk_model). No
AWS call is made, so no connection is open; with SnapStart, Lambda hands the SDK its credentials
through the container credentials provider, which boto3 refreshes when they expire, rather
than as environment variables fixed at initialisation (AWS Lambda developer guide, "Activating
and managing Lambda SnapStart", read 2026-12-06).

After restore, nothing that must be unique is reused (same guide, "Handling uniqueness with
Lambda SnapStart"): ``random`` is seeded afresh from the system (botocore draws its retry jitter
from it; every environment resumed from one snapshot would otherwise draw the same numbers), and
every connection the desk's clients pooled before the snapshot is closed, so none is assumed
alive. The desk's own identifiers, codes and tokens come from ``uuid4`` and ``secrets`` (the
kernel's generator), never from state kept in the process.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Sequence
from types import ModuleType

from aws_lambda_powertools import Logger

from dsr.core.desk_model import DeskModel
from dsr.wiring.desk import close_pooled_connections

logger = Logger(child=True)

Preparation = Callable[[], object]

ALWAYS_LOADED = ("encodings.idna",)
"""Loaded by the first connection any function opens (its host name is encoded with it)."""


def _runtime_hooks() -> ModuleType | None:
    try:
        return importlib.import_module("snapshot_restore_py")
    except ImportError:
        return None


def prepare_snapshot(modules: Sequence[str], *preparations: Preparation) -> bool:
    """Register this function's hooks: before the snapshot, import ``modules`` and run each of
    ``preparations``; after each restore, restore uniqueness. False where no runtime takes
    snapshots (``snapshot_restore_py`` is not installed): nothing is registered then."""
    hooks = _runtime_hooks()
    if hooks is None:
        return False
    hooks.register_before_snapshot(load_before_snapshot, tuple(modules), preparations)
    hooks.register_after_restore(restore_uniqueness)
    return True


def load_before_snapshot(modules: Sequence[str], preparations: Sequence[Preparation] = ()) -> None:
    """What a first event would load, loaded now, so that the snapshot holds it."""
    for name in (*ALWAYS_LOADED, *modules):
        importlib.import_module(name)
    for prepare in preparations:
        prepare()
    built = build_loaded_models()
    logger.info(
        "loaded before the snapshot", modules=len(modules), preparations=len(preparations), models_built=built
    )


def loaded_models() -> list[type[DeskModel]]:
    """Every desk model whose module is loaded (each is built on first use: dsr.core.desk_model)."""
    found: list[type[DeskModel]] = []
    waiting: list[type[DeskModel]] = [DeskModel]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            found.append(subclass)
            waiting.append(subclass)
    return found


def build_loaded_models() -> int:
    """Build every loaded desk model not built yet, so that no first event builds one; how many."""
    unbuilt = [model for model in loaded_models() if not model.__pydantic_complete__]
    for model in unbuilt:
        model.model_rebuild()
    return len(unbuilt)


SAMPLE_SUBMISSION = {
    "request_types": ["access"],
    "subject": {"email": "sample@example.com", "name": "Sample", "phone": "020 7946 0018"},
    "country": "GB",
    "region": "ENG",
    "jurisdiction": "UK",
    "preferred_language": "en",
}
"""Made up (the number is one of Ofcom's reserved for drama): it reaches every check a
submission can meet."""


def check_a_sample_submission() -> None:
    """Validate one submission: pydantic builds the models it defers to first use, and the
    email, country, region and phone checks load their data (email_validator, pycountry,
    phonenumbers), as a channel's first submission would."""
    from dsr.core.models import NewRequest  # noqa: PLC0415 - the channels' model, loaded with them

    NewRequest.model_validate(SAMPLE_SUBMISSION)


def restore_uniqueness() -> None:
    """Run in each environment resumed from the snapshot, before its first event."""
    random.seed()  # from os.urandom: each environment draws its own numbers
    closed = close_pooled_connections()
    logger.info("restored from a snapshot", clients_reconnecting=closed)
