"""A DynamoDB table that holds subjects, found by a key or an index on the identity attribute."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from dsr.connectors import Record
from dsr.registry import DynamoDbStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoDbConnector:
    def __init__(self, table: Table, location: DynamoDbStore) -> None:
        self._table = table
        self._location = location

    def export(self, identity: str) -> Iterator[Record]:
        for item in self._matching_items(identity):
            yield {key: _plain(value) for key, value in item.items()}

    def erase(self, identity: str) -> int:
        removed = 0
        for item in list(self._matching_items(identity)):
            self._table.delete_item(Key=self._key_of(item))
            removed += 1
        return removed

    def opt_out(self, identity: str, set_fields: Mapping[str, Any]) -> int:
        names = {f"#f{i}": name for i, name in enumerate(set_fields)}
        values = {f":v{i}": value for i, value in enumerate(set_fields.values())}
        expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(set_fields)))
        marked = 0
        for item in list(self._matching_items(identity)):
            self._table.update_item(
                Key=self._key_of(item),
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
            marked += 1
        return marked

    def _matching_items(self, identity: str) -> Iterator[dict[str, Any]]:
        """Query, never Scan: by the table key or by the index on the identity attribute."""
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key(self._location.identity_attribute).eq(identity)
        }
        if self._location.index:
            kwargs["IndexName"] = self._location.index
        while True:
            page = self._table.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _key_of(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self._location.key_attributes}


def _plain(value: Any) -> Any:
    """DynamoDB numbers arrive as Decimal; a package holds plain JSON."""
    from decimal import Decimal  # noqa: PLC0415

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
