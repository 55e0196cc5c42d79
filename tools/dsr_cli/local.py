"""``dsr local up`` and ``dsr local send-email``."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TextIO

from dsr_cli.command import CommandError, print_json, refusal
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud, start_demo_processors
from local_cloud.demo_data import create_and_seed
from local_cloud.http_api import LocalApi
from local_cloud.http_server import LocalHTTPServer
from local_cloud.staff_tokens import DEMO_STAFF


@contextmanager
def running_local_cloud(host: str = "127.0.0.1", port: int = 0) -> Iterator[LocalApi]:
    """The whole application with demonstration data, served over HTTP until the block ends.

    The port is bound first and kept (links in emails carry the base URL): a port found free and
    let go could be taken by another process while the cloud starts."""
    server = LocalHTTPServer((host, port), BaseHTTPRequestHandler)  # answers nothing until served
    try:
        cloud = LocalCloud(f"http://{host}:{server.server_address[1]}", processors=start_demo_processors())
    except BaseException:
        server.server_close()
        raise
    try:
        cloud.start()
        from dsr.wiring.desk import desk_from_environment  # noqa: PLC0415

        create_and_seed(desk_from_environment().registry)
        api = LocalApi(cloud, server=server).start_in_background()
        try:
            yield api
        finally:
            api.stop()
    finally:
        server.server_close()
        cloud.stop()  # a demonstration's moved clock ends with its cloud


@contextmanager
def desk_logs(shown: bool) -> Iterator[None]:
    """The desk's logs (on stderr) only when asked for: a demonstration's output is its timeline."""
    if not shown:
        logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


EXAMPLE_REQUEST = '{"request_types":["marketing_opt_out"],"subject":{"email":"grace@example.org"}}'
EXAMPLE_SIGN_IN = '{"username":"approver@desk.example"}'


def serve(
    host: str, port: int, sweep_every: float, *, with_requests: bool = True, out: TextIO | None = None
) -> int:
    """Serve until Ctrl-C: the addresses on ``out``; the desk's logs on stderr."""
    stop = threading.Event()
    # `kill` stops it as Ctrl-C does: the cloud is stopped and the PostgreSQL server it started
    # shut down at exit, rather than left running without its parent. Set before anything is
    # printed: a kill that comes as soon as the addresses show, or while the cloud starts, too.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with running_local_cloud(host, port) as api:
        base = api.cloud.base_url
        lines = []
        if with_requests:
            from dsr_cli.seed_requests import seed_requests  # noqa: PLC0415

            lines += [f"  seeded request {rid[:8]}: {shown}" for shown, rid in seed_requests(base).items()]
        lines += [
            f"Privacy rights desk running on {base}",
            f"  Privacy request form {base}/privacy-request",
            f"  Staff console       {base}/console  (sign in as {', '.join(DEMO_STAFF)})",
            f"  API documentation   {base}/swagger",
            f"  OpenAPI document    {base}/openapi.json",
            f"  Outbox              {base}/_local/outbox",
            f"  DRP agent callbacks {base}/_local/drp-agent/callbacks  (dsr local drp-agent --help)",
            f"  Company page (GPC)  {base}/_local/company  (in a browser that sends Global Privacy Control)",
            f"  Submit a request    curl -X POST {base}/requests -H 'Content-Type: application/json'",
            f"                        -d '{EXAMPLE_REQUEST}'",
            f"  Staff token         curl -X POST {base}/_local/staff-token -d '{EXAMPLE_SIGN_IN}'",
            *_stores_reached_directly(api.cloud),
            "Press Ctrl-C to stop.",
        ]
        print("\n".join(lines), file=out, flush=True)
        try:
            while not stop.wait(sweep_every):
                api.cloud.run_schedules()
        except KeyboardInterrupt:
            pass
        print("\nstopped", file=out, flush=True)
    return 0


def _stores_reached_directly(cloud: LocalCloud) -> list[str]:
    """Where the demonstration registry's database, SaaS stand-ins and data lake are, to look in."""
    from dsr.core.registry_stores import PostgresStore, S3ParquetStore  # noqa: PLC0415
    from dsr.wiring.desk import desk_from_environment  # noqa: PLC0415
    from local_cloud import database  # noqa: PLC0415

    cloud.database_connection().close()  # the database is made on first use: make it now
    psql = Path(database.server().bin_path) / "psql"
    systems = desk_from_environment().registry.systems
    url = f"postgresql://postgres@/{cloud.database}?host={database.socket_directory()}"
    checks = " ".join(f"--database {s.id}='{url}'" for s in systems if isinstance(s.store, PostgresStore))
    lines = [
        f"  PostgreSQL          {psql} -h {database.socket_directory()} -U postgres {cloud.database}",
        f"  Check the registry  .venv/bin/dsr registry check {checks}  (against this database)",
        "  SaaS stand-ins      "
        + ", ".join(f"{tool} {stand_in.base_url}" for tool, stand_in in cloud.saas.items()),
    ]
    lakes = [s.store for s in systems if isinstance(s.store, S3ParquetStore)]
    lines += [
        f"  Data lake           s3://{lake.bucket}/{lake.prefix} (Parquet, in the local S3)" for lake in lakes
    ]
    return lines


def send_email(url: str, path: Path, *, out: TextIO, as_json: bool = False) -> int:
    """Deliver the file as SES would; what became of it, one line per outcome (or the JSON)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    answer = DeskClient(url).call("POST", "/_local/inbound-email", raw=raw)
    if answer.status != 200:
        raise CommandError(f"the desk at {url} refused the email: {refusal(answer)}")
    if as_json:
        print_json(answer.body, out)
    else:
        for outcome in answer.body.get("outcomes", []):
            print(_outcome_line(outcome), file=out)
    return 0


EMAIL_OUTCOMES = {
    "request": "a new request",
    "reply": "a reply, attached to request",
    "appeal": "an appeal of request",
    "triage": "left for staff to triage",
    "quarantined": "quarantined",
    "ignored_automatic": "an automatic message, recorded and not answered",
}


def _outcome_line(outcome: dict[str, Any]) -> str:
    """What became of one email, e.g. ``a new request 32624cbe``."""
    disposition = str(outcome["disposition"])
    said = [EMAIL_OUTCOMES.get(disposition, disposition.replace("_", " "))]
    said += [outcome["request_id"][:8]] if outcome.get("request_id") else []
    said += [f"(triage item {outcome['triage_id']})"] if outcome.get("triage_id") else []
    return " ".join(said) + (f": {outcome['reason']}" if outcome.get("reason") else "")
