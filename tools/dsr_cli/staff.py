"""``dsr staff``: the staff API from a terminal, against the local cloud or a deployed desk.

The desk and the token are named as for every command (``dsr_cli.command``). A request is named
by its full id or by the short reference the queue, the console and emails show (its first 8
characters), which the desk resolves to exactly one request. Every command prints a short table
or sentence, or with ``--json`` what the desk answered; a refusal is one line on stderr with the
desk's reason (and, for a decision someone else made first, who made it), and exit status 1.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any, TextIO

from dsr.core.display_text import visible_text
from dsr.review.denial_reasons import DenialReason
from dsr_cli.agents import add_agent_commands, run_agent_command
from dsr_cli.command import (
    CommandError,
    add_desk_options,
    print_json,
    refusal,
    staff_client,
)
from dsr_cli.evidence import add_evidence_arguments, run_evidence_command
from dsr_cli.http_client import DeskClient

FULL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
REFERENCE = re.compile(r"[0-9a-f]{8}")


class StaffCommandError(CommandError):
    """The desk refused."""


def add_staff_commands(commands: Any) -> None:
    staff = commands.add_parser("staff", help="staff work: the queue, one request, decisions")
    add_desk_options(staff)
    work = staff.add_subparsers(dest="staff_command", required=True)

    def command(name: str, help_text: str, *, names_a_request: bool = True) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = work.add_parser(name, help=help_text)
        add_desk_options(parser, top=False)
        if names_a_request:
            parser.add_argument("request_id", help="the request's id, or its 8-character reference")
        return parser

    command("list", "open requests, most urgent first", names_a_request=False)
    command("appeals", "appeals waiting for an answer", names_a_request=False)
    command("show", "one request: deadlines, systems, appeal, timeline")
    approve = command("approve", "approve a request waiting for a decision (approver)")
    approve.add_argument(
        "--review-reason", help="a profiling review: why the decision was made (sent to the subject)"
    )
    approve.add_argument(
        "--review-result", help="a profiling review: what the review found (sent to the subject)"
    )
    deny = command("deny", "deny, with the reason sent to the subject (approver)")
    deny.add_argument(
        "--code",
        choices=[reason.value for reason in DenialReason],
        help="the reason, which the subject reads in the language of their request",
    )
    deny.add_argument(
        "--reason",
        help="an explanation, sent as written after the code's words (needed without --code, or with other)",
    )
    command("extend", "extend the response date once (approver)").add_argument(
        "--reason", required=True, help="why more time is needed; sent to the subject"
    )
    ask = command("ask", "ask the subject for information")
    ask.add_argument("--question", required=True)
    ask.add_argument(
        "--because", choices=["clarification", "authentication", "suspected_fraud"], default="clarification"
    )
    confirm = command("confirm", "record a vendor's or the customers' answer")
    confirm.add_argument("system_id")
    confirm.add_argument("action")
    confirm.add_argument("--answer", choices=["done", "nothing_found", "failed"], default="done")
    confirm.add_argument("--note", required=True, help="their answer, in short")
    command("cancel", "close a request not yet carried out, without action (approver)").add_argument(
        "--reason", required=True, help="sent to the subject"
    )
    command("rerun", "re-run only the systems that failed (approver)")
    add_evidence_arguments(
        command("evidence", "write the request's evidence pack (JSON, PDF, checksum) to a directory")
    )
    command("certificate", "email the subject of a closed erasure its deletion certificate")
    appeal = command("answer-appeal", "uphold or reverse a refusal on appeal (approver)")
    appeal.add_argument("--decision", choices=["uphold", "reverse"], required=True)
    appeal.add_argument("--reason", required=True, help="sent to the subject")
    add_agent_commands(work)
    report = work.add_parser("report", help="the CCPA 7102 figures for a year (admin)")
    add_desk_options(report, top=False)
    report.add_argument(
        "--year", type=int, help="the calendar year; this year by the desk's clock if not given"
    )
    report.add_argument("--format", dest="output_format", choices=["table", "json", "csv"], default="table")


def run_staff_command(args: argparse.Namespace, out: TextIO) -> int:
    if args.staff_command == "deny" and not (args.code or args.reason):
        raise StaffCommandError(
            "deny needs --code (the reason), or --reason (an explanation sent to the subject)"
        )
    client = staff_client(args)
    if args.staff_command == "report":
        from dsr_cli.report import print_metrics  # noqa: PLC0415

        output_format = "json" if args.json else args.output_format
        return print_metrics(client, args.year, output_format, None, out=out)
    if args.staff_command == "agents":
        return run_agent_command(client, args, out)
    if args.staff_command == "deny" and not (args.code or args.reason):
        raise StaffCommandError(
            "deny needs --code (the reason), or --reason (an explanation sent to the subject)"
        )
    if hasattr(args, "request_id"):
        args.request_id = _full_id(client, args.request_id)
    if args.staff_command == "evidence":
        return run_evidence_command(client, args, out)
    answer = _call(client, args)
    if args.json:
        print_json(answer, out)
    elif args.staff_command in TABLES:
        print(_readable(args.staff_command, answer), file=out)
    else:
        print(_sentence(args, answer), file=out)
    return 0


def _full_id(client: DeskClient, id_or_reference: str) -> str:
    """The one request a reference names, asked of the desk (which refuses a shared reference)."""
    named = id_or_reference.strip().lower()
    if FULL_ID.fullmatch(named):
        return named
    if not REFERENCE.fullmatch(named):
        raise StaffCommandError(
            f"{id_or_reference!r} is neither a request id nor an 8-character reference such as 32624cbe"
        )
    answer = client.get(f"/staff/requests/{named}")
    if answer.status != 200:
        raise StaffCommandError(f"{named}: {refusal(answer)}")
    return str(answer.body["request_id"])


def _review_answer(args: argparse.Namespace) -> dict[str, Any]:
    """The answer to a profiling review, when both of its parts are given."""
    reason, result = getattr(args, "review_reason", None), getattr(args, "review_result", None)
    if reason is None and result is None:
        return {}
    if not (reason and result):
        raise StaffCommandError("a profiling review's answer needs both --review-reason and --review-result")
    return {"review": {"decision_reason": reason, "review_result": result}}


def _call(client: DeskClient, args: argparse.Namespace) -> Any:
    command = args.staff_command
    base = f"/staff/requests/{getattr(args, 'request_id', '')}"
    calls: dict[str, tuple[str, str, Any]] = {
        "list": ("GET", "/staff/requests", None),
        "appeals": ("GET", "/staff/appeals", None),
        "show": ("GET", base, None),
        "approve": ("POST", f"{base}/decision", {"decision": "approve", **_review_answer(args)}),
        "deny": (
            "POST",
            f"{base}/decision",
            {
                "decision": "deny",
                **({"reason_code": args.code} if getattr(args, "code", None) else {}),
                "reason": getattr(args, "reason", None),
            },
        ),
        "extend": ("POST", f"{base}/extension", {"reason": getattr(args, "reason", None)}),
        "ask": (
            "POST",
            f"{base}/information-request",
            {"question": getattr(args, "question", None), "because": getattr(args, "because", None)},
        ),
        "rerun": ("POST", f"{base}/rerun", None),
        "certificate": ("POST", f"{base}/deletion-certificate", None),
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
        raise StaffCommandError(f"refused: {refusal(answer)}")
    return answer.body


def _days_left(left: int) -> str:
    return f"{-left}d overdue" if left < 0 else f"{left}d left"


def _due(entry: dict[str, Any]) -> str:
    """The day the desk works to, with the legal day beside it where the internal target is
    earlier; days where the request's law counts them, as the subject is told them."""
    due = f"{entry['due_on']} ({_days_left(entry['days_left'])})"
    if entry["due_for"] == "target":
        due += f" target; law {entry['respond_on']}"
    return due


