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

    demo = local.add_parser("demo", help="run the demonstration scenarios end to end")
    demo.add_argument("--url", help="a running local cloud (default: start one in this process)")
    demo.add_argument("--json", action="store_true", help="print one JSON document")
    demo.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for each stage")

    send = local.add_parser("send-email", help="deliver a raw email to the privacy mailbox")
    send.add_argument("path", type=Path)
    send.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('PORT', '3000')}")

    args = parser.parse_args(argv)
    if args.command == "up":
        from dsr_cli.local import serve  # noqa: PLC0415 - moto loads only when needed

        return serve(args.host, args.port, args.sweep_every)
    if args.command == "demo":
        from dsr_cli.demo import run_demo  # noqa: PLC0415

        return run_demo(args.url, as_json=args.json, timeout=args.timeout)
    if args.command == "send-email":
        from dsr_cli.local import send_email  # noqa: PLC0415

        return send_email(args.url, args.path)
    parser.error("unknown command")
    return 2


if __name__ == "__main__":
    sys.exit(main())
