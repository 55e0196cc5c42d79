"""``dsr`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dsr", description="Privacy rights desk")
    commands = parser.add_subparsers(dest="group", required=True)

    local = commands.add_parser("local", help="the embedded local cloud").add_subparsers(
        dest="command", required=True
    )
    up = local.add_parser("up", help="run the local cloud with demonstration data")
    up.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--sweep-every", type=float, default=30.0, help="seconds between scheduled sweeps")
    up.add_argument("--empty", action="store_true", help="no demonstration requests, only the stores' data")

    demo = local.add_parser("demo", help="run the demonstration scenarios end to end")
    demo.add_argument("--url", help="a running local cloud (default: start one in this process)")
    demo.add_argument("--json", action="store_true", help="print one JSON document")
    demo.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for each stage")

    load = local.add_parser("load", help="many concurrent submissions, some retried; nothing lost")
    load.add_argument("--url", help="a running local cloud (default: start one in this process)")
    load.add_argument("--submissions", type=int, default=1000, help="sends in all, retries included")
    load.add_argument("--clients", type=int, default=16, help="concurrent clients")
    load.add_argument("--retry-share", type=float, default=0.2, help="the share of sends that are retries")
    load.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for every execution")

    send = local.add_parser("send-email", help="deliver a raw email to the privacy mailbox")
    send.add_argument("path", type=Path)
    send.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT', '3000')}")

    deadlines = commands.add_parser(
        "deadlines", help="a request's due dates under a jurisdiction, with the rule and source of each"
    )
    deadlines.add_argument("--jurisdiction", required=True, help="e.g. EU, UK, US-CA, BR, CA-QC, DEFAULT")
    deadlines.add_argument("--received", required=True, help="the day the request was received, YYYY-MM-DD")
    deadlines.add_argument(
        "--type", dest="request_type", help="request type, e.g. access, sale_sharing_opt_out"
    )
    deadlines.add_argument("--country", help="ISO country code, for public holidays (EU, DEFAULT)")
    deadlines.add_argument("--region", help="subdivision code, for regional public holidays")
    deadlines.add_argument("--json", action="store_true", help="print one JSON document")

    report = commands.add_parser("report", help="reports for staff").add_subparsers(
        dest="report", required=True
    )
    metrics = report.add_parser("metrics", help="the CCPA 7102 figures for a calendar year (privacy-admin)")
    metrics.add_argument(
        "--year", type=int, help="the calendar year, e.g. 2025; this year by the desk's clock if not given"
    )
    metrics.add_argument("--format", dest="output_format", choices=["json", "csv"], default="json")
    metrics.add_argument("--jurisdiction", help="only requests under this jurisdiction, e.g. US-CA")
    metrics.add_argument("--url", required=True, help="the desk's API, e.g. http://127.0.0.1:3000")
    metrics.add_argument("--token", required=True, help="a privacy-admin staff token")

    from dsr_cli.staff import add_staff_commands  # noqa: PLC0415

    add_staff_commands(commands)

    args = parser.parse_args(argv)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Each command imports what it needs only when it runs (moto, for one, loads slowly)."""
    if args.group == "staff":
        from dsr_cli.staff import run_staff_command  # noqa: PLC0415

        return run_staff_command(args)
    if args.group == "deadlines":
        from dsr_cli.deadlines import print_deadlines  # noqa: PLC0415

        return print_deadlines(
            args.jurisdiction,
            args.received,
            args.request_type,
            args.country,
            args.region,
            json_output=args.json,
        )
    if args.group == "report":
        from dsr_cli.report import print_metrics  # noqa: PLC0415

        return print_metrics(args.url, args.token, args.year, args.output_format, args.jurisdiction)
    return _run_local(args)


def _run_local(args: argparse.Namespace) -> int:
    if args.command == "up":
        from dsr_cli.local import serve  # noqa: PLC0415

        return serve(args.host, args.port, args.sweep_every, with_requests=not args.empty)
    if args.command == "demo":
        from dsr_cli.demo import run_demo  # noqa: PLC0415

        return run_demo(args.url, as_json=args.json, timeout=args.timeout)
    if args.command == "load":
        from dsr_cli.load import print_load  # noqa: PLC0415

        return print_load(args.url, args.submissions, args.clients, args.retry_share, args.timeout)
    from dsr_cli.local import send_email  # noqa: PLC0415

    return send_email(args.url, args.path)


if __name__ == "__main__":
    sys.exit(main())
