"""Load: index template, versioned index behind an alias, and streaming bulk indexing.

Modelled on ``elasticsearch.helpers.streaming_bulk``: documents stream through in bounded
chunks and every per-document failure comes back as a clear ``LoadFailure`` instead of
aborting the batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError, helpers

from .config import ESConnection
from .document import Document
from .mapping import (
    available_analyzers,
    build_index_settings,
    build_mappings,
    index_template_body,
    mapping_version,
    physical_index_name,
)

log = logging.getLogger(__name__)

# Fields of Document that are not part of the indexed record.
_NOT_INDEXED = {"raw_text", "errors", "id", "languages", "metadata"}


def make_client(conn: ESConnection) -> Elasticsearch:
    """Client from settings; credentials come only from ``conn`` (env / Airflow connection)."""
    kwargs: dict[str, Any] = {
        "request_timeout": conn.request_timeout,
        "retry_on_timeout": True,
        "max_retries": 3,
    }
    if conn.api_key:
        kwargs["api_key"] = conn.api_key
    elif conn.username:
        kwargs["basic_auth"] = (conn.username, conn.password or "")
    if conn.ca_certs:
        kwargs["ca_certs"] = conn.ca_certs
    if not conn.verify_certs:
        kwargs["verify_certs"] = False
    return Elasticsearch(conn.url, **kwargs)


@dataclass(frozen=True)
class IndexTarget:
    alias: str
    index: str  # the physical index the alias points to (where we write)
    languages: tuple[str, ...]  # language subfields this index has
    created: bool = False
    mapping_outdated: bool = False  # alias points at an index built from an older mapping


def desired_layout(es: Elasticsearch, shards: int, replicas: int) -> tuple[dict[str, Any], dict[str, Any]]:
    mappings = build_mappings(available_analyzers(es))
    return mappings, build_index_settings(shards, replicas)


def prepare_index(es: Elasticsearch, alias: str, *, shards: int = 1, replicas: int = 0) -> IndexTarget:
    """Install the template and make sure ``alias`` points at an index; idempotent.

    A fresh cluster gets ``<alias>-v<mapping hash>`` with the alias on it. When the alias
    already points at an index built from a different mapping we keep writing there (no
    downtime, no surprise) and flag it: rebuilding is the reindex job's decision.
    """
    mappings, settings = desired_layout(es, shards, replicas)
    version = mapping_version(mappings, settings)
    es.indices.put_index_template(name=alias, **index_template_body(alias, mappings, settings))
    current = alias_targets(es, alias)
    if current:
        index = current[0]
        existing = es.indices.get_mapping(index=index)[index]["mappings"]
        langs = tuple(existing.get("_meta", {}).get("languages", []))
        outdated = index != physical_index_name(alias, version)
        if outdated:
            log.warning("alias %s points at %s, built from another mapping (wanted v%s)", alias, index, version)
        return IndexTarget(alias, index, langs, created=False, mapping_outdated=outdated)
    index = physical_index_name(alias, version)
    if not es.indices.exists(index=index):
        es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
        created = True
    else:
        es.indices.put_alias(index=index, name=alias, is_write_index=True)
        created = False
    return IndexTarget(alias, index, tuple(mappings["_meta"]["languages"]), created=created)


def alias_targets(es: Elasticsearch, alias: str) -> list[str]:
    try:
        return sorted(es.indices.get_alias(name=alias).keys())
    except NotFoundError:
        return []


def to_source(doc: Document) -> dict[str, Any]:
    """The indexed record: the Document minus internals, with JSON-friendly language shares."""
    data = {k: v for k, v in doc.to_dict().items() if k not in _NOT_INDEXED}
    data["languages"] = sorted(doc.languages)
    data["language_shares"] = dict(doc.languages)
    data["metadata"] = {k: v for k, v in doc.metadata.items() if v not in (None, "", [], {})}
    return {k: v for k, v in data.items() if v is not None}


def indexed_fingerprints(es: Elasticsearch, index: str, ids: list[str]) -> dict[str, tuple[str, str]]:
    """``id -> (file_sha256, pipeline_version)`` of what the index holds: the incremental state
    lives in the index itself, so it survives restarts and machines."""
    if not ids:
        return {}
    response = es.mget(index=index, ids=ids, source_includes=["file_sha256", "pipeline_version"])
    return {
        d["_id"]: (d["_source"].get("file_sha256", ""), d["_source"].get("pipeline_version", ""))
        for d in response["docs"] if d.get("found")
    }


@dataclass
class LoadFailure:
    id: str
    source: str
    reason: str


@dataclass
class LoadResult:
    indexed: int = 0
    failures: list[LoadFailure] = field(default_factory=list)


def _actions(index: str, docs: Iterable[Document]) -> Iterator[dict[str, Any]]:
    for doc in docs:
        yield {"_op_type": "index", "_index": index, "_id": doc.id, "_source": to_source(doc)}


def bulk_load(es: Elasticsearch, index: str, docs: Iterable[Document], *, chunk_size: int = 500,
              max_chunk_bytes: int = 10 * 1024 * 1024, max_retries: int = 5) -> LoadResult:
    """Index documents; rejections (429) are retried with backoff by the helper, other
    per-document errors are returned, never raised."""
    docs = list(docs)
    by_id = {d.id: d for d in docs}
    result = LoadResult()
    for ok, item in helpers.streaming_bulk(
        es,
        _actions(index, docs),
        chunk_size=chunk_size,
        max_chunk_bytes=max_chunk_bytes,
        max_retries=max_retries,
        initial_backoff=1,
        raise_on_error=False,
        raise_on_exception=False,
    ):
        info = next(iter(item.values()))
        if ok:
            result.indexed += 1
            continue
        doc_id = str(info.get("_id", ""))
        doc = by_id.get(doc_id)
        result.failures.append(LoadFailure(doc_id, doc.source if doc else "?", describe_bulk_error(info)))
    return result


def describe_bulk_error(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            reason += f" (caused by {cause.get('type')}: {cause.get('reason')})"
        return reason
    return f"status {info.get('status')}: {error or 'unknown error'}"
