"""The one conditional-write helper and the one paginator every repository uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from dsr.storage.keys import key_of, request_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

BATCH_GET_LIMIT = 100  # keys per BatchGetItem call


class AlreadyExistsError(RuntimeError):
    """The item was written before (a redelivery or a race)."""


def is_conditional_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def write_if(write: Callable[..., Any], **arguments: Any) -> bool:
    """A conditional write; False (not an error) when its condition did not hold."""
    try:
        write(**arguments)
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise
    return True


def pages(table: Table, query: Mapping[str, Any], at_most: int | None = None) -> Iterator[Mapping[str, Any]]:
    """Every page of a query, following ``LastEvaluatedKey`` to the end, never only the first;
    with ``at_most``, pages until that many items came back (each asks only for what is missing)."""
    arguments = dict(query)
    seen = 0
    while at_most is None or seen < at_most:
        if at_most is not None:
            arguments["Limit"] = at_most - seen
        page = table.query(**arguments)
        seen += int(page.get("Count", 0))
        yield page
        if "LastEvaluatedKey" not in page:
            return
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def query_all(table: Table, query: Mapping[str, Any], at_most: int | None = None) -> list[dict[str, Any]]:
    """The items of a query, page after page (the first ``at_most`` if the caller wants no more)."""
    return [dict(item) for page in pages(table, query, at_most) for item in page.get("Items", [])]


def count_all(table: Table, query: Mapping[str, Any]) -> int:
    """How many items a query matches, counted over every page (no item is read)."""
    return sum(int(page.get("Count", 0)) for page in pages(table, {**query, "Select": "COUNT"}))


def batch_get(table: Table, keys: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """The items at ``keys`` (one per partition), by ``pk``; strongly consistent, a hundred keys
    a call, unprocessed keys asked again."""
    found: dict[str, dict[str, Any]] = {}
    client = table.meta.client  # the resource's client: it speaks plain Python values
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        pending: dict[str, Any] = {
            table.name: {"Keys": keys[start : start + BATCH_GET_LIMIT], "ConsistentRead": True}
        }
        while pending:
            answer = client.batch_get_item(RequestItems=pending)
            for item in answer.get("Responses", {}).get(table.name, []):
                found[str(item["pk"])] = dict(item)
            pending = dict(answer.get("UnprocessedKeys") or {})
    return found


def set_if(
    table: Table,
    key: Mapping[str, str],
    fields: Mapping[str, Any],
    condition: str,
    *,
    also_set: Iterable[str] = (),
    remove: Iterable[str] = (),
    values: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
) -> bool:
    """Set ``fields`` (any attribute names) on the item at ``key`` if ``condition`` holds, with
    the ``also_set`` assignments and without the attributes named in ``remove``, in one write
    (``values`` and ``names`` are theirs and the condition's). False when the condition did not hold."""
    sets, field_names, field_values = update_assignments(fields)
    names = {**field_names, **(names or {})}
    expression = "SET " + ", ".join([*sets, *also_set])
    removed = list(remove)
    if removed:
        expression += " REMOVE " + ", ".join(removed)
    return write_if(
        table.update_item,
        Key=dict(key),
        UpdateExpression=expression,
        ConditionExpression=condition,
        ExpressionAttributeValues={**field_values, **(values or {})},
        **({"ExpressionAttributeNames": names} if names else {}),
    )


def update_assignments(fields: Mapping[str, Any]) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    """``#f0 = :v0`` for each field, with its names and values (any attribute name is safe)."""
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values = {f":v{i}": value for i, value in enumerate(fields.values())}
    return [f"#f{i} = :v{i}" for i in range(len(fields))], names, values


class Repository:
    """A narrow view of the requests table: one kind of item, named operations."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def _index_keys(
        self, partition: str, before: datetime | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The keys in one partition of ``OpenByDue`` (due before ``before``, if given), in order."""
        condition: Any = Key("open_pk").eq(partition)
        if before is not None:
            condition = condition & Key("due_at").lt(before.isoformat())
        query = {"IndexName": "OpenByDue", "KeyConditionExpression": condition}
        return [key_of(item) for item in query_all(self._table, query, limit)]

    def _items_at(self, keys: Iterable[Mapping[str, str]]) -> list[dict[str, Any]]:
        """The items at ``keys`` as they are now (strongly consistent); one gone since is left out."""
        found = (self._table.get_item(Key=dict(key), ConsistentRead=True).get("Item") for key in keys)
        return [dict(item) for item in found if item is not None]

    def _query_prefix(self, request_id: str, prefix: str) -> list[dict[str, Any]]:
        condition = Key("pk").eq(request_pk(request_id)) & Key("sk").begins_with(prefix)
        return query_all(self._table, {"KeyConditionExpression": condition, "ConsistentRead": True})
