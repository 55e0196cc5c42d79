"""The Parquet data lake connector on small objects in moto's S3 (no local cloud): what is found
and exported, what an erasure, an anonymization or a flag leaves, that other people's rows keep
their content, that statistics spare reading row groups, and that a change made meanwhile is
not lost."""

from __future__ import annotations

import io
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsr.connectors.base import IdentityUnavailableError, StoreLayoutError, Subject
from dsr.connectors.parquet_statistics import WHITESPACE, email_may_be_between
from dsr.connectors.s3_parquet import S3ParquetConnector
from dsr.core.keyed_hash import normalized_email
from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import S3ParquetStore

ADA = Subject(email="ada@example.com")
LAKE = S3ParquetStore(kind="s3_parquet", bucket="lake", prefix="events/", identity_column="email")
KEY = "events/date=2026-10-01/part-0.parquet"
SCHEMA = pa.schema([("at", pa.string()), ("email", pa.string()), ("ip", pa.string()), ("n", pa.int64())])


def rows(emails: list[str | None], start: int = 0) -> list[dict[str, Any]]:
    return [
        {"at": f"2026-10-01T09:{i:02d}", "email": e, "ip": f"203.0.113.{i}", "n": start + i}
        for i, e in enumerate(emails)
    ]


def parquet_bytes(groups: list[list[dict[str, Any]]], compression: str = "zstd") -> bytes:
    out = io.BytesIO()
    with pq.ParquetWriter(out, SCHEMA, compression=compression) as writer:
        for group in groups:
            writer.write_table(pa.Table.from_pylist(group, schema=SCHEMA))
    return out.getvalue()


GROUPS = [
    rows(["ada@example.com", "grace@example.org", "Ada@Example.com "]),
    rows(["alan@example.net", "grace@example.org"], start=10),
    rows(["zed@example.com", "zoe@example.com"], start=20),
]


def lake(aws: None, *, versioned: bool = False, groups: list[list[dict[str, Any]]] = GROUPS) -> Any:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="lake")
    if versioned:
        s3.put_bucket_versioning(Bucket="lake", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="lake", Key=KEY, Body=parquet_bytes(groups))
    return s3


def stored(s3: Any, key: str = KEY) -> pq.ParquetFile:
    return pq.ParquetFile(io.BytesIO(s3.get_object(Bucket="lake", Key=key)["Body"].read()))


def others(table: pa.Table) -> list[dict[str, Any]]:
    return [r for r in table.to_pylist() if normalized_email(r["email"] or "") != "ada@example.com"]


def test_export_gives_every_row_of_the_subject_in_any_spelling(aws: None) -> None:
    lake(aws)
    exported = list(S3ParquetConnector(boto3.client("s3"), LAKE).export(ADA))
    assert [r["n"] for r in exported] == [0, 2]
    assert exported[0] == {"at": "2026-10-01T09:00", "email": "ada@example.com", "ip": "203.0.113.0", "n": 0}


def test_erasure_removes_the_rows_keeps_everyone_elses_and_the_layout_and_runs_once(aws: None) -> None:
    s3 = lake(aws)
    before = stored(s3)
    connector = S3ParquetConnector(s3, LAKE)

    removed = connector.delete(ADA)

    after = stored(s3)
    assert removed == 2
    assert connector.rows_by_object == {KEY: 2}
    assert others(after.read()) == others(before.read())
    assert after.schema_arrow == before.schema_arrow
    assert after.metadata.num_row_groups == 3
    assert after.metadata.row_group(0).column(1).compression == "ZSTD"
    assert S3ParquetConnector(s3, LAKE).delete(ADA) == 0, "a second erasure finds nothing"
    assert list(S3ParquetConnector(s3, LAKE).export(ADA)) == []


def test_erasure_in_a_versioned_bucket_leaves_no_version_holding_the_rows(aws: None) -> None:
    s3 = lake(aws, versioned=True)
    S3ParquetConnector(s3, LAKE).delete(ADA)
    versions = s3.list_object_versions(Bucket="lake", Prefix=KEY)
    assert len(versions["Versions"]) == 1 and "DeleteMarkers" not in versions
    assert "ada@example.com" not in str(stored(s3).read().to_pylist()).lower()


def test_anonymize_replaces_the_named_columns_of_the_subjects_rows_only(aws: None) -> None:
    s3 = lake(aws)
    changed = S3ParquetConnector(s3, LAKE).anonymize(ADA, {"ip": "0.0.0.0", "email": None, "absent": "x"})
    table = stored(s3).read().to_pylist()
    assert changed == 2
    assert [(r["email"], r["ip"]) for r in table if r["n"] in (0, 2)] == [(None, "0.0.0.0")] * 2
    assert [r["ip"] for r in table if r["n"] == 1] == ["203.0.113.1"]


def test_flags_need_a_column_to_record_them(aws: None) -> None:
    s3 = lake(aws)
    with pytest.raises(StoreLayoutError, match="no column processing_restricted"):
        S3ParquetConnector(s3, LAKE).set_fields(ADA, {"processing_restricted": True})
    assert S3ParquetConnector(s3, LAKE).set_fields(ADA, {"ip": "restricted"}) == 2


def test_an_unknown_identity_column_is_named_with_the_object(aws: None) -> None:
    lake(aws)
    wrong = LAKE.model_copy(update={"identity_column": "user_email"})
    with pytest.raises(StoreLayoutError, match="identity_column 'user_email' is not a column of s3://lake/"):
        list(S3ParquetConnector(boto3.client("s3"), wrong).export(ADA))


