"""Pytest plugin: a real Elasticsearch for tests (``pytest_plugins = ["tests.conftest_es"]``).

``ES_URL`` set: tests use that cluster as configured and nothing is started. Otherwise the
local development node from ``config/pipeline.yaml`` is started if needed (and left running:
the next session then skips the ~15 s start). Every test gets its own index-name prefix, and
everything under it is deleted afterwards, so tests can share one cluster.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator
from uuid import uuid4

import pytest
from elasticsearch import ApiError, Elasticsearch

from devtools.es_local import LocalNodeError, ensure_cluster
from pipeline.config import load_settings


@pytest.fixture(scope="session")
def es_url() -> str:
    """URL of the cluster under test: ES_URL, else the local node (started on demand)."""
    try:
        return ensure_cluster(load_settings())
    except LocalNodeError as exc:
        pytest.fail(f"no Elasticsearch for the tests: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def es_client(es_url: str) -> Iterator[Elasticsearch]:
    """The pipeline's own client for ``es_url`` (ES_USERNAME/ES_PASSWORD/ES_API_KEY/ES_CA_CERTS
    apply when ES_URL is set)."""
    from dataclasses import replace

    from pipeline.elastic.client import make_client

    client = make_client(replace(load_settings().es, url=es_url))
    yield client
    client.close()


def _names(call: Callable[..., Any], key: str | None = None, **kwargs: Any) -> list[str]:
    """Concrete names matching a wildcard, resolved first: deleting by wildcard is refused
    on clusters with ``action.destructive_requires_name`` (the default). A 400/404 means
    nothing matches or the feature is absent (the minimal distribution has no data streams)."""
    try:
        body = call(**kwargs).body
    except ApiError as exc:
        if exc.meta.status in (400, 404):
            return []
        raise
    if key is None:
        return sorted(body)
    return sorted(item["name"] for item in body.get(key, []))


def delete_prefixed(es: Elasticsearch, prefix: str) -> None:
    """Remove data streams, indices, aliases, templates and ingest pipelines named ``prefix*``."""
    pattern = f"{prefix}*"
    for name in _names(es.indices.get_data_stream, "data_streams", name=pattern, expand_wildcards="all"):
        es.indices.delete_data_stream(name=name)
    for index, entry in _alias_map(es, pattern).items():
        for alias in entry.get("aliases", {}):
            if alias.startswith(prefix) and not index.startswith(prefix):
                es.indices.delete_alias(index=index, name=alias)
    indices = _names(es.indices.get, index=pattern, expand_wildcards="all", ignore_unavailable=True)
    if indices:
        es.indices.delete(index=",".join(indices), ignore_unavailable=True)
    for name in _names(es.indices.get_index_template, "index_templates", name=pattern):
        es.indices.delete_index_template(name=name)
    for name in _names(es.cluster.get_component_template, "component_templates", name=pattern):
        es.cluster.delete_component_template(name=name)
    for name in _names(es.indices.get_template, name=pattern):
        es.indices.delete_template(name=name)
    for name in _names(es.ingest.get_pipeline, id=pattern):
        es.ingest.delete_pipeline(id=name)


def _alias_map(es: Elasticsearch, pattern: str) -> dict[str, Any]:
    try:
        return dict(es.indices.get_alias(name=pattern, expand_wildcards="all").body)
    except ApiError as exc:
        if exc.meta.status == 404:
            return {}
        raise


@pytest.fixture
def index_prefix(es_client: Elasticsearch) -> Iterator[str]:
    """A unique lowercase name prefix for this test; everything named ``<prefix>*`` is removed after."""
    prefix = f"test-{uuid4().hex[:8]}"
    yield prefix
    delete_prefixed(es_client, prefix)
