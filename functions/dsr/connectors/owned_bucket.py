"""A bucket the desk does not own, named with the account that should own it.

Bucket names are global: if the company's bucket were deleted and its name taken by another
account, calls by name alone would read or write a stranger's bucket. Every call names the owner
the registry expects (``ExpectedBucketOwner``), and S3 refuses the call (403 AccessDenied) when
the bucket belongs to any other account.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class OwnedBucket(NamedTuple):
    name: str
    owner: str | None = None
    """The 12-digit account expected to own the bucket; None only where no account applies
    (stand-in clients in tests and benchmarks)."""

    @property
    def arguments(self) -> dict[str, Any]:
        """``Bucket`` and ``ExpectedBucketOwner``, for any call on the bucket."""
        if self.owner is None:
            return {"Bucket": self.name}
        return {"Bucket": self.name, "ExpectedBucketOwner": self.owner}