def test_a_lake_by_account_needs_a_verified_account(aws: None) -> None:
    lake(aws)
    by_account = LAKE.model_copy(update={"identity": "account_id", "identity_column": "ip"})
    with pytest.raises(IdentityUnavailableError):
        S3ParquetConnector(boto3.client("s3"), by_account).delete(ADA)
    vouched = Subject(email="ada@example.com", account_id="203.0.113.1")
    assert [r["n"] for r in S3ParquetConnector(boto3.client("s3"), by_account).export(vouched)] == [1, 11, 21]


class CountingReads:
    """S3, counting the bytes of each ranged read."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3
        self.ranges: list[str] = []

    def get_object(self, **kwargs: Any) -> Any:
        self.ranges.append(kwargs.get("Range", "whole"))
        return self._s3.get_object(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)


def test_row_groups_whose_statistics_rule_the_subject_out_are_not_read(aws: None) -> None:
    sorted_groups = [rows([f"a{i:03d}@example.com" for i in range(50)]), rows(["zoe@example.com"] * 50)]
    s3 = lake(aws, groups=sorted_groups)
    metadata = stored(s3).metadata
    zoe_chunk = metadata.row_group(1).column(1)
    reads = CountingReads(s3)
    exported = list(S3ParquetConnector(reads, LAKE).export(Subject(email="a001@example.com")))  # type: ignore[arg-type]
    assert [r["email"] for r in exported] == ["a001@example.com"]
    start = zoe_chunk.dictionary_page_offset or zoe_chunk.data_page_offset
    read_starts = [int(r.removeprefix("bytes=").split("-")[0]) for r in reads.ranges]
    assert start not in read_starts, "the second row group's identity column was read"
    assert "whole" not in reads.ranges, "export reads ranges, never the whole object"


def test_nothing_of_the_subjects_rewrites_nothing(aws: None) -> None:
    s3 = lake(aws, versioned=True)
    assert S3ParquetConnector(s3, LAKE).delete(Subject(email="nobody@example.com")) == 0
    assert len(s3.list_object_versions(Bucket="lake", Prefix=KEY)["Versions"]) == 1


class WriterInTheWay:
    """S3, except that another writer adds a row group right after the first whole read."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3
        self.interrupted = False

    def get_object(self, **kwargs: Any) -> Any:
        answer = self._s3.get_object(**kwargs)
        if "Range" not in kwargs and not self.interrupted:
            self.interrupted = True
            late = [*GROUPS, rows(["late@example.com", "ada@example.com"], start=30)]
            self._s3.put_object(Bucket="lake", Key=KEY, Body=parquet_bytes(late))
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)


def test_an_object_changed_meanwhile_is_rewritten_from_the_new_version(aws: None) -> None:
    s3 = lake(aws)
    removed = S3ParquetConnector(WriterInTheWay(s3), LAKE).delete(ADA)  # type: ignore[arg-type]
    emails = [r["email"] for r in stored(s3).read().to_pylist()]
    assert removed == 3
    assert "late@example.com" in emails, "the other writer's rows are not lost"
    assert not [e for e in emails if normalized_email(e) == "ada@example.com"]


class ReplacedAfterHead:
    """S3, except that another writer replaces the object right after it is first looked at,
    before any of its bytes are read."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3
        self.replaced = False

    def head_object(self, **kwargs: Any) -> Any:
        answer = self._s3.head_object(**kwargs)
        if not self.replaced:
            self.replaced = True
            late = [*GROUPS, rows(["late@example.com", "ada@example.com"], start=30)]
            self._s3.put_object(Bucket="lake", Key=KEY, Body=parquet_bytes(late))
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)


def test_an_object_replaced_before_its_bytes_are_read_is_read_again_from_the_new_version(aws: None) -> None:
    s3 = lake(aws)
    removed = S3ParquetConnector(ReplacedAfterHead(s3), LAKE).delete(ADA)  # type: ignore[arg-type]
    emails = [r["email"] for r in stored(s3).read().to_pylist()]
    assert removed == 3
    assert "late@example.com" in emails
    assert not [e for e in emails if normalized_email(e) == "ada@example.com"]


spellings = st.builds(
    lambda lead, cases, trail: lead + cases + trail,
    st.text(alphabet=WHITESPACE, max_size=2),
    st.sampled_from(["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.Com", "kim@ex.k", "\u212aim@ex.k"]),
    st.text(alphabet=WHITESPACE, max_size=2),
)


@settings(max_examples=20, deadline=None)
@given(spelling=spellings, low=st.text(max_size=6), high=st.text(max_size=6))
def test_statistics_never_rule_out_a_row_group_that_holds_a_spelling(
    spelling: str, low: str, high: str
) -> None:
    low, high = min(low, spelling), max(high, spelling)
    assert email_may_be_between(normalized_email(spelling), low, high)


def test_whitespace_is_every_character_strip_removes() -> None:
    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == WHITESPACE


def test_anonymizing_a_column_not_declared_personal_is_refused_when_the_registry_is_read() -> None:
    entry = {
        "id": "lake",
        "name": "Lake",
        "owner": "data",
        "categories": ["usage data"],
        "store": {**LAKE.model_dump(), "personal_columns": ["email", "ip"]},
        "actions": {"export": {}, "erase": {"method": "anonymize", "fields": {"ip": None, "country": "-"}}},
    }
    with pytest.raises(ValueError, match=r"country not among store\.personal_columns"):
        SystemEntry.model_validate(entry)
    entry["actions"] = {"erase": {"method": "anonymize", "fields": {"ip": None}}}
    assert SystemEntry.model_validate(entry).store.kind == "s3_parquet"
