"""What every ``dsr`` command shares: where the desk is, how staff sign in, how a command fails.

* The desk: ``--url``, else ``DSR_URL``, else the local cloud at ``PORT``, else port 3000.
* A staff token: ``--token``, else ``DSR_TOKEN``; or, against the local cloud, ``--as`` one of its
  demonstration staff.
* Output: stdout holds only the command's own output (one JSON document with ``--json``); logs and
  errors go to stderr. An error is one line and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, NoReturn, TextIO

from dsr_cli.http_client import DeskClient, HttpAnswer

LOCAL_HOST = "http://127.0.0.1"
DEFAULT_PORT = "3000"
USAGE_ERROR = 2


class CommandError(RuntimeError):
    """The command cannot do what was asked; its message is the one line the user sees."""


class OneLineArgumentParser(argparse.ArgumentParser):
    """A usage mistake is one line on stderr naming it, and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def desk_url(given: str | None = None) -> str:
    """The desk's address: ``--url``, else ``DSR_URL``, else the local cloud at ``PORT`` (3000)."""
    return given or os.environ.get("DSR_URL") or f"{LOCAL_HOST}:{os.environ.get('PORT') or DEFAULT_PORT}"


def add_desk_options(parser: argparse.ArgumentParser, *, top: bool = True) -> None:
    """``--url``, ``--token``, ``--as`` and ``--json``, accepted before or after the subcommand
    (``top=False`` for the subcommand, whose unset options leave the group's values alone)."""
    unset: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    parser.add_argument(
        "--url", help="the desk's API (default: DSR_URL, else http://127.0.0.1:$PORT, port 3000)", **unset
    )
    parser.add_argument("--token", help="a staff token (default: DSR_TOKEN)", **unset)
    parser.add_argument(
        "--as", dest="as_user", help="local cloud only: sign in as a demonstration staff member", **unset
    )
    add_json_option(parser, top=top)


def add_json_option(parser: argparse.ArgumentParser, *, top: bool = True) -> None:
    unset: dict[str, Any] = {"default": False} if top else {"default": argparse.SUPPRESS}
    parser.add_argument("--json", action="store_true", help="print one JSON document", **unset)


def staff_client(args: argparse.Namespace) -> DeskClient:
    """A client signed in as staff: by ``--token`` (or ``DSR_TOKEN``), or ``--as`` on the local cloud."""
    url = desk_url(getattr(args, "url", None))
    as_user = getattr(args, "as_user", None)
    token = getattr(args, "token", None)
    if as_user and token:
        raise CommandError("give --token or --as, not both")
    if as_user:
        answer = DeskClient(url).post("/_local/staff-token", {"username": as_user})
        if answer.status != 200:
            raise CommandError(f"could not sign in as {as_user} at {url}: {refusal(answer)}")
        return DeskClient(url, str(answer.body["token"]))
    token = token or os.environ.get("DSR_TOKEN")
    if not token:
        raise CommandError("give --token (or DSR_TOKEN), or --as a demonstration staff member")
    return DeskClient(url, token)


def refusal(answer: HttpAnswer) -> str:
    """The desk's answer to a refused call, in one line: status, reason, who decided first."""
    body = answer.body if isinstance(answer.body, dict) else {"message": str(answer.body)}
    text = " ".join(f"{answer.status} {body.get('message', '')}".split())
    decided_by = str(body.get("decided_by") or "")
    return f"{text} (decided by {decided_by})" if decided_by and decided_by not in text else text


def print_json(document: Any, out: TextIO) -> None:
    print(json.dumps(document, indent=2), file=out)


def one_line(error: BaseException) -> str:
    """An exception's message on one line (a multi-line message is joined)."""
    text = " ".join(str(error).split())
    return text or type(error).__name__


def fail(prog: str, error: BaseException) -> int:
    print(f"{prog}: {one_line(error)}", file=sys.stderr)
    return 1
