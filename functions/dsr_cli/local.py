"""``dsr local up`` and ``dsr local send-email``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dsr.clock import system_clock
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud, start_demo_processors
from local_cloud.demo_data import create_and_seed
from local_cloud.http_api import LocalApi
from local_cloud.staff_tokens import DEMO_STAFF


@contextmanager
def running_local_cloud(host: str = "127.0.0.1", port: int = 0) -> Iterator[LocalApi]:
    """The whole application with demonstration data, served over HTTP until the block ends."""
    from http.server import ThreadingHTTPServer  # noqa: PLC0415

    processors = start_demo_processors()  # bound first, so the port found below stays free
    if port == 0:  # find a free port first: links in emails carry the base URL
        probe = ThreadingHTTPServer((host, 0), None)  # type: ignore[arg-type]
        port = int(probe.server_address[1])
        probe.server_close()
    cloud = LocalCloud(f"http://{host}:{port}", processors=processors)
    try:
        cloud.start()
        from dsr.desk import desk_from_environment  # noqa: PLC0415

        create_and_seed(desk_from_environment().registry)
        api = LocalApi(cloud, host, port).start_in_background()
        try:
            yield api
        finally:
            api.stop()
    finally:
        cloud.stop()
        system_clock.reset()  # a demonstration's moved clock ends with its cloud


EXAMPLE_REQUEST = '{"request_types":["marketing_opt_out"],"subject":{"email":"grace@example.org"}}'
EXAMPLE_SIGN_IN = '{"username":"approver@desk.example"}'


def serve(host: str, port: int, sweep_every: float, *, with_requests: bool = True) -> int:
    with running_local_cloud(host, port) as api:
        base = api.cloud.base_url
        if with_requests:
            from dsr_cli.seed_requests import seed_requests  # noqa: PLC0415

            for shown, request_id in seed_requests(base).items():
                print(f"  seeded request {request_id[:8]}: {shown}")
        print(f"Privacy rights desk running on {base}")
        print(f"  Privacy request form {base}/privacy-request")
        print(f"  Staff console       {base}/console  (sign in as {', '.join(DEMO_STAFF)})")
        print(f"  API documentation   {base}/swagger")
        print(f"  OpenAPI document    {base}/openapi.json")
        print(f"  Outbox              {base}/_local/outbox")
        print(f"  Submit a request    curl -X POST {base}/requests -H 'Content-Type: application/json'")
        print(f"                        -d '{EXAMPLE_REQUEST}'")
        print(f"  Staff token         curl -X POST {base}/_local/staff-token -d '{EXAMPLE_SIGN_IN}'")
        print("Press Ctrl-C to stop.")
        stop = threading.Event()
        try:
            while not stop.wait(sweep_every):
                api.cloud.run_schedules()
        except KeyboardInterrupt:
            print("\nstopped")
    return 0


def send_email(url: str, path: Path) -> int:
    answer = DeskClient(url).call("POST", "/_local/inbound-email", raw=path.read_bytes())
    print(json.dumps(answer.body, indent=2))
    return 0 if answer.status == 200 else 1
