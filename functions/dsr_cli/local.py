"""``dsr local up`` and ``dsr local send-email``."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local_cloud.cloud import LocalCloud
from local_cloud.demo_data import create_and_seed
from local_cloud.http_api import LocalApi
from local_cloud.staff_tokens import DEMO_STAFF


@contextmanager
def running_local_cloud(host: str = "127.0.0.1", port: int = 0) -> Iterator[LocalApi]:
    """The whole application with demonstration data, served over HTTP until the block ends."""
    from http.server import ThreadingHTTPServer  # noqa: PLC0415

    if port == 0:  # find a free port first: links in emails carry the base URL
        probe = ThreadingHTTPServer((host, 0), None)  # type: ignore[arg-type]
        port = int(probe.server_address[1])
        probe.server_close()
    cloud = LocalCloud(f"http://{host}:{port}").start()
    from dsr.desk import desk_from_environment  # noqa: PLC0415

    create_and_seed(desk_from_environment().registry)
    api = LocalApi(cloud, host, port).start_in_background()
    try:
        yield api
    finally:
        api.stop()
        cloud.stop()


EXAMPLE_REQUEST = '{"request_types":["access"],"subject":{"email":"ada@example.com"}}'
EXAMPLE_SIGN_IN = '{"username":"approver@desk.example"}'


def serve(host: str, port: int, sweep_every: float) -> int:
    with running_local_cloud(host, port) as api:
        base = api.cloud.base_url
        print(f"Privacy rights desk running on {base}")
        print(f"  Privacy request form {base}/privacy-request")
        print(f"  API documentation   {base}/swagger")
        print(f"  OpenAPI document    {base}/openapi.json")
        print(f"  Outbox              {base}/_local/outbox")
        print(f"  Submit a request    curl -X POST {base}/requests -H 'Content-Type: application/json'")
        print(f"                        -d '{EXAMPLE_REQUEST}'")
        print(f"  Staff token         curl -X POST {base}/_local/staff-token -d '{EXAMPLE_SIGN_IN}'")
        print(f"  Staff users         {', '.join(DEMO_STAFF)}")
        print("Press Ctrl-C to stop.")
        stop = threading.Event()
        try:
            while not stop.wait(sweep_every):
                api.cloud.run_schedules()
        except KeyboardInterrupt:
            print("\nstopped")
    return 0


def send_email(url: str, path: Path) -> int:
    request = urllib.request.Request(  # noqa: S310 - a local URL given by the user
        f"{url.rstrip('/')}/_local/inbound-email", data=path.read_bytes(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        print(json.dumps(json.load(response), indent=2))
    return 0
