"""``dsr registry check``: each field a SaaS definition keeps (``find.keep``, ``export[].keep``),
checked against the answer its request gets, as the vendor's API document describes it."""

from __future__ import annotations

from dsr.core.registry import SystemEntry
from dsr.core.saas_definitions import ExportSpec, FindSpec, SaasDefinition
from dsr_cli.registry_check import Problem, _line, _read, definition_path_of
from vendor_apis.answers import kept_field_problems


def kept_problems(definition: SaasDefinition, systems: list[SystemEntry], notes: list[str]) -> list[Problem]:
    """A problem at the line of each kept field the answer does not have; a note (once per tool) in
    ``notes`` for each request whose answer the document does not describe."""
    tool = definition.tool
    path = definition_path_of(tool)
    node, _, _ = _read(path, f"tool {tool}")
    who = f"system {', '.join(s.id for s in systems)} (tool {tool})" if systems else f"tool {tool}"
    reads: list[tuple[str, FindSpec | ExportSpec]] = [
        ("find", definition.find),
        *((f"export.{i}", s) for i, s in enumerate(definition.export)),
    ]
    problems: list[Problem] = []
    noted = False
    for where, spec in reads:
        request = spec.request
        check = kept_field_problems(tool, request.method, request.path, spec.records_at, spec.keep or [])
        if check.note and not noted:
            notes.append(check.note)
            noted = True
        location = tuple(int(p) if p.isdigit() else p for p in where.split("."))
        problems += [
            Problem(path, _line(node, (*location, key, index)), who, f"{where}.{key}: {message}")
            for key, index, message in check.problems
        ]
    return problems
