"""Access packages: each system's export as a part, compiled into one encrypted object."""

from __future__ import annotations

import html
import json
import tempfile
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class PackageStore:
    def __init__(self, s3: S3Client, bucket: str, kms_key_id: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._kms_key_id = kms_key_id

    def _encryption(self) -> dict[str, str]:
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self._kms_key_id}

    def put_part(self, request_id: str, system_id: str, records: Iterable[dict[str, Any]]) -> int:
        """Write one system's records as JSON Lines, streamed through a file; the count written."""
        count = 0
        with tempfile.TemporaryFile() as part:
            for record in records:
                part.write(json.dumps(record, default=str, sort_keys=True).encode() + b"\n")
                count += 1
            part.seek(0)
            self._s3.upload_fileobj(
                part,
                self._bucket,
                part_key(request_id, system_id),
                ExtraArgs={**self._encryption(), "ContentType": "application/x-ndjson"},
            )
        return count

    def compile(self, request_id: str, system_ids: Iterable[str], header: dict[str, Any]) -> str:
        """Join the parts into one JSON document without holding it all in memory; its key."""
        key = package_key(request_id)
        with tempfile.TemporaryFile() as package:
            package.write(b'{"request": ' + json.dumps(header, default=str).encode())
            package.write(b', "systems": {')
            for index, system_id in enumerate(sorted(system_ids)):
                if index:
                    package.write(b", ")
                package.write(json.dumps(system_id).encode() + b": [")
                body = self._s3.get_object(Bucket=self._bucket, Key=part_key(request_id, system_id))
                for line_number, line in enumerate(body["Body"].iter_lines()):
                    if line_number:
                        package.write(b", ")
                    package.write(line)
                package.write(b"]")
            package.write(b"}}\n")
            package.seek(0)
            self._s3.upload_fileobj(
                package,
                self._bucket,
                key,
                ExtraArgs={
                    **self._encryption(),
                    "ContentType": "application/json",
                    "ContentDisposition": 'attachment; filename="my-personal-data.json"',
                },
            )
        return key

    def compile_readable(self, request_id: str, system_ids: Iterable[str], header: dict[str, Any]) -> str:
        """The same package as a page for people: grouped by system, with each system's data
        categories, every value escaped; streamed part by part like the JSON one. Its key."""
        key = readable_package_key(request_id)
        systems = header.get("systems", {})
        with tempfile.TemporaryFile() as page:
            page.write(_page_start(request_id, str(header.get("generated_at", ""))).encode())
            for system_id in sorted(system_ids):
                described = systems.get(system_id, {})
                page.write(
                    _system_heading(str(described.get("name", system_id)), described.get("categories", []))
                )
                body = self._s3.get_object(Bucket=self._bucket, Key=part_key(request_id, system_id))
                for line in body["Body"].iter_lines():
                    page.write(_record_html(json.loads(line)))
                page.write(b"</section>\n")
            page.write(b"</main></body></html>\n")
            page.seek(0)
            self._s3.upload_fileobj(
                page,
                self._bucket,
                key,
                ExtraArgs={
                    **self._encryption(),
                    "ContentType": "text/html; charset=utf-8",
                    "ContentDisposition": 'attachment; filename="my-personal-data.html"',
                },
            )
        return key

    def put_evidence(self, request_id: str, name: str, content: bytes) -> str:
        """Keep a document the request relies on (an agent's signed permission), encrypted."""
        key = f"evidence/{request_id}/{name}"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=content, **self._encryption())  # type: ignore[arg-type]
        return key

    def link(self, key: str, expires_in_seconds: int) -> str:
        return self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=expires_in_seconds,
        )


def _page_start(request_id: str, generated_at: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Your personal data</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;border-top:1px solid #ccc;"
        "padding-top:.5rem}dt{font-weight:600}dd{margin:0;word-break:break-word}</style></head><body><main>"
        f"<h1>Your personal data</h1><p>Reference {html.escape(request_id)}, "
        f"prepared {html.escape(generated_at)}."
        " The same data in a format for computers (JSON) is offered beside this page where you"
        " downloaded it.</p>"
    )


def _system_heading(name: str, categories: Iterable[str]) -> bytes:
    listed = ", ".join(html.escape(str(category)) for category in categories)
    return f"<section><h2>{html.escape(name)}</h2><p>Kinds of data: {listed}</p>".encode()


def _record_html(record: Any) -> bytes:
    if not isinstance(record, dict):
        record = {"value": record}
    rows = "".join(
        f"<dt>{html.escape(str(field))}</dt><dd>{html.escape(_shown(value))}</dd>"
        for field, value in record.items()
    )
    return f"<dl>{rows}</dl>\n".encode()


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def readable_package_key(request_id: str) -> str:
    return f"packages/{request_id}/access-package.html"


def part_key(request_id: str, system_id: str) -> str:
    return f"parts/{request_id}/{system_id}.jsonl"


def package_key(request_id: str) -> str:
    return f"packages/{request_id}/access-package.json"
