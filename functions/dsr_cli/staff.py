"""``dsr staff``: the staff API from a terminal, against the local cloud or a deployed desk.

The token comes from ``--token`` (or ``DSR_TOKEN``); against the local cloud ``--as`` signs in as
one of its demonstration staff instead. Every command prints what the desk answered; a refusal
exits 1 with the desk's reason (and, for a decision someone else made first, who made it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from dsr.display_text import visible_text
from dsr_cli.http_client import DeskClient, HttpAnswer


class StaffCommandError(RuntimeError):
    """The desk refused, or could not be signed in to."""


def add_staff_commands(commands: Any) -> None:
    staff = commands.add_parser("staff", help="staff work: the queue, one request, decisions")
    staff.add_argument(
        "--url", default=os.environ.get("DSR_URL", f"http://127.0.0.1:{os.environ.get('PORT', '3000')}")
    )
    signing_in = staff.add_mutually_exclusive_group()
    signing_in.add_argument("--token", default=os.environ.get("DSR_TOKEN"), help="a staff token")
    signing_in.add_argument("--as", dest="as_user", help="local cloud only: a demonstration staff member")
    staff.add_argument("--json", action="store_true", help="print what the desk answered, as JSON")
    work = staff.add_subparsers(dest="staff_command", required=True)

    work.add_parser("list", help="open requests, most urgent first")
    work.add_parser("appeals", help="appeals waiting for an answer")
    show = work.add_parser("show", help="one request: deadlines, systems, appeal, timeline")
    show.add_argument("request_id")
    approve = work.add_parser("approve", help="approve a request waiting for a decision (approver)")
    approve.add_argument("request_id")
    deny = work.add_parser("deny", help="deny, with the reason sent to the subject (approver)")
    deny.add_argument("request_id")
    deny.add_argument("--reason", required=True)
    extend = work.add_parser("extend", help="extend the response date once (approver)")
    extend.add_argument("request_id")
    extend.add_argument("--reason", required=True, help="why more time is needed; sent to the subject")
    ask = work.add_parser("ask", help="ask the subject for information")
    ask.add_argument("request_id")
    ask.add_argument("--question", required=True)
    ask.add_argument("--because", choices=["clarification", "suspected_fraud"], default="clarification")
    confirm = work.add_parser("confirm", help="record a vendor's or the customers' answer")
    confirm.add_argument("request_id")
    confirm.add_argument("system_id")
    confirm.add_argument("action")
    confirm.add_argument("--answer", choices=["done", "nothing_found", "failed"], default="done")
    confirm.add_argument("--note", required=True, help="their answer, in short")
    cancel = work.add_parser("cancel", help="close a request not yet carried out, without action (approver)")
    cancel.add_argument("request_id")
    cancel.add_argument("--reason", required=True, help="sent to the subject")
    rerun = work.add_parser("rerun", help="re-run only the systems that failed (approver)")
    rerun.add_argument("request_id")
    appeal = work.add_parser("answer-appeal", help="uphold or reverse a refusal on appeal (approver)")
    appeal.add_argument("request_id")
    appeal.add_argument("--decision", choices=["uphold", "reverse"], required=True)
    appeal.add_argument("--reason", required=True, help="sent to the subject")
    report = work.add_parser("report", help="the CCPA 7102 figures for a year (admin)")
    report.add_argument(
        "--year", type=int, help="the calendar year; this year by the desk's clock if not given"
    )
    report.add_argument("--format", dest="output_format", choices=["json", "csv"], default="json")


def run_staff_command(args: argparse.Namespace) -> int:
    try:
        client = DeskClient(args.url, _token(args))
        if args.staff_command == "report":
            from dsr_cli.report import print_metrics  # noqa: PLC0415

            return print_metrics(args.url, str(client.token), args.year, args.output_format, None)
        answer = _call(client, args)
    except StaffCommandError as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(answer, indent=2))
    else:
        print(_readable(args.staff_command, answer))
    return 0


def _token(args: argparse.Namespace) -> str:
    if args.as_user:
        answer = DeskClient(args.url).post("/_local/staff-token", {"username": args.as_user})
        if answer.status != 200:
            raise StaffCommandError(f"could not sign in as {args.as_user}: {_message(answer)}")
        return str(answer.body["token"])
    if not args.token:
        raise StaffCommandError("give --token (or DSR_TOKEN), or --as a demonstration staff member")
    return str(args.token)


def _call(client: DeskClient, args: argparse.Namespace) -> Any:
    command = args.staff_command
    base = f"/staff/requests/{getattr(args, 'request_id', '')}"
    calls: dict[str, tuple[str, str, Any]] = {
        "list": ("GET", "/staff/requests", None),
        "appeals": ("GET", "/staff/appeals", None),
        "show": ("GET", base, None),
        "approve": ("POST", f"{base}/decision", {"decision": "approve"}),
        "deny": ("POST", f"{base}/decision", {"decision": "deny", "reason": getattr(args, "reason", None)}),
        "extend": ("POST", f"{base}/extension", {"reason": getattr(args, "reason", None)}),
        "ask": (
            "POST",
            f"{base}/information-request",
            {"question": getattr(args, "question", None), "because": getattr(args, "because", None)},
        ),
        "rerun": ("POST", f"{base}/rerun", None),
        "cancel": ("POST", f"{base}/cancel", {"reason": getattr(args, "reason", None)}),
        "answer-appeal": (
            "POST",
            f"{base}/appeal/decision",
            {"decision": getattr(args, "decision", None), "reason": getattr(args, "reason", None)},
        ),
    }
    if command == "confirm":
        method, path = "POST", f"{base}/systems/{args.system_id}/{args.action}/confirmation"
        payload: Any = {"answer": args.answer, "note": args.note}
    else:
        method, path, payload = calls[command]
    answer = client.call(method, path, payload)
    if answer.status >= 400:
        raise StaffCommandError(_message(answer))
    return answer.body


def _message(answer: HttpAnswer) -> str:
    body = answer.body if isinstance(answer.body, dict) else {"message": str(answer.body)}
    text = f"{answer.status} {body.get('message', '')}".strip()
    return f"{text} (decided by {body['decided_by']})" if body.get("decided_by") else text


def _days_left(left: int) -> str:
    return f"{-left}d overdue" if left < 0 else f"{left}d left"


def _due(entry: dict[str, Any]) -> str:
    """The day the desk works to, with the legal day beside it where the internal target is
    earlier; days where the request's law counts them, as the subject is told them."""
    due = f"{entry['due_on']} ({_days_left(entry['days_left'])})"
    if entry["due_for"] == "target":
        due += f" target; law {entry['respond_on']}"
    return due


