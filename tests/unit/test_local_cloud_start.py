"""What a local cloud spends at start and stop, once per test that uses one: the template parsed
once while unchanged, no key pair made for a KMS key that never uses it, the demonstration
processors' keys made once in a process, and a prompt stop."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
import yaml
from moto.kms import utils as kms_utils

from local_cloud.cloud import make_kms_key_pairs_on_first_use, start_demo_processors
from local_cloud.http_api import LocalApi
from local_cloud.http_server import LocalHTTPServer
from local_cloud.template import load_template, read_template
from tests.unit.test_local_cloud_aliases import PARAMETERS, TEMPLATE_PATH


@pytest.fixture
def yaml_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each YAML document parsed from here on (its first line)."""
    parsed: list[str] = []
    load = yaml.load

    def counted(stream: Any, Loader: Any) -> Any:  # noqa: N803 - yaml's own keyword
        parsed.append(str(stream).partition("\n")[0])
        return load(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "load", counted)
    return parsed


def test_an_unchanged_template_is_parsed_once_and_each_caller_gets_its_own_copy(
    tmp_path: Path, yaml_loads: list[str]
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties: {TableName: !Ref Name}\n"
    )

    first = load_template(template)
    first["Resources"]["Table"]["Properties"]["TableName"] = "changed by its caller"
    second = load_template(template)

    assert len(yaml_loads) == 1
    assert second["Resources"]["Table"]["Properties"] == {"TableName": {"Ref": "Name"}}


def test_an_edited_template_is_read_again(tmp_path: Path, yaml_loads: list[str]) -> None:
    template = tmp_path / "template.yaml"
    template.write_text("Resources: {}\n")
    assert load_template(template) == {"Resources": {}}

    template.write_text("Resources: {Queue: {Type: AWS::SQS::Queue}}\n")

    assert load_template(template) == {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    assert len(yaml_loads) == 2


@pytest.fixture
def rsa_keys_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of each RSA private key moto's KMS generates from here on."""
    made: list[int] = []
    generate = kms_utils.rsa.generate_private_key

    def counted(public_exponent: int, key_size: int) -> Any:
        made.append(key_size)
        return generate(public_exponent=public_exponent, key_size=key_size)

    monkeypatch.setattr(kms_utils.rsa, "generate_private_key", counted)
    return made


def test_symmetric_and_hmac_keys_make_no_key_pair_and_a_signing_key_still_signs(
    aws: None, rsa_keys_made: list[int]
) -> None:
    make_kms_key_pairs_on_first_use()
    kms = boto3.client("kms")

    kms.create_key(Description="requests, mail and packages")
    hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    mac = kms.generate_mac(KeyId=hmac, Message=b"123456", MacAlgorithm="HMAC_SHA_256")["Mac"]
    assert rsa_keys_made == []

    signing = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    signature = kms.sign(KeyId=signing, Message=b"certificate", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")[
        "Signature"
    ]
    verified = kms.verify(
        KeyId=signing,
        Message=b"certificate",
        Signature=signature,
        SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
    )
    assert verified["SignatureValid"]
    assert rsa_keys_made == [2048]
    assert kms.verify_mac(KeyId=hmac, Message=b"123456", MacAlgorithm="HMAC_SHA_256", Mac=mac)["MacValid"]


@pytest.fixture
def poll_intervals(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """How often each API server started from here on looks for a stop between requests."""
    intervals: list[float] = []
    serve_forever = LocalHTTPServer.serve_forever

    def recorded(server: LocalHTTPServer, poll_interval: float = 0.5) -> None:
        intervals.append(poll_interval)
        serve_forever(server, poll_interval)

    monkeypatch.setattr(LocalHTTPServer, "serve_forever", recorded)
    return intervals


def test_the_api_server_looks_for_a_stop_more_often_than_every_half_second(
    poll_intervals: list[float],
) -> None:
    template = read_template(TEMPLATE_PATH, PARAMETERS)
    cloud: Any = SimpleNamespace(template=template, console_url="http://127.0.0.1/console")
    api = LocalApi(cloud, "127.0.0.1", 0).start_in_background()

    api.stop()

    serving = api._thread
    assert serving is not None
    serving.join(timeout=10)
    assert not serving.is_alive()
    assert len(poll_intervals) == 1
    assert poll_intervals[0] < 0.5  # the standard library's default, which each stop would wait out


def test_the_demonstration_processors_keys_are_made_once_in_a_process() -> None:
    first = start_demo_processors()
    certificates = {domain: processor.certificate_pem for domain, processor in first.items()}
    for processor in first.values():
        processor.stop()

    again = start_demo_processors()
    try:
        assert {domain: processor.certificate_pem for domain, processor in again.items()} == certificates
        assert all(pem.startswith(b"-----BEGIN CERTIFICATE-----") for pem in certificates.values())
    finally:
        for processor in again.values():
            processor.stop()


def test_each_saas_stand_in_looks_for_a_stop_every_twentieth_of_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from local_cloud.demo_data import PEOPLE
    from local_cloud.saas_standins import LocalHTTPServer, SaasStandIn, vendor_stand_in

    polls: list[float] = []
    serve = LocalHTTPServer.serve_forever

    def recorded(server: Any, poll_interval: float = 0.5) -> None:
        polls.append(poll_interval)
        serve(server, poll_interval)

    monkeypatch.setattr(LocalHTTPServer, "serve_forever", recorded)
    stand_in = SaasStandIn(vendor_stand_in("stripe", PEOPLE)).start()
    stand_in.stop()

    assert polls == [0.05]
