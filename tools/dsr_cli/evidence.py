"""``dsr staff evidence REQUEST_ID``: a request's evidence pack, produced by the desk and written
to a directory: the JSON file, its PDF, and the JSON's SHA-256 in ``sha256sum``'s format (so
``sha256sum -c`` checks it). The command checks the checksum itself before it writes anything."""

from __future__ import annotations

import argparse
import hashlib
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from dsr_cli.command import CommandError, print_json, refusal
from dsr_cli.http_client import DeskClient


class EvidenceError(CommandError):
    """The desk refused, or the files it linked do not match the checksum it gave."""


@dataclass(frozen=True)
class EvidenceFiles:
    sha256: str
    json_path: Path
    pdf_path: Path
    checksum_path: Path
    closed: bool


def add_evidence_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--directory",
        type=Path,
        default=Path(),
        help="where to write the pack's files (the current directory if not given)",
    )


def fetch_pack(client: DeskClient, request_id: str) -> tuple[dict[str, Any], bytes, bytes]:
    """Ask the desk for a pack; what it answered and the two files, checked against its checksum."""
    answer = client.post(f"/staff/requests/{request_id}/evidence")
    if answer.status != 200:
        raise EvidenceError(f"refused: {refusal(answer)}")
    produced: dict[str, Any] = answer.body
    content, pdf = download(produced["json_url"]), download(produced["pdf_url"])
    if hashlib.sha256(content).hexdigest() != produced["sha256"]:
        raise EvidenceError(f"the JSON file of {request_id} does not match its checksum {produced['sha256']}")
    if not pdf.startswith(b"%PDF") or produced["sha256"].encode() not in pdf:
        raise EvidenceError(f"the PDF of {request_id} does not print the JSON file's checksum")
    return produced, content, pdf


def write_pack(client: DeskClient, request_id: str, directory: Path) -> tuple[dict[str, Any], EvidenceFiles]:
    produced, content, pdf = fetch_pack(client, request_id)
    directory.mkdir(parents=True, exist_ok=True)
    stem = Path(produced["json_key"]).name.removesuffix(".json")
    json_path = directory / f"{request_id}-{stem}.json"
    pdf_path = directory / f"{request_id}-{stem}.pdf"
    checksum_path = directory / f"{json_path.name}.sha256"
    json_path.write_bytes(content)
    pdf_path.write_bytes(pdf)
    checksum_path.write_text(f"{produced['sha256']}  {json_path.name}\n", encoding="utf-8")
    files = EvidenceFiles(produced["sha256"], json_path, pdf_path, checksum_path, bool(produced["closed"]))
    return produced, files


def run_evidence_command(client: DeskClient, args: argparse.Namespace, out: TextIO) -> int:
    produced, files = write_pack(client, args.request_id, args.directory)
    if args.json:
        print_json(
            {
                **produced,
                "json_path": str(files.json_path),
                "pdf_path": str(files.pdf_path),
                "checksum_path": str(files.checksum_path),
            },
            out,
        )
        return 0
    scope = "closed" if files.closed else f"still open: as of {produced['produced_at']}"
    print(f"Evidence pack of request {args.request_id[:8]} ({scope}):", file=out)
    print(f"  {files.json_path}", file=out)
    print(f"  {files.pdf_path}", file=out)
    print(f"  {files.checksum_path}", file=out)
    print(f"  SHA-256 {files.sha256}", file=out)
    return 0


def download(url: str) -> bytes:
    """One presigned link's content (on the local cloud, S3 answers at the local cloud's address)."""
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise EvidenceError(f"not a link the desk makes: {url!r}")
    # The scheme is http or https: checked above.
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  # nosec B310
        return bytes(response.read())
