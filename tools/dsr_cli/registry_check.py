"""``dsr registry check``: the system registry and every SaaS definition, checked before a request
meets them. Each file is validated with the desk's own models, and every request a definition can
make (placeholders filled with samples, each system's values put where the definition says) is
checked against the vendor's published API document when ``tests/vendor_apis/<tool>/`` has one.
A ``postgresql`` system is checked against its database when ``--database SYSTEM=URL`` gives it
(``make run`` prints the local cloud's) or its ``secret_arn_env`` holds its secret's ARN.
Each problem is printed as ``FILE:LINE: system or tool: problem``; the exit status is 1 if any.
Each text a subject reads (``dsr.core.registry_text.subject_texts``) that a shipped language would read in
English, for want of its translation, is a warning, ``FILE:LINE: system: warning: ...``: printed,
but the registry is still usable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, unquote, urlsplit

import yaml
from pydantic import ValidationError

from dsr.connectors.saas import SaasConnector
from dsr.connectors.saas_requests import (
    SAMPLE_VALUES,
    ConcreteRequest,
    filled,
    identity_values,
    with_query,
)
from dsr.core.registry import SystemEntry, SystemRegistry
from dsr.core.registry_stores import SaasStore, SqlStore
from dsr.core.registry_text import subject_texts
from dsr.core.saas_definitions import Pagination, SaasDefinition, definitions_dir
from dsr.core.settings import DeskSettings
from vendor_apis import has_document, request_problems

DEFINITION_FORMAT = "functions/dsr/core/saas_definitions.py"
REGISTRY_FORMAT = "functions/dsr/core/registry.py"


class Problem:
    def __init__(self, path: Path, line: int, who: str, message: str) -> None:
        self.path, self.line, self.who, self.message = path, line, who, message

    def __str__(self) -> str:
        return f"{_shown(self.path)}:{self.line}: {self.who}: {self.message}"


class DatabaseUrlError(ValueError):
    """A ``--database`` argument that is not ``SYSTEM=postgresql://...``: the message says why."""


def check_registry(
    registry_path: Path | None,
    definitions: Path | None,
    out: TextIO,
    databases: Mapping[str, str] | None = None,
) -> int:
    if definitions is not None:
        os.environ["SAAS_DEFINITIONS_DIR"] = str(definitions)
    registry_path = registry_path or Path(DeskSettings.model_fields["system_registry_path"].default)
    problems: list[Problem] = []
    loaded: dict[str, SaasDefinition] = {}
    for path in sorted(definitions_dir().glob("*.yaml")):
        definition, found = _definition_problems(path)
        problems += found
        if definition is not None:
            loaded[path.stem] = definition
    registry, found = _registry_problems(registry_path)
    problems += found
    for warning in _untranslated(registry, registry_path):
        print(warning, file=out)
    from dsr_cli.kept_fields import kept_problems  # noqa: PLC0415 - it builds on this module

    checked = 0
    answer_notes: list[str] = []
    for tool, definition in loaded.items():
        if not has_document(tool):
            continue
        systems = [s for s in registry.systems if isinstance(s.store, SaasStore) and s.store.tool == tool]
        found, count = _request_problems(definition_path_of(tool), definition, systems, registry_path)
        problems += found + kept_problems(definition, systems, answer_notes)
        checked += count
    database_problems, notes = _database_problems(registry, registry_path, databases or {})
    problems += database_problems
    notes = answer_notes + notes
    for problem in problems:
        print(problem, file=out)
    if problems:
        return 1
    tools = ", ".join(f"{t}{'' if has_document(t) else ' (no API document)'}" for t in loaded)
    systems_count = len(registry.systems) if registry else 0
    print(f"{_shown(registry_path)}: {systems_count} systems; SaaS definitions: {tools or 'none'}", file=out)
    print(
        f"{checked} requests, and the fields kept from their answers, checked against the vendors' "
        "API documents: no problems",
        file=out,
    )
    for note in notes:
        print(note, file=out)
    return 0


