"""``dsr`` command line.

stdout holds only what the command prints (with ``--json``, one JSON document); everything else,
the desk's own logs included, goes to stderr. An error is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import redirect_stdout, suppress
from pathlib import Path
from typing import TextIO

from dsr_cli.command import (
    OneLineArgumentParser,
    add_desk_options,
    add_json_option,
    desk_url,
    fail,
    one_line,
    staff_client,
)

OWN_CLOUD = "a running desk (default: DSR_URL, else start a local cloud in this process)"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = sys.stdout
    prog = " ".join(["dsr", args.group, *(name for name in _subcommand(args) if name)])
    try:
        # Whatever else writes to stdout while the command runs (the desk's logs, when it runs
        # in this process) goes to stderr: stdout is the command's output alone.
        with redirect_stdout(sys.stderr):
            status = _run(args, out)
        out.flush()  # here, so a reader that went away is seen below rather than at exit
        return status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away(out)
    except Exception as error:  # every failure is one line, not a traceback
        if os.environ.get("DSR_DEBUG"):
            raise
        if isinstance(error, (RuntimeError, OSError, ValueError, LookupError)):
            return fail(prog, error)
        print(f"{prog}: {type(error).__name__}: {one_line(error)} (DSR_DEBUG=1 shows where)", file=sys.stderr)
        return 1


def _reader_went_away(out: TextIO) -> int:
    """``dsr … | head``: the reader closed the pipe. Stop quietly, as other commands do; what is
    still buffered goes nowhere rather than raising again when Python exits."""
    with suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    return 1


def _subcommand(args: argparse.Namespace) -> list[str | None]:
    return [
        getattr(args, "command", None),
        getattr(args, "staff_command", None),
        getattr(args, "report", None),
        getattr(args, "agent_command", None),
    ]


def _parser() -> argparse.ArgumentParser:
    parser = OneLineArgumentParser(prog="dsr", description="Privacy rights desk")
    commands = parser.add_subparsers(dest="group", required=True)

    local = commands.add_parser("local", help="the embedded local cloud").add_subparsers(
        dest="command", required=True
    )
    up = local.add_parser("up", help="run the local cloud with demonstration data")
    up.add_argument("--port", type=int, default=int(os.environ.get("PORT") or "3000"))
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--sweep-every", type=float, default=30.0, help="seconds between scheduled sweeps")
    up.add_argument("--empty", action="store_true", help="no demonstration requests, only the stores' data")

    demo = local.add_parser("demo", help="run the demonstration scenarios end to end")
    demo.add_argument("--url", help=OWN_CLOUD)
    add_json_option(demo)
    demo.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for each stage")
    demo.add_argument("--logs", action="store_true", help="show the desk's logs on stderr")

    load = local.add_parser("load", help="many concurrent submissions, some retried; nothing lost")
    load.add_argument("--url", help=OWN_CLOUD)
    load.add_argument("--submissions", type=int, default=1000, help="sends in all, retries included")
    load.add_argument("--clients", type=int, default=16, help="concurrent clients")
    load.add_argument("--retry-share", type=float, default=0.2, help="the share of sends that are retries")
    load.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for every execution")
    add_json_option(load)
    load.add_argument("--logs", action="store_true", help="show the desk's logs on stderr")

    send = local.add_parser("send-email", help="deliver a raw email to the privacy mailbox")
    send.add_argument("path", type=Path)
    send.add_argument(
        "--url", help="the desk's API (default: DSR_URL, else http://127.0.0.1:$PORT, port 3000)"
    )
    add_json_option(send)

    from dsr_cli.drp_agent import add_drp_agent_commands  # noqa: PLC0415

    add_drp_agent_commands(local)

    deadlines = commands.add_parser(
        "deadlines", help="a request's due dates under a jurisdiction, with the rule and source of each"
    )
    deadlines.add_argument("--jurisdiction", required=True, help="e.g. EU, UK, US-CA, BR, CA-QC, JP, DEFAULT")
    deadlines.add_argument("--received", required=True, help="the day the request was received, YYYY-MM-DD")
    deadlines.add_argument(
        "--type", dest="request_type", help="request type, e.g. access, sale_sharing_opt_out"
    )
    deadlines.add_argument("--country", help="ISO country code, for public holidays (EU, DEFAULT)")
    deadlines.add_argument("--region", help="subdivision code, for regional public holidays")
    add_json_option(deadlines)

    report = commands.add_parser("report", help="reports for staff").add_subparsers(
        dest="report", required=True
    )
    metrics = report.add_parser("metrics", help="the CCPA 7102 figures for a calendar year (privacy-admin)")
    metrics.add_argument(
        "--year", type=int, help="the calendar year, e.g. 2025; this year by the desk's clock if not given"
    )
    metrics.add_argument("--format", dest="output_format", choices=["table", "json", "csv"], default="table")
    metrics.add_argument("--jurisdiction", help="only requests under this jurisdiction, e.g. US-CA")
    add_desk_options(metrics)

    registry = commands.add_parser("registry", help="the system registry and the SaaS definitions")
    registry_commands = registry.add_subparsers(dest="command", required=True)
    check = registry_commands.add_parser(
        "check",
        help="validate systems.yaml and every SaaS definition, and every request a definition can "
        "make against the vendor's API document; each problem as FILE:LINE",
    )
    check.add_argument("--registry", type=Path, help="the registry file (default: the desk's systems.yaml)")
    check.add_argument(
        "--definitions", type=Path, help="the folder of SaaS definitions (default: beside systems.yaml)"
    )
    check.add_argument(
        "--database",
        action="append",
        default=[],
        metavar="SYSTEM=URL",
        help="check a database system against the database at URL (postgresql://USER@HOST:PORT/DBNAME "
        "or mysql://...; make run prints the local cloud's); else against its secret_arn_env's secret",
    )

    from dsr_cli.staff import add_staff_commands  # noqa: PLC0415

    add_staff_commands(commands)
    return parser


def _run(args: argparse.Namespace, out: TextIO) -> int:
    """Each command imports what it needs only when it runs (moto, for one, loads slowly)."""
    if args.group == "staff":
        from dsr_cli.staff import run_staff_command  # noqa: PLC0415

        return run_staff_command(args, out)
    if args.group == "deadlines":
        from dsr_cli.deadlines import print_deadlines  # noqa: PLC0415

        return print_deadlines(
            args.jurisdiction,
            args.received,
            args.request_type,
            args.country,
            args.region,
            json_output=args.json,
            out=out,
        )
    if args.group == "registry":
        from dsr_cli.registry_check import check_registry, database_urls  # noqa: PLC0415

        return check_registry(args.registry, args.definitions, out, database_urls(args.database))
    if args.group == "report":
        from dsr_cli.report import print_metrics  # noqa: PLC0415

        output_format = "json" if args.json else args.output_format
        return print_metrics(staff_client(args), args.year, output_format, args.jurisdiction, out=out)
    return _run_local(args, out)


def _run_local(args: argparse.Namespace, out: TextIO) -> int:
    if args.command == "up":
        from dsr_cli.local import serve  # noqa: PLC0415

        return serve(args.host, args.port, args.sweep_every, with_requests=not args.empty, out=out)
    running_desk = args.url or os.environ.get("DSR_URL")
    if args.command == "demo":
        from dsr_cli.demo import run_demo  # noqa: PLC0415

        return run_demo(running_desk, as_json=args.json, timeout=args.timeout, out=out, logs=args.logs)
    if args.command == "load":
        from dsr_cli.load import print_load  # noqa: PLC0415

        return print_load(
            running_desk,
            args.submissions,
            args.clients,
            args.retry_share,
            args.timeout,
            out=out,
            as_json=args.json,
            logs=args.logs,
        )
    if args.command == "drp-agent":
        from dsr_cli.drp_agent import run_drp_agent_command  # noqa: PLC0415

        return run_drp_agent_command(args, out)
    from dsr_cli.local import send_email  # noqa: PLC0415

    return send_email(desk_url(args.url), args.path, out=out, as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