def _readable(command: str, answer: Any) -> str:
    return visible_text(_readable_lines(command, answer))


def _readable_lines(command: str, answer: Any) -> str:
    if command == "list":
        lines = [
            f"{r['request_id'][:8]}  {_due(r):<44} {r['status']:<19} {','.join(r['request_types']):<24} "
            f"{r['jurisdiction']:<7} {r['channel']:<5} {r['subject']}"
            for r in answer
        ]
        return "\n".join(lines) or "no open request"
    if command == "appeals":
        lines = [
            f"{a['request_id'][:8]}  answer by {a['respond_on']} ({a['jurisdiction']} time, "
            f"{_days_left(a['days_left'])})"
            for a in answer
        ]
        return "\n".join(lines) or "no appeal waiting"
    if command == "show":
        deadlines = answer["deadlines"]
        target = f"; internal target {deadlines['target_on']}" if deadlines["target_on"] else ""
        lines = [
            f"Request {answer['request_id']}",
            f"  status {answer['status']}; asked for {', '.join(answer['request_types'])}; "
            f"{answer['jurisdiction']}; by {answer['channel']}; subject {answer['subject']}",
            f"  respond by {deadlines['respond_on']} ({answer['jurisdiction']} time, "
            f"{_days_left(answer['legal_days_left'])}){target}; "
            f"policy {deadlines['policy']} {deadlines['policy_version']}",
            *([f"  linked to {answer['linked_to']}"] if answer.get("linked_to") else []),
            *(f"  system {s['system_id']} {s['action']}: {s['status']}" for s in answer["systems"]),
            *(f"  {e['at'][:16]} {e['actor']}: {e['action']} - {e['outcome']}" for e in answer["timeline"]),
        ]
        return "\n".join(lines)
    return json.dumps(answer)