def _list(answer: Any) -> str:
    if not answer:
        return "no open request"
    rows = [
        (
            *(r["request_id"][:8], _due(r), r["status"], ",".join(r["request_types"])),
            *(r["jurisdiction"], r["channel"], r["subject"]),
        )
        for r in answer
    ]
    header = ("request", "due (days left)", "status", "asked for", "law", "via", "subject")
    return "\n".join(_list_line(row) for row in [header, *rows])


def _list_line(row: tuple[str, ...]) -> str:
    request, due, status, types, law, channel, subject = row
    return f"{request:<8}  {due:<44} {status:<19} {types:<24} {law:<7} {channel:<5} {subject}"


def _appeals(answer: Any) -> str:
    lines = [
        f"{a['request_id'][:8]}  answer by {a['respond_on']} ({a['jurisdiction']} time, "
        f"{_days_left(a['days_left'])})"
        for a in answer
    ]
    return "\n".join(lines) or "no appeal waiting"


def _show(answer: Any) -> str:
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


SENTENCES: dict[str, Callable[[argparse.Namespace, Any], str]] = {
    "approve": lambda args, _: f"Request {args.request_id[:8]} approved: it is being carried out.",
    "deny": lambda args, _: f"Request {args.request_id[:8]} denied: the subject is sent the reason.",
    "extend": lambda args, answer: (
        f"Request {args.request_id[:8]} extended: respond by "
        f"{answer.get('respond_on') or str(answer['respond_by'])[:10]}; "
        "the subject is told why."
    ),
    "ask": lambda args, answer: (
        f"Request {args.request_id[:8]}: the subject is asked for information; "
        f"the clock is {answer['clock']}."
    ),
    "confirm": lambda args, _: (
        f"Request {args.request_id[:8]}: {args.system_id} {args.action} recorded as "
        f"{args.answer.replace('_', ' ')}."
    ),
    "cancel": lambda args, _: f"Request {args.request_id[:8]} cancelled: the subject is sent the reason.",
    "rerun": lambda args, _: f"Request {args.request_id[:8]}: the systems that failed are being run again.",
    "certificate": lambda args, answer: (
        f"Request {args.request_id[:8]}: the deletion certificate is sent to the subject "
        f"(in {answer['language']}, the PDF attached)."
    ),
    "answer-appeal": lambda args, answer: (
        f"Request {args.request_id[:8]}: the appeal is answered ({answer['appeal']}); "
        "the subject is sent the reason."
    ),
}


TABLES: dict[str, Callable[[Any], str]] = {"list": _list, "appeals": _appeals, "show": _show}


def _readable(command: str, answer: Any) -> str:
    """The queue, the appeals or one request, as a short table for a person."""
    return visible_text(TABLES[command](answer))


def _sentence(args: argparse.Namespace, answer: Any) -> str:
    """What a decision or an answer did, in one sentence naming the request by its reference."""
    return visible_text(SENTENCES[args.staff_command](args, answer))
