"""A customer's CRM, read for the people the customer is the controller of: which customers hold
a contact (a Query on the contacts table's index, page after page, never a Scan), and what one
customer's item says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from dsr.storage.dynamo import query_all

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def customers_holding(
    contacts: Table, *, index: str, identity_attribute: str, identity: str, customer_attribute: str
) -> list[str]:
    """The ids of the customers with a contact whose ``identity_attribute`` is ``identity``, each once."""
    query = {"IndexName": index, "KeyConditionExpression": Key(identity_attribute).eq(identity)}
    found = (item.get(customer_attribute) for item in query_all(contacts, query))
    return list(dict.fromkeys(str(customer) for customer in found if customer is not None))


def customer(customers: Table, customer_attribute: str, customer_id: str) -> dict[str, Any]:
    """One customer's item (empty when the customer is unknown)."""
    return dict(customers.get_item(Key={customer_attribute: customer_id}).get("Item") or {})