def definition_path_of(tool: str) -> Path:
    return definitions_dir() / f"{tool}.yaml"


# ------------------------------------------------------------------------------ the files


def _definition_problems(path: Path) -> tuple[SaasDefinition | None, list[Problem]]:
    who = f"tool {path.stem}"
    node, document, problem = _read(path, who)
    if problem is not None:
        return None, [problem]
    try:
        definition = SaasDefinition.model_validate(document)
    except ValidationError as error:
        return None, [
            Problem(path, _line(node, issue["loc"]), who, _message(issue, DEFINITION_FORMAT))
            for issue in error.errors()
        ]
    if definition.tool != path.stem:
        return None, [
            Problem(path, _line(node, ("tool",)), who, f"tool must be the file's name, {path.stem}")
        ]
    return definition, []


def _registry_problems(path: Path) -> tuple[SystemRegistry, list[Problem]]:
    node, document, problem = _read(path, "registry")
    empty = SystemRegistry.model_construct(systems=[])
    if problem is not None:
        return empty, [problem]
    try:
        return SystemRegistry.model_validate(document), []
    except ValidationError as error:
        problems = []
        for issue in error.errors():
            location = issue["loc"]
            who = "registry"
            if len(location) >= 2 and location[0] == "systems" and isinstance(location[1], int):
                try:
                    who = f"system {document['systems'][location[1]]['id']}"
                except (KeyError, IndexError, TypeError):
                    who = f"systems.{location[1]}"
            problems.append(Problem(path, _line(node, location), who, _message(issue, REGISTRY_FORMAT)))
        return empty, problems


def _untranslated(registry: SystemRegistry, path: Path) -> list[Problem]:
    """A warning for each text a subject reads that some shipped language has no words for."""
    node = None
    if registry.systems:
        node, _, _ = _read(path, "registry")
    warnings = []
    for index, system in enumerate(registry.systems):
        for where, text in subject_texts(system):
            missing = text.falls_back_to_english()
            if missing:
                location = ("systems", index, *(int(p) if p.isdigit() else p for p in where.split(".")))
                warnings.append(
                    Problem(
                        path,
                        _line(node, location),
                        f"system {system.id}",
                        f"warning: {where} has no {', '.join(missing)} text: subjects reading "
                        f"{'it' if len(missing) == 1 else 'them'} are shown the English "
                        "(give {en: ..., fr: ..., de: ...}; fr_CA falls back to fr)",
                    )
                )
    return warnings


def _read(path: Path, who: str) -> tuple[Any, Any, Problem | None]:
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except OSError as error:
        return None, None, Problem(path, 0, who, f"cannot be read: {error.strerror}")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return None, None, Problem(path, (mark.line + 1) if mark else 0, who, f"not valid YAML: {error}")
    return node, document, None


# ------------------------------------------------------------------------------ the databases


def database_urls(arguments: list[str]) -> dict[str, str]:
    """``--database SYSTEM=URL`` arguments, by system id."""
    urls: dict[str, str] = {}
    for argument in arguments:
        system, separator, url = argument.partition("=")
        if not separator or not system or not url.startswith(("postgresql://", "postgres://", "mysql://")):
            raise DatabaseUrlError(
                f"--database {argument}: give SYSTEM=postgresql://USER@HOST:PORT/DBNAME "
                "(or mysql://...; make run prints the local cloud's)"
            )
        urls[system] = url
    return urls


