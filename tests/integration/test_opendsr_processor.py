"""The desk's OpenDSR client against the demonstration processor, over HTTP on the loopback interface.

A tiny receiver in the test plays the desk's callback route; every callback it receives is
verified with the certificate the processor's discovery document names.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from dsr.fulfilment.opendsr import (
    CallbackStatus,
    ProcessingStatus,
    Regulation,
    SubjectRequest,
    SubjectRequestType,
    build_request,
    new_subject_request_id,
)
from dsr.fulfilment.opendsr_callbacks import CallbackRejected, callback_fingerprint, verify_callback
from dsr.fulfilment.opendsr_client import OpenDsrClient, ProcessorError, TransientProcessorError
from local_cloud.opendsr_processor import DemoOpenDsrProcessor

DOMAIN = "payments.example"
STEP_SECONDS = 0.05
CALLBACK_WAIT = 30.0


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]  # names lowercased: HTTP header names are case-insensitive
    body: bytes


class Receiver:
    """The desk's callback route, reduced to a queue of what arrived."""

    def __init__(self) -> None:
        received: queue.Queue[Received] = queue.Queue()
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                headers = {name.lower(): value for name, value in self.headers.items()}
                received.put(Received(headers, self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/opendsr/callbacks"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def take(self, count: int, seconds: float = CALLBACK_WAIT) -> list[Received]:
        deadline = time.monotonic() + seconds
        taken = []
        while len(taken) < count:
            taken.append(self.received.get(timeout=max(0.01, deadline - time.monotonic())))
        return taken


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiving = Receiver()
    receiving.start()
    yield receiving
    receiving.stop()


@pytest.fixture
def processor() -> Iterator[DemoOpenDsrProcessor]:
    with DemoOpenDsrProcessor(DOMAIN, delay_seconds=STEP_SECONDS) as running:
        yield running


def client_for(processor: DemoOpenDsrProcessor) -> OpenDsrClient:
    return OpenDsrClient(processor.base_url, timeout=2)


def a_request(
    receiver: Receiver, request_type: SubjectRequestType = SubjectRequestType.ACCESS
) -> SubjectRequest:
    return build_request(
        new_subject_request_id(),
        request_type,
        "ada@example.com",
        Regulation.GDPR,
        receiver.url,
        submitted_time=datetime.now(UTC),
    )


def verified(received: Received, certificate_pem: bytes) -> CallbackStatus:
    return verify_callback(
        received.body,
        received.headers,
        expected_domain=DOMAIN,
        certificate_pem=certificate_pem,
        now=datetime.now(UTC),
    )


def test_a_request_is_discovered_created_called_back_and_read(
    processor: DemoOpenDsrProcessor, receiver: Receiver
) -> None:
    client = client_for(processor)
    discovery = client.discover()
    assert discovery.api_version == "2.0"
    assert "access" in discovery.supported_subject_request_types
    certificate = client.certificate()
    assert certificate == processor.certificate_pem

    request = a_request(receiver)
    accepted = client.create(request)
    assert accepted.subject_request_id == request.subject_request_id
    assert accepted.request_status is ProcessingStatus.PENDING

    callbacks = receiver.take(2)
    statuses = [verified(c, certificate) for c in callbacks]
    assert [s.request_status for s in statuses] == [ProcessingStatus.IN_PROGRESS, ProcessingStatus.COMPLETED]
    assert {s.subject_request_id for s in statuses} == {request.subject_request_id}
    assert all("x-opendsr-signature" in c.headers for c in callbacks)
    assert len({callback_fingerprint(c.body) for c in callbacks}) == 2
    assert statuses[1].results_url

    status = client.status(request.subject_request_id)
    assert status.request_status is ProcessingStatus.COMPLETED
    with pytest.raises(ProcessorError) as refused:
        client.cancel(request.subject_request_id)
    assert refused.value.status_code == 409
    assert not isinstance(refused.value, TransientProcessorError)
    assert all(d.http_status == 204 for d in processor.deliveries)


def test_the_results_of_an_access_request_are_the_records_it_holds_about_that_person(
    receiver: Receiver,
) -> None:
    ada = [{"card_last4": "4242", "card_brand": "Visa"}]
    holdings = {"ada@example.com": ada, "grace@example.org": [{"card_last4": "5454"}]}
    with DemoOpenDsrProcessor(DOMAIN, delay_seconds=STEP_SECONDS, holdings=holdings) as processor:
        client = client_for(processor)
        certificate = client.certificate()
        adas = a_request(receiver)  # the identity is hashed, as the discovery document asks
        client.create(adas)
        completed = [verified(c, certificate) for c in receiver.take(2)][-1]
        assert completed.results_url
        assert json.loads(client.results(completed.results_url)) == ada

        alans = build_request(
            new_subject_request_id(),
            SubjectRequestType.ACCESS,
            "alan@example.net",
            Regulation.GDPR,
            receiver.url,
            submitted_time=datetime.now(UTC),
        )
        client.create(alans)
        completed = [verified(c, certificate) for c in receiver.take(2)][-1]
        assert completed.results_url
        assert json.loads(client.results(completed.results_url)) == []


def test_a_pending_request_can_be_cancelled(processor: DemoOpenDsrProcessor, receiver: Receiver) -> None:
    processor.delay_seconds = 30  # stays pending for the length of the test
    client = client_for(processor)
    request = a_request(receiver, SubjectRequestType.ERASURE)
    client.create(request)
    cancelled = client.cancel(request.subject_request_id)
    assert cancelled.request_status is ProcessingStatus.CANCELLED
    assert client.status(request.subject_request_id).request_status is ProcessingStatus.CANCELLED
    (callback,) = receiver.take(1)
    assert verified(callback, client.certificate()).request_status is ProcessingStatus.CANCELLED


def test_two_transient_failures_then_success(processor: DemoOpenDsrProcessor, receiver: Receiver) -> None:
    client = client_for(processor)
    request = a_request(receiver)
    processor.fail_next(2)
    for _ in range(2):
        with pytest.raises(TransientProcessorError) as busy:
            client.create(request)
        assert busy.value.status_code == 503
    assert client.create(request).request_status is ProcessingStatus.PENDING
    assert len(receiver.take(2)) == 2


def test_a_processor_that_never_answers_sends_no_callback(
    processor: DemoOpenDsrProcessor, receiver: Receiver
) -> None:
    processor.never_answer = True
    client = client_for(processor)
    request = a_request(receiver)
    client.create(request)
    with pytest.raises(queue.Empty):
        receiver.take(1, seconds=10 * STEP_SECONDS)
    assert client.status(request.subject_request_id).request_status is ProcessingStatus.PENDING


def test_posting_the_same_request_again_is_idempotent(
    processor: DemoOpenDsrProcessor, receiver: Receiver
) -> None:
    client = client_for(processor)
    request = a_request(receiver)
    first = client.create(request)
    again = client.create(request)
    assert again.subject_request_id == first.subject_request_id
    receiver.take(2)
    with pytest.raises(queue.Empty):
        receiver.take(1, seconds=6 * STEP_SECONDS)
    other = request.model_copy(update={"subject_request_type": SubjectRequestType.ERASURE})
    with pytest.raises(ProcessorError) as conflict:
        client.create(other)
    assert conflict.value.status_code == 409


def test_callback_urls_off_the_loopback_interface_are_refused(processor: DemoOpenDsrProcessor) -> None:
    request = build_request(
        new_subject_request_id(),
        SubjectRequestType.ACCESS,
        "ada@example.com",
        Regulation.GDPR,
        "https://desk.example/opendsr/callbacks",
        submitted_time=datetime.now(UTC),
    )
    with pytest.raises(ProcessorError) as refused:
        client_for(processor).create(request)
    assert refused.value.status_code == 400


def test_a_version_1_ecdsa_processor(receiver: Receiver) -> None:
    with DemoOpenDsrProcessor(DOMAIN, delay_seconds=STEP_SECONDS, api_version="1.0", key_type="ec") as old:
        client = client_for(old)
        assert client.route == "/opengdpr_requests"
        request = a_request(receiver)
        client.create(request)
        callbacks = receiver.take(2)
        certificate = client.certificate()
    assert all("x-opengdpr-signature" in c.headers for c in callbacks)
    assert all("x-opendsr-signature" not in c.headers for c in callbacks)
    assert verified(callbacks[1], certificate).request_status is ProcessingStatus.COMPLETED


def test_a_callback_is_refused_against_another_processors_certificate(
    processor: DemoOpenDsrProcessor, receiver: Receiver
) -> None:
    client_for(processor).create(a_request(receiver))
    callback = receiver.take(1)[0]
    with DemoOpenDsrProcessor(DOMAIN) as impostor, pytest.raises(CallbackRejected) as refused:
        verified(callback, impostor.certificate_pem)
    assert refused.value.reason == "bad-signature"
    with pytest.raises(CallbackRejected) as wrong:
        verify_callback(
            callback.body,
            callback.headers,
            expected_domain="hosting.example",
            certificate_pem=processor.certificate_pem,
            now=datetime.now(UTC),
        )
    assert wrong.value.reason == "wrong-domain"


def test_a_stopped_processor_is_a_transient_failure(receiver: Receiver) -> None:
    running = DemoOpenDsrProcessor(DOMAIN, delay_seconds=30).start()
    client = client_for(running)
    client.discover()
    running.stop()
    with pytest.raises(TransientProcessorError) as gone:
        client.status(new_subject_request_id())
    assert gone.value.status_code is None
