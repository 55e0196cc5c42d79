"""A DynamoDB table that holds subjects, found by a key or an index on the identity attribute
(their email, or an account id).

Items are found with Query (paginated), never Scan. Every update is conditional on the item still
existing, so a change racing an erasure cannot bring a deleted item back as a stub.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from dsr.connectors.base import FlagValue, Record, Replacement, Subject
from dsr.core.registry_stores import DynamoDbStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoDbConnector:
    def __init__(self, table: Table, location: DynamoDbStore) -> None:
        self._table = table
        self._location = location

    def export(self, subject: Subject | str) -> Iterator[Record]:
        for item in self._matching_items(Subject.of(subject)):
            yield {key: _plain(value) for key, value in item.items()}

    def delete(self, subject: Subject) -> int:
        if self._keyed_by_identity:
            # The identity is the whole key: one DeleteItem per spelling says whether it was there.
            return sum(
                "Attributes"
                in self._table.delete_item(
                    Key={self._location.identity_attribute: identity}, ReturnValues="ALL_OLD"
                )
                for identity in self._identities(subject)
            )
        keys = [self._key_of(item) for item in self._matching_items(subject)]
        for key in keys:
            self._table.delete_item(Key=key)
        return len(keys)

    @property
    def _keyed_by_identity(self) -> bool:
        location = self._location
        return location.index is None and location.key_attributes == [location.identity_attribute]

    def _identities(self, subject: Subject) -> list[str]:
        return subject.email_spellings() if self._location.identity == "email" else subject.account_ids()

    def anonymize(self, subject: Subject, replacements: Mapping[str, Replacement]) -> int:
        return self._update_held_attributes(subject, replacements)

    def correct(self, subject: Subject, values: Mapping[str, str]) -> int:
        return self._update_held_attributes(subject, values)

    def set_fields(self, subject: Subject, fields: Mapping[str, FlagValue]) -> int:
        marked = 0
        for key in [self._key_of(item) for item in self._matching_items(subject)]:
            marked += self._update(key, fields)
        return marked

    def _update_held_attributes(self, subject: Subject, values: Mapping[str, Replacement]) -> int:
        """Only attributes an item already holds are replaced: nothing is added that was not there."""
        changed = 0
        for item in list(self._matching_items(subject)):
            held = {name: value for name, value in values.items() if name in item}
            if held:
                changed += self._update(self._key_of(item), held)
        return changed

    def _update(self, key: Mapping[str, Any], values: Mapping[str, Replacement]) -> int:
        """SET the values (REMOVE those that are None) if the item still exists; 1 if it did."""
        names = {"#key": self._location.key_attributes[0]}
        expression_values: dict[str, Any] = {}
        sets, removes = [], []
        for index, (name, value) in enumerate(values.items()):
            names[f"#a{index}"] = name
            if value is None:
                removes.append(f"#a{index}")
            else:
                expression_values[f":v{index}"] = value
                sets.append(f"#a{index} = :v{index}")
        expression = " ".join(
            clause
            for clause in (
                "SET " + ", ".join(sets) if sets else "",
                "REMOVE " + ", ".join(removes) if removes else "",
            )
            if clause
        )
        arguments: dict[str, Any] = {
            "Key": dict(key),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(#key)",
            "ExpressionAttributeNames": names,
        }
        if expression_values:
            arguments["ExpressionAttributeValues"] = expression_values
        try:
            self._table.update_item(**arguments)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return 0  # erased meanwhile: nothing to change
            raise
        return 1

    def _matching_items(self, subject: Subject) -> Iterator[dict[str, Any]]:
        """Query, never Scan: by the table key or by the index on the identity attribute, for the
        address as given and as normalized (stores compare exactly), or for each of the subject's
        account ids in a table keyed by account; each item once."""
        seen: set[tuple[Any, ...]] = set()
        for identity in self._identities(subject):
            for item in self._query(identity):
                key = tuple(item[name] for name in self._location.key_attributes)
                if key not in seen:
                    seen.add(key)
                    yield item

    def _query(self, identity: str) -> Iterator[dict[str, Any]]:
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
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