def secret_from_url(url: str) -> dict[str, Any]:
    """A database URL (``postgresql://user:password@host:port/dbname``, ``mysql://...``, a Unix
    socket's directory as ``?host=/dir``) in the shape of the database's secret."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return {
        "host": query.get("host", [unquote(parts.hostname or "")])[0],
        "port": parts.port or query.get("port", [None])[0],  # else the connector's default
        "username": unquote(parts.username or query.get("user", [""])[0]),
        "password": unquote(parts.password or ""),
        "dbname": unquote(parts.path.removeprefix("/")),
        "sslrootcert": query.get("sslrootcert", [None])[0],
    }


def _database_problems(
    registry: SystemRegistry, registry_path: Path, urls: Mapping[str, str]
) -> tuple[list[Problem], list[str]]:
    """Each database system's (postgresql, mysql) tables, columns and indexes, checked against its
    database's catalog when ``urls`` gives its address, or the variable its secret_arn_env names holds the
    secret's ARN (Secrets Manager as boto3 finds it); a note for each one it does not."""
    from dsr.connectors.postgresql_connection import connector_of, parse_secret  # noqa: PLC0415
    from dsr.connectors.sql_database import database_problems  # noqa: PLC0415 - only with a database

    node, _, _ = _read(registry_path, "registry")
    problems: list[Problem] = []
    notes: list[str] = []
    for system_id in sorted(set(urls) - {s.id for s in registry.systems if isinstance(s.store, SqlStore)}):
        problems.append(
            Problem(
                registry_path,
                0,
                f"system {system_id}",
                "--database names no database system of the registry",
            )
        )
    for index, system in enumerate(registry.systems):
        store = system.store
        if not isinstance(store, SqlStore):
            continue
        who, line = f"system {system.id}", _line(node, ("systems", index, "store"))
        secret_arn = os.environ.get(store.secret_arn_env, "")
        if system.id not in urls and not secret_arn:
            notes.append(
                f"{who}: not checked against its database: give --database {system.id}={store.kind}://"
                f"USER@HOST:PORT/DBNAME (make run prints the local cloud's), or set {store.secret_arn_env} "
                "to its secret's ARN"
            )
            continue
        try:
            if system.id in urls:
                session = connector_of(store.kind)(secret_from_url(urls[system.id]))
            else:
                import boto3  # noqa: PLC0415

                text = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
                session = connector_of(store.kind)(parse_secret(secret_arn, text))
        except Exception as error:
            problems.append(Problem(registry_path, line, who, f"its database cannot be reached: {error}"))
            continue
        try:
            found = database_problems(system, session)
        finally:
            session.close()
        if not found:
            notes.append(f"{who}: its {len(store.tables)} tables checked against its database: no problems")
        for problem in found:
            message = _with_database_next_step(problem.removeprefix(f"{who}: "))
            problems.append(Problem(registry_path, _table_line(node, index, message) or line, who, message))
    return problems, notes


def _table_line(node: Any, index: int, message: str) -> int:
    """The line of the registry field a database problem names, as ``(tables[1].export[2])``."""
    found = re.search(r"\((tables\[\d+\][\w.\[\]]*)\)", message)
    if found is None:
        return 0
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[A-Za-z_]+|\d+", found.group(1))]
    return _line(node, ("systems", index, "store", *parts))


def _with_database_next_step(message: str) -> str:
    if " has no column " in message or " has no table " in message:
        return f"{message}; correct the name in the registry, or take it out if the database no longer has it"
    return message


def _with_next_step(tool: str, problem: str) -> str:
    """A problem with a request, and where to read what the vendor's API takes."""
    if "create one" in problem:
        return problem
    return f"{problem}; correct it to what tests/vendor_apis/{tool}/openapi.json documents"


# ------------------------------------------------------------------------------ the requests


