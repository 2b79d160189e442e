"""What the DAG files share: settings and the Elasticsearch connection (no tasks here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airflow.sdk import Connection
from airflow.sdk.exceptions import AirflowNotFoundException

from pipeline.config import ESConnection, Settings, UnsafeSourceDir, check_source_dir, load_settings, resolve_path

SETTINGS = load_settings()


def es_connection(settings: Settings = SETTINGS) -> ESConnection:
    """The Airflow connection when it exists, else ES_URL / the local node. Secrets stay in it."""
    try:
        conn = Connection.get(settings.es_connection_id)
    except AirflowNotFoundException:
        return settings.es
    return ESConnection.from_connection_fields(
        host=conn.host, port=conn.port, schema=conn.schema, login=conn.login, password=conn.password,
        extra=conn.extra_dejson, request_timeout=settings.es.request_timeout,
    )


def es_client() -> Any:
    from pipeline.elastic.client import make_client

    return make_client(es_connection())


def allowed_source_dir(value: str) -> Path:
    """A manual trigger's ``source_dir``, only if it lies under the configured roots."""
    from airflow.sdk.exceptions import AirflowFailException

    try:
        return check_source_dir(resolve_path(value), SETTINGS.allowed_source_roots)
    except UnsafeSourceDir as exc:
        raise AirflowFailException(str(exc)) from exc  # retrying cannot make it safe
