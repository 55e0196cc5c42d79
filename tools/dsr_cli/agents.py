"""``dsr staff agents``: the Data Rights Protocol agents the desk knows (privacy-admin)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from dsr.core.display_text import visible_text
from dsr_cli.command import CommandError, add_desk_options, print_json, refusal
from dsr_cli.http_client import DeskClient


def add_agent_commands(work: Any) -> None:
    agents = work.add_parser("agents", help="the Data Rights Protocol agents the desk knows (admin)")
    add_desk_options(agents, top=False)
    actions = agents.add_subparsers(dest="agents_command", required=True)
    listing = actions.add_parser("list", help="every agent, with its status")
    add_desk_options(listing, top=False)
    add = actions.add_parser("add", help="add agents from a file of service directory entries (JSON)")
    add_desk_options(add, top=False)
    add.add_argument("file", type=Path, help="one entry (an object) or several (a list)")
    for name, help_text in (
        ("suspend", "refuse the agent's token and key set-up until it is resumed"),
        ("resume", "accept the agent again"),
    ):
        change = actions.add_parser(name, help=help_text)
        add_desk_options(change, top=False)
        change.add_argument(
            "agent_id", help="the agent's id in the service directory (CAPITALS_AND_UNDERSCORES)"
        )


def run_agent_command(client: DeskClient, args: argparse.Namespace, out: TextIO) -> int:
    command = args.agents_command
    if command == "list":
        answer = client.get("/staff/agents")
    elif command == "add":
        try:
            entries = json.loads(args.file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as problem:
            raise CommandError(
                f"{args.file}: not a readable JSON file of agent entries ({problem})"
            ) from problem
        answer = client.post("/staff/agents", entries if isinstance(entries, list) else [entries])
    else:
        status = "suspended" if command == "suspend" else "active"
        answer = client.post(f"/staff/agents/{args.agent_id}/status", {"status": status})
    if answer.status >= 400:
        raise CommandError(f"refused: {refusal(answer)}")
    if args.json:
        print_json(answer.body, out)
        return 0
    agents: list[dict[str, Any]] = answer.body if isinstance(answer.body, list) else [answer.body]
    print(visible_text(_table(agents)), file=out)
    return 0


def _table(agents: list[dict[str, Any]]) -> str:
    if not agents:
        return "No agents."
    rows = [f"{'ID':<24} {'STATUS':<10} {'NAME':<30} WEB"]
    rows += [f"{a['id']:<24} {a['status']:<10} {a['name'][:30]:<30} {a['web_url']}" for a in agents]
    return "\n".join(rows)
