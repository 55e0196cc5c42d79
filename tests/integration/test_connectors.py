"""Each connector against its kind of store (moto): what is exported or changed, what remains for
other people, and that every change carried out twice changes the records once."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from dsr.connectors.base import IdentityUnavailableError, StoreLayoutError, Subject
from dsr.connectors.dynamodb import DynamoDbConnector
from dsr.connectors.s3_csv import S3CsvConnector
from dsr.connectors.s3_jsonl import S3JsonLinesConnector
from dsr.connectors.s3_objects import S3ObjectsConnector
from dsr.core.registry_stores import DynamoDbStore, S3CsvStore, S3JsonLinesStore, S3ObjectsStore

ADA = Subject(email="ada@example.com")
GRACE = Subject(email="grace@example.org")
REGION = "eu-west-1"


def s3_client() -> Any:
    return boto3.client("s3", region_name=REGION)


def make_bucket(name: str, *, versioned: bool = False) -> Any:
    s3 = s3_client()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return s3


def body_of(s3: Any, bucket: str, key: str) -> bytes:
    return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def versions_of(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    listed = s3.list_object_versions(Bucket=bucket, Prefix=prefix)
    return [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]


# ------------------------------------------------------------------------------ DynamoDB


class QueryOnlyTable:
    """The table, with Query one item a page (so every page is followed) and Scan forbidden."""

    def __init__(self, table: Any) -> None:
        self._table = table
        self.pages = 0

    def query(self, **kwargs: Any) -> Any:
        self.pages += 1
        return self._table.query(Limit=1, **kwargs)

    def scan(self, **kwargs: Any) -> Any:
        raise AssertionError("a connector must never Scan")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)


PEOPLE_TABLE = DynamoDbStore(
    kind="dynamodb", table="people", index="ByEmail", identity_attribute="email", key_attributes=["id"]
)


@pytest.fixture
def people(aws: None) -> QueryOnlyTable:
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    table = dynamodb.create_table(
        TableName="people",
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "email", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByEmail",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in [
        {"id": "p1", "email": "ada@example.com", "name": "Ada Lovelace", "phone": "+442071234567", "n": 3},
        {"id": "p2", "email": "ada@example.com", "name": "Ada L.", "address": "12 St James's Square"},
        {"id": "p3", "email": "ada@example.com", "name": "A. Lovelace"},
        {"id": "p4", "email": "grace@example.org", "name": "Grace Hopper", "phone": "+12025550143"},
    ]:
        table.put_item(Item=item)
    return QueryOnlyTable(table)


def remaining(table: QueryOnlyTable) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in table._table.scan()["Items"]}  # the test may look


def test_dynamodb_export_follows_every_page_and_finds_only_the_subject(people: QueryOnlyTable) -> None:
    exported = list(DynamoDbConnector(people, PEOPLE_TABLE).export(Subject(email="Ada@Example.com ")))  # type: ignore[arg-type]

    assert sorted(record["id"] for record in exported) == ["p1", "p2", "p3"]
    assert people.pages >= 3, "one item a page: every page was followed"
    assert next(r for r in exported if r["id"] == "p1")["n"] == 3  # a plain number, not a Decimal


def test_dynamodb_delete_erases_once_and_the_second_run_finds_nothing(people: QueryOnlyTable) -> None:
    connector = DynamoDbConnector(people, PEOPLE_TABLE)  # type: ignore[arg-type]

    assert connector.delete(ADA) == 3
    assert connector.delete(ADA) == 0
    assert list(remaining(people)) == ["p4"]


def test_dynamodb_delete_by_key_erases_each_spelling_once_without_a_query(aws: None) -> None:
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    raw = dynamodb.create_table(
        TableName="newsletter",
        AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "email", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for email in ("Ada@Example.com", "ada@example.com", "grace@example.org"):
        raw.put_item(Item={"email": email, "topics": "releases"})
    table = QueryOnlyTable(raw)
    keyed_by_email = DynamoDbStore(
        kind="dynamodb", table="newsletter", identity_attribute="email", key_attributes=["email"]
    )
    connector = DynamoDbConnector(table, keyed_by_email)  # type: ignore[arg-type]

    assert connector.delete(Subject(email="Ada@Example.com")) == 2  # as given, and normalized
    assert connector.delete(Subject(email="Ada@Example.com")) == 0
    assert [item["email"] for item in raw.scan()["Items"]] == ["grace@example.org"]
    assert table.pages == 0, "the key is known: nothing to look up first"


def test_dynamodb_anonymize_replaces_only_what_each_item_holds(people: QueryOnlyTable) -> None:
    connector = DynamoDbConnector(people, PEOPLE_TABLE)  # type: ignore[arg-type]

    changed = connector.anonymize(ADA, {"name": "[removed]", "phone": None, "address": "[removed]"})

    items = remaining(people)
    assert changed == 3
    assert items["p1"]["name"] == "[removed]" and "phone" not in items["p1"]
    assert items["p2"]["address"] == "[removed]"
    assert "address" not in items["p1"] and "phone" not in items["p3"]  # nothing added
    assert items["p4"]["name"] == "Grace Hopper" and items["p4"]["phone"] == "+12025550143"


def test_dynamodb_correcting_twice_leaves_the_same_values(people: QueryOnlyTable) -> None:
    connector = DynamoDbConnector(people, PEOPLE_TABLE)  # type: ignore[arg-type]
    correction = {"phone": "+442079460000", "name": "Augusta Ada King"}

    first = connector.correct(ADA, correction)
    after_first = remaining(people)
    second = connector.correct(ADA, correction)

    assert (first, second) == (3, 3)
    assert remaining(people) == after_first
    assert after_first["p1"]["phone"] == "+442079460000"
    assert "phone" not in after_first["p2"], "a value the item did not hold is not added"
    assert {after_first[p]["name"] for p in ("p1", "p2", "p3")} == {"Augusta Ada King"}
    assert after_first["p4"]["name"] == "Grace Hopper"


def test_dynamodb_flags_are_set_and_a_vanished_item_is_not_brought_back(people: QueryOnlyTable) -> None:
    connector = DynamoDbConnector(people, PEOPLE_TABLE)  # type: ignore[arg-type]

    assert connector.set_fields(ADA, {"processing_restricted": True}) == 3
    assert connector._update({"id": "gone"}, {"processing_restricted": True}) == 0

    items = remaining(people)
    assert "gone" not in items
    assert all(items[p]["processing_restricted"] is True for p in ("p1", "p2", "p3"))
    assert "processing_restricted" not in items["p4"]


def test_dynamodb_keyed_by_email_finds_the_subject_by_its_key(aws: None) -> None:
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    table = dynamodb.create_table(
        TableName="leads",
        AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "email", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    table.put_item(Item={"email": "ada@example.com", "subscribed": True})
    table.put_item(Item={"email": "grace@example.org", "subscribed": True})
    store = DynamoDbStore(
        kind="dynamodb", table="leads", identity_attribute="email", key_attributes=["email"]
    )
    connector = DynamoDbConnector(QueryOnlyTable(table), store)  # type: ignore[arg-type]

    assert connector.set_fields(ADA, {"subscribed": False}) == 1
    assert table.get_item(Key={"email": "ada@example.com"})["Item"]["subscribed"] is False
    assert table.get_item(Key={"email": "grace@example.org"})["Item"]["subscribed"] is True


# ------------------------------------------------------------------------------ S3 JSON Lines

TICKETS = S3JsonLinesStore(
    kind="s3_jsonl", bucket="tickets", prefix="t/", identity_attribute="requester_email"
)
TICKET_LINES = [
    b'{"ticket": 1, "requester_email": "ada@example.com", "requester_name": "Ada", "topic": "Import"}\n',
    b'{"ticket": 2, "requester_email": "grace@example.org", "requester_name": "Grace", "topic": "Billing"}\n',
    b"not json at all\n",
    b"\n",
    b'{"ticket": 3, "requester_email": "ADA@example.com", "topic": "Training \\u00e9t\\u00e9"}\n',
    b'{"ticket": 4,   "requester_email": "alan@example.net", "topic": "API"}',
]


def seed_tickets(*, versioned: bool = False) -> Any:
    s3 = make_bucket(TICKETS.bucket, versioned=versioned)
    s3.put_object(Bucket=TICKETS.bucket, Key="t/2026-10.jsonl", Body=b"".join(TICKET_LINES))
    s3.put_object(Bucket=TICKETS.bucket, Key="t/2026-11.jsonl", Body=TICKET_LINES[1])
    return s3


def test_jsonl_export_finds_the_subject_in_every_spelling(aws: None) -> None:
    seed_tickets()

    exported = list(S3JsonLinesConnector(s3_client(), TICKETS).export("ada@example.com"))

    assert [record["ticket"] for record in exported] == [1, 3]


def test_jsonl_delete_removes_the_subjects_lines_once_and_keeps_the_rest_byte_for_byte(aws: None) -> None:
    s3 = seed_tickets()
    untouched_before = s3.get_object(Bucket=TICKETS.bucket, Key="t/2026-11.jsonl")["ETag"]
    connector = S3JsonLinesConnector(s3, TICKETS)

    assert connector.delete(ADA) == 2
    assert connector.delete(ADA) == 0

    kept = [TICKET_LINES[i] for i in (1, 2, 3, 5)]
    assert body_of(s3, TICKETS.bucket, "t/2026-10.jsonl") == b"".join(kept)
    untouched_after = s3.get_object(Bucket=TICKETS.bucket, Key="t/2026-11.jsonl")["ETag"]
    assert untouched_after == untouched_before, "an object without the subject is not rewritten"


def test_jsonl_anonymize_and_correct_change_only_the_subjects_lines(aws: None) -> None:
    s3 = seed_tickets()
    connector = S3JsonLinesConnector(s3, TICKETS)

    assert connector.anonymize(ADA, {"requester_name": "[removed]"}) == 2
    assert connector.correct(ADA, {"topic": "Corrected"}) == 2
    once = body_of(s3, TICKETS.bucket, "t/2026-10.jsonl")
    assert connector.correct(ADA, {"topic": "Corrected"}) == 2
    assert body_of(s3, TICKETS.bucket, "t/2026-10.jsonl") == once, "correcting twice changes nothing more"

    lines = once.splitlines(keepends=True)
    records = [json.loads(line) for line in lines if line.startswith(b"{")]
    ada = [r for r in records if r["requester_email"].lower() == "ada@example.com"]
    assert [r.get("requester_name") for r in ada] == ["[removed]", None], "nothing added to ticket 3"
    assert {r["topic"] for r in ada} == {"Corrected"}
    assert lines[1] == TICKET_LINES[1] and lines[2] == TICKET_LINES[2] and lines[5] == TICKET_LINES[5]


def test_jsonl_flags_are_set_on_each_of_the_subjects_lines(aws: None) -> None:
    s3 = seed_tickets()

    assert S3JsonLinesConnector(s3, TICKETS).set_fields(ADA, {"processing_restricted": True}) == 2

    records = [json.loads(line) for line in body_of(s3, TICKETS.bucket, "t/2026-10.jsonl").splitlines()[:5:4]]
    assert [r.get("processing_restricted") for r in records] == [True, True]


def test_jsonl_rewrite_in_a_versioned_bucket_leaves_no_earlier_version(aws: None) -> None:
    s3 = seed_tickets(versioned=True)
    s3.put_object(Bucket=TICKETS.bucket, Key="t/2026-10.jsonl", Body=b"".join(TICKET_LINES))  # 2 versions

    S3JsonLinesConnector(s3, TICKETS).delete(ADA)

    versions = versions_of(s3, TICKETS.bucket, "t/2026-10.jsonl")
    assert len(versions) == 1 and versions[0]["IsLatest"]
    assert b"ada@example.com" not in body_of(s3, TICKETS.bucket, "t/2026-10.jsonl").lower()


class WriterInTheWay:
    """S3, except that another writer replaces the object right after each of the first reads."""

    def __init__(self, s3: Any, interruptions: int) -> None:
        self._s3 = s3
        self.interruptions = interruptions

    def get_object(self, **kwargs: Any) -> Any:
        answer = self._s3.get_object(**kwargs)
        if self.interruptions:
            self.interruptions -= 1
            current = body_of(self._s3, kwargs["Bucket"], kwargs["Key"])
            late_line = b'{"ticket": 9, "requester_email": "late@example.com"}\n'
            self._s3.put_object(Bucket=kwargs["Bucket"], Key=kwargs["Key"], Body=current + late_line)
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)


def test_jsonl_rewrite_starts_again_when_another_writer_got_there_first(aws: None) -> None:
    s3 = make_bucket(TICKETS.bucket)
    s3.put_object(Bucket=TICKETS.bucket, Key="t/2026-10.jsonl", Body=b"".join(TICKET_LINES))

    removed = S3JsonLinesConnector(WriterInTheWay(s3, interruptions=1), TICKETS).delete(ADA)  # type: ignore[arg-type]

    body = body_of(s3, TICKETS.bucket, "t/2026-10.jsonl")
    assert removed == 2
    assert b"late@example.com" in body, "the other writer's line is not lost"
    assert b"ada@example.com" not in body.lower()


def test_jsonl_rewrite_gives_up_when_the_object_never_stops_changing(aws: None) -> None:
    s3 = make_bucket(TICKETS.bucket)
    s3.put_object(Bucket=TICKETS.bucket, Key="t/2026-10.jsonl", Body=b"".join(TICKET_LINES))

    with pytest.raises(RuntimeError, match="changed during each of 3 rewrites"):
        S3JsonLinesConnector(WriterInTheWay(s3, interruptions=5), TICKETS).delete(ADA)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ S3 CSV

LOGS = S3CsvStore(kind="s3_csv", bucket="web-logs", prefix="web/", identity_attribute="email")
LOG_ROWS = [
    b"timestamp,email,ip,path\r\n",
    b"2026-10-02T09:14:03Z,ada@example.com,203.0.113.7,/pricing\r\n",
    b'2026-10-02T11:40:51Z,grace@example.org,198.51.100.23,"/search?q=a,b"\r\n',
    b'2026-10-05T17:02:12Z,Ada@Example.com,203.0.113.7,"/notes\r\nsecond line"\r\n',
    b"a short row\r\n",
    b"2026-10-07T08:25:40Z,alan@example.net,192.0.2.44,/docs\r\n",
]


def seed_logs() -> Any:
    s3 = make_bucket(LOGS.bucket)
    s3.put_object(Bucket=LOGS.bucket, Key="web/2026-10.csv", Body=b"".join(LOG_ROWS))
    return s3


def test_csv_export_reads_quoted_fields_and_line_breaks(aws: None) -> None:
    seed_logs()

    exported = list(S3CsvConnector(s3_client(), LOGS).export(ADA))

    assert [record["ip"] for record in exported] == ["203.0.113.7", "203.0.113.7"]
    assert exported[1]["path"] == "/notes\r\nsecond line"
    assert set(exported[0]) == {"timestamp", "email", "ip", "path"}


def test_csv_delete_erases_once_and_keeps_every_other_row_byte_for_byte(aws: None) -> None:
    s3 = seed_logs()
    connector = S3CsvConnector(s3, LOGS)

    assert connector.delete(ADA) == 2
    assert connector.delete(ADA) == 0

    assert body_of(s3, LOGS.bucket, "web/2026-10.csv") == b"".join(LOG_ROWS[i] for i in (0, 2, 4, 5))


def test_csv_anonymize_and_correct_rewrite_only_the_subjects_rows(aws: None) -> None:
    s3 = seed_logs()
    connector = S3CsvConnector(s3, LOGS)

    assert connector.anonymize(ADA, {"ip": "0.0.0.0", "user_agent": None}) == 2  # no such column: skipped
    assert connector.correct(ADA, {"path": "/corrected, with comma"}) == 2
    once = body_of(s3, LOGS.bucket, "web/2026-10.csv")
    assert connector.correct(ADA, {"path": "/corrected, with comma"}) == 2

    assert body_of(s3, LOGS.bucket, "web/2026-10.csv") == once
    assert once.split(b"\r\n")[1] == b'2026-10-02T09:14:03Z,ada@example.com,0.0.0.0,"/corrected, with comma"'
    assert b"203.0.113.7" not in once
    for row in (LOG_ROWS[0], LOG_ROWS[2], LOG_ROWS[4], LOG_ROWS[5]):
        assert row in once


def test_csv_flags_need_a_column_to_record_them(aws: None) -> None:
    s3 = seed_logs()
    before = body_of(s3, LOGS.bucket, "web/2026-10.csv")

    with pytest.raises(StoreLayoutError, match="no column processing_restricted"):
        S3CsvConnector(s3, LOGS).set_fields(ADA, {"processing_restricted": True})

    assert body_of(s3, LOGS.bucket, "web/2026-10.csv") == before


def test_csv_flags_are_written_as_text(aws: None) -> None:
    s3 = make_bucket(LOGS.bucket)
    s3.put_object(
        Bucket=LOGS.bucket,
        Key="web/prefs.csv",
        Body=b"email,tracking\nada@example.com,true\ngrace@example.org,true\n",
    )

    assert S3CsvConnector(s3, LOGS).set_fields(ADA, {"tracking": False}) == 1

    assert body_of(s3, LOGS.bucket, "web/prefs.csv") == (
        b"email,tracking\nada@example.com,false\ngrace@example.org,true\n"
    )


# ------------------------------------------------------------------------------ S3 objects

CVS = S3ObjectsStore(kind="s3_objects", bucket="applications", key_template="cvs/{email_hash}/")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


def seed_cvs(*, versioned: bool = True) -> tuple[Any, str, str]:
    s3 = make_bucket(CVS.bucket, versioned=versioned)
    ada = S3ObjectsConnector(s3, CVS).prefix_for(ADA)
    grace = S3ObjectsConnector(s3, CVS).prefix_for(GRACE)
    s3.put_object(Bucket=CVS.bucket, Key=ada + "cv.pdf", Body=PDF + b"v1", ContentType="application/pdf")
    s3.put_object(Bucket=CVS.bucket, Key=ada + "cv.pdf", Body=PDF + b"v2", ContentType="application/pdf")
    s3.put_object(
        Bucket=CVS.bucket, Key=ada + "letter.txt", Body="Dear team ✓".encode(), ContentType="text/plain"
    )
    s3.put_object(Bucket=CVS.bucket, Key=ada + "withdrawn.txt", Body=b"old", ContentType="text/plain")
    s3.delete_object(Bucket=CVS.bucket, Key=ada + "withdrawn.txt")  # a delete marker, if versioned
    s3.put_object(Bucket=CVS.bucket, Key=grace + "cv.pdf", Body=PDF, ContentType="application/pdf")
    return s3, ada, grace


def test_objects_are_found_by_the_hash_of_the_email_never_the_email(aws: None) -> None:
    connector = S3ObjectsConnector(s3_client(), CVS)

    prefix = connector.prefix_for(Subject(email=" ADA@example.com"))

    assert prefix == "cvs/" + ADA.email_hash + "/"
    assert len(ADA.email_hash) == 64 and "@" not in prefix
    assert prefix == connector.prefix_for(ADA)


def test_objects_export_gives_text_inline_and_binary_as_base64(aws: None) -> None:
    seed_cvs()

    exported = {r["file"]: r for r in S3ObjectsConnector(s3_client(), CVS).export(ADA)}

    assert set(exported) == {"cv.pdf", "letter.txt"}, "only current objects"
    assert exported["letter.txt"]["content"] == "Dear team ✓"
    assert exported["cv.pdf"]["content_base64"] == "JVBERi0xLjQKJeLjz9MKdjI="  # the current version
    assert exported["cv.pdf"]["size"] == len(PDF) + 2
    assert exported["cv.pdf"]["content_type"] == "application/pdf"


def test_objects_larger_than_the_inline_limit_are_exported_as_metadata(aws: None) -> None:
    seed_cvs()
    small_limit = CVS.model_copy(update={"max_inline_bytes": 10})

    exported = {r["file"]: r for r in S3ObjectsConnector(s3_client(), small_limit).export(ADA)}

    assert "content_base64" not in exported["cv.pdf"] and "content_omitted" in exported["cv.pdf"]


def test_objects_erasure_removes_every_version_and_delete_marker_once(aws: None) -> None:
    s3, ada, grace = seed_cvs(versioned=True)
    assert len(versions_of(s3, CVS.bucket, ada)) == 5  # 2 cv versions, the letter, withdrawn + its marker
    connector = S3ObjectsConnector(s3, CVS)

    assert connector.delete(ADA) == 3  # cv.pdf, letter.txt and withdrawn.txt
    assert connector.delete(ADA) == 0

    assert versions_of(s3, CVS.bucket, ada) == []
    assert len(versions_of(s3, CVS.bucket, grace)) == 1
    assert list(connector.export(ADA)) == []


def test_objects_erasure_works_in_an_unversioned_bucket(aws: None) -> None:
    s3, ada, grace = seed_cvs(versioned=False)

    assert S3ObjectsConnector(s3, CVS).delete(ADA) == 2

    assert s3.list_objects_v2(Bucket=CVS.bucket, Prefix=ada).get("KeyCount") == 0
    assert s3.list_objects_v2(Bucket=CVS.bucket, Prefix=grace).get("KeyCount") == 1


def test_objects_by_account_need_an_account_the_product_vouched_for(aws: None) -> None:
    by_account = S3ObjectsStore(kind="s3_objects", bucket="uploads", key_template="uploads/{account_id}/")
    connector = S3ObjectsConnector(s3_client(), by_account)

    with pytest.raises(IdentityUnavailableError, match="account_id"):
        connector.prefix_for(ADA)
    assert connector.prefix_for(Subject(email=ADA.email, account_id="acct-1001")) == "uploads/acct-1001/"


@pytest.mark.parametrize(
    "account_id",
    ["acct-1001/../acct-1002", "../acct-1002", "acct-1002/", "acct-*", "acct 1002", "acct%2F1002", "." * 3],
)
def test_an_account_id_that_is_not_a_plain_id_reaches_no_object(aws: None, account_id: str) -> None:
    by_account = S3ObjectsStore(kind="s3_objects", bucket="uploads", key_template="uploads/{account_id}/")
    s3 = make_bucket(by_account.bucket, versioned=False)
    for account in ("acct-1001", "acct-1002"):
        s3.put_object(Bucket=by_account.bucket, Key=f"uploads/{account}/avatar.png", Body=b"png")
    connector = S3ObjectsConnector(s3, by_account)
    subject = Subject(email=ADA.email, account_id=account_id)

    with pytest.raises(IdentityUnavailableError, match="cannot name an object prefix"):
        connector.delete(subject)
    with pytest.raises(IdentityUnavailableError, match="cannot name an object prefix"):
        list(connector.export(subject))
    assert s3.list_objects_v2(Bucket=by_account.bucket)["KeyCount"] == 2