def _request_problems(
    path: Path, definition: SaasDefinition, systems: list[SystemEntry], registry_path: Path
) -> tuple[list[Problem], int]:
    """Each request as declared (no action values), then as each system sends it."""
    tool = definition.tool
    node, _, _ = _read(path, f"tool {tool}")
    registry_node, registry_document, _ = _read(registry_path, "registry")
    values = {**identity_values(SAMPLE_VALUES["email"]), "id": SAMPLE_VALUES["id"]}
    values |= {name: f"sample-{name}" for name in [*definition.settings, *definition.find.record_values]}
    values["item_id"] = SAMPLE_VALUES["id"]  # a for_each step's record of an export
    problems: list[Problem] = []
    checked = 0
    pagination = {"find.request": definition.find.pagination}
    pagination |= {f"export.{i}.request": spec.pagination for i, spec in enumerate(definition.export)}
    for where, request in definition.requests():
        plain = _checked(tool, filled(request, values))
        checked += 1
        # the line of the request's path: a request is known by it
        line = _line(node, (*(int(p) if p.isdigit() else p for p in where.split(".")), "path"))
        problems += [
            Problem(path, line, f"tool {tool}", f"{where}: {_with_next_step(tool, p)}") for p in plain
        ]
        if where in pagination and pagination[where].style not in ("none", "next_url"):
            checked += 1
            following = _checked(tool, _next_page(filled(request, values), pagination[where]))
            line = _line(node, (*(int(p) if p.isdigit() else p for p in where.split(".")[:-1]), "pagination"))
            problems += [
                Problem(path, line, f"tool {tool}", f"{where} (its next page): {_with_next_step(tool, p)}")
                for p in following
                if p not in plain
            ]
        action = where.split(".")[1] if where.startswith("actions.") else None
        if action is None or request.values_at is None:
            continue
        for system in systems:
            for action_values in _action_values(system, action):
                checked += 1
                own = [p for p in _checked(tool, filled(request, values, action_values)) if p not in plain]
                index = next(
                    i for i, s in enumerate(registry_document["systems"]) if s.get("id") == system.id
                )
                location = ("systems", index, "actions", action)
                who = f"system {system.id} (tool {tool})"
                problems += [
                    Problem(registry_path, _line(registry_node, location), who, _with_next_step(tool, p))
                    for p in own
                ]
    return problems, checked


def _next_page(request: ConcreteRequest, pagination: Pagination) -> ConcreteRequest:
    """The request for a page after the first, as the connector sends it (a sample cursor)."""
    if pagination.style == "offset":
        request = with_query(request, str(pagination.count_param), str(pagination.page_size))
        return with_query(request, str(pagination.param), str(pagination.page_size))
    return SaasConnector.with_cursor(request, pagination, "sample-cursor")


def _action_values(system: SystemEntry, action: str) -> Iterator[dict[str, Any]]:
    """What the system sends at values_at for the action: its flags, its correctable attributes
    (with a sample value), or the replacements of an anonymization."""
    actions = system.actions
    if action == "rectify" and actions.rectify is not None:
        yield {attribute: f"sample-{name}" for name, attribute in actions.rectify.fields.items()}
    elif action == "erase":
        if actions.erase is not None and actions.erase.fields:
            yield dict(actions.erase.fields)
        for exemption in system.exemptions:
            if exemption.instead is not None:
                yield dict(exemption.instead.fields)
    else:
        spec = getattr(actions, "object_" if action == "object" else action, None)
        if spec is not None:
            yield dict(spec.set_fields)


def _checked(tool: str, request: ConcreteRequest) -> list[str]:
    return request_problems(
        tool, request.method, request.path, request.query, request.encoded_body(), request.content_type
    )


# ------------------------------------------------------------------------------ marks


def _line(node: Any, location: tuple[Any, ...]) -> int:
    """The line (from 1) of the deepest key or item ``location`` reaches; parts that name no node
    (a union's tag in pydantic's locations) are passed over."""
    line = node.start_mark.line + 1 if node is not None else 0
    for part in location:
        found = _child(node, part)
        if found is None:
            continue
        at, node = found
        line = at.start_mark.line + 1
    return line


def _child(node: Any, part: Any) -> tuple[Any, Any] | None:
    """The key (or item) and the value ``part`` names in ``node``."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return key, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part], node.value[part]
    return None


def _message(issue: Any, format_source: str) -> str:
    location = ".".join(str(part) for part in issue["loc"])
    if issue["type"] == "extra_forbidden":
        return f"{location}: not a key this format has: correct its spelling (the format: {format_source})"
    return f"{location}: {str(issue['msg']).removeprefix('Value error, ')}"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
