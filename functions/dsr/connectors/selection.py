"""Which connector reaches a system: one per kind of store, each kind's module imported the first
time a system of that kind is reached, so that a function loads only the connectors its systems
use. Fulfilment carries actions out through it; verification reads the held data points through
it too, which is why it sits with the connectors, below both stages."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import (
    DynamoDbStore,
    S3Bucket,
    S3CsvStore,
    S3JsonLinesStore,
    S3ObjectsStore,
    S3ParquetStore,
    SaasStore,
    SqlStore,
)

if TYPE_CHECKING:
    from dsr.connectors.base import Connector
    from dsr.connectors.saas_http import SaasHttp
    from dsr.wiring.desk import Desk


def connector_for(desk: Desk, system: SystemEntry, action: str | None = None) -> Connector:
    """The connector for the system's kind of store. Each kind's module is imported the first time
    a system of that kind is reached: a function loads only the connectors its systems use.
    ``action`` (the registry's name) is what a SaaS connector's ``set_fields`` carries out."""
    store = system.store
    if isinstance(store, DynamoDbStore):
        from dsr.connectors.dynamodb import DynamoDbConnector  # noqa: PLC0415 - see the docstring

        return DynamoDbConnector(desk.table(store.table), store)
    if isinstance(store, S3Bucket):
        return _bucket_connector(desk, store)
    if isinstance(store, SqlStore):
        from dsr.connectors.sql_database import SqlConnector  # noqa: PLC0415

        return SqlConnector(
            lambda: database_session(desk, system.id, store),
            system,
            discard=lambda: forget_database_session(store),
        )
    if isinstance(store, SaasStore):
        from dsr.connectors.saas import SaasConnector  # noqa: PLC0415

        return SaasConnector(saas_http(desk, store), action=action)
    raise TypeError(f"system {system.id} is handed off ({store.kind}); the desk has no connector for it")


def _bucket_connector(desk: Desk, store: S3Bucket) -> Connector:
    """The connector for a kind of S3 store, its module imported on first use."""
    owner = bucket_owner(desk, store)
    if isinstance(store, S3JsonLinesStore):
        from dsr.connectors.s3_jsonl import S3JsonLinesConnector  # noqa: PLC0415

        return S3JsonLinesConnector(desk.s3, store, bucket_owner=owner)
    if isinstance(store, S3CsvStore):
        from dsr.connectors.s3_csv import S3CsvConnector  # noqa: PLC0415

        return S3CsvConnector(desk.s3, store, bucket_owner=owner)
    if isinstance(store, S3ParquetStore):
        from dsr.connectors.s3_parquet import S3ParquetConnector  # noqa: PLC0415

        return S3ParquetConnector(desk.s3, store, bucket_owner=owner)
    if isinstance(store, S3ObjectsStore):
        from dsr.connectors.s3_objects import S3ObjectsConnector  # noqa: PLC0415

        return S3ObjectsConnector(desk.s3, store, bucket_owner=owner)
    raise TypeError(f"no connector for S3 store kind {type(store).__name__}")


def bucket_owner(desk: Desk, store: S3Bucket) -> str:
    """The account every call to the store's bucket names as its owner."""
    return store.owner_account or desk.account_id


def database_session(desk: Desk, system_id: str, store: SqlStore) -> Any:
    """The connection to the system's database, through the secret its variable names."""
    from dsr.connectors.base import StoreLayoutError  # noqa: PLC0415
    from dsr.connectors.postgresql_connection import connector_of, session_for  # noqa: PLC0415

    secret_arn = os.environ.get(store.secret_arn_env, "")
    if not secret_arn:
        raise StoreLayoutError(
            f"system {system_id}: environment variable {store.secret_arn_env} "
            "(the database secret's ARN) is not set"
        )
    return session_for(secret_arn, desk.secret_string, connect=connector_of(store.kind))


def forget_database_session(store: SqlStore) -> None:
    from dsr.connectors.postgresql_connection import forget_session  # noqa: PLC0415

    forget_session(os.environ.get(store.secret_arn_env, ""))


def saas_http(desk: Desk, store: SaasStore) -> SaasHttp:
    """The tool's API as this warm container keeps it: the secret read once, the OAuth token kept
    until it expires, and one rate bucket for every task the container runs."""
    import json  # noqa: PLC0415

    from dsr.connectors.saas_http import SaasHttp  # noqa: PLC0415

    def read_secret(secret_id: str) -> dict[str, str]:
        value = json.loads(desk.secret_string(secret_id))
        if not isinstance(value, dict):
            raise TypeError(f"secret {secret_id} is not a JSON object")
        return value

    definition = store.definition()
    return desk.keep(f"saas:{store.tool}", lambda: SaasHttp(definition, os.environ, read_secret))
