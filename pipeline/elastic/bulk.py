"""Load: bulk indexing with retries, a dead-letter for rejects, and deletes.

Modelled on ``elasticsearch.helpers.streaming_bulk``: documents go in bounded chunks and
every per-document failure comes back as a clear ``LoadFailure`` instead of aborting the
batch. Index lifecycle (template, alias, reindex) lives in ``indices``.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, helpers

from pipeline.document import Document
from pipeline.elastic.client import ClusterUnavailable, RetryPolicy, is_transient, retrying

log = logging.getLogger(__name__)

# Fields of Document that are not part of the indexed record.
_NOT_INDEXED = {"raw_text", "errors", "id", "languages", "metadata", "change"}


def to_source(doc: Document) -> dict[str, Any]:
    """The indexed record: the Document minus internals, with JSON-friendly language shares."""
    data = {k: v for k, v in doc.to_dict().items() if k not in _NOT_INDEXED}
    data["languages"] = sorted(doc.languages)
    data["language_shares"] = dict(doc.languages)
    data["metadata"] = {k: v for k, v in doc.metadata.items() if v not in (None, "", [], {})}
    return {k: v for k, v in data.items() if v is not None}


def indexed_fingerprints(es: Elasticsearch, index: str, ids: list[str], *,
                         retry: RetryPolicy | None = None, sleep: Any = time.sleep) -> dict[str, tuple[str, str]]:
    """``id -> (file_sha256, processing_fingerprint)`` of what the index holds: the incremental state
    lives in the index itself, so it survives restarts and machines (a document indexed before
    fingerprints existed has ``""``, so it is re-processed). A read, so it is retried like a bulk
    request when the cluster is briefly away (a node restart between batches)."""
    if not ids:
        return {}
    response = retrying(lambda: es.mget(index=index, ids=ids,
                                        source_includes=["file_sha256", "processing_fingerprint"]),
                        "mget", retry=retry or RetryPolicy(), sleep=sleep)
    return {
        d["_id"]: (d["_source"].get("file_sha256", ""), d["_source"].get("processing_fingerprint", ""))
        for d in response["docs"] if d.get("found")
    }


@dataclass
class LoadFailure:
    id: str
    source: str
    reason: str
    status: int | None = None
    code: str = "rejected"  # "mapping" (the document does not fit the mapping), "conflict", "rejected"


@dataclass
class LoadResult:
    indexed: int = 0
    failures: list[LoadFailure] = field(default_factory=list)
    retries: int = 0  # re-sends after connection errors, 429 rejections or 5xx


# Per-document statuses that say "the cluster is busy or recovering", never "this document is
# bad": still failing after the retry budget, they fail the run (ClusterUnavailable) instead
# of sending good documents to the dead-letter.
_CLUSTER_STATUSES = {429, 503}
# Per-document statuses the helper re-sends with backoff (rejections and a shard briefly unavailable).
_RETRY_STATUSES = (429, 502, 503, 504)


def bulk_load(es: Elasticsearch, index: str, docs: Iterable[Document], *, chunk_size: int = 500,
              max_chunk_bytes: int = 10 * 1024 * 1024, retry: RetryPolicy = RetryPolicy(),
              sleep: Any = time.sleep) -> LoadResult:
    """Index documents with ``elasticsearch.helpers.streaming_bulk``, streaming (no list of all docs).

    The helper chunks by count and bytes, reports every document's result and re-sends
    documents rejected with 429 with exponential backoff. On top of it, the project's own
    handling of an unreachable cluster: a request that fails (connection refused, timeout,
    5xx) is retried with ``retry``'s backoff for the documents not yet acknowledged (safe:
    every document has a deterministic ``_id``); past the budget ``ClusterUnavailable`` is
    raised, as it is for documents still rejected with 429/503: an overloaded cluster is not
    the documents' fault. Permanent per-document errors (a mapping conflict, say) come back
    as ``LoadFailure`` with the reason and a code.
    """
    result = LoadResult()
    unacked: dict[str, Document] = {}  # taken from ``docs``, result not seen yet

    def actions(source: Iterable[Document]) -> Iterator[dict[str, Any]]:
        for doc in source:
            unacked[doc.id] = doc
            yield {"_index": index, "_id": doc.id, "_source": to_source(doc)}

    remaining: Iterator[Document] = iter(docs)
    for attempt in range(retry.attempts):
        try:
            for ok, item in helpers.streaming_bulk(
                    es, actions(itertools.chain(list(unacked.values()), remaining)), chunk_size=chunk_size,
                    max_chunk_bytes=max_chunk_bytes, raise_on_error=False, raise_on_exception=True,
                    max_retries=retry.attempts - 1, initial_backoff=retry.initial, max_backoff=retry.maximum,
                    retry_on_status=_RETRY_STATUSES):
                info = next(iter(item.values()))
                doc = unacked.pop(str(info.get("_id", "")))
                status = int(info.get("status", 0))
                if ok:
                    result.indexed += 1
                elif status in _CLUSTER_STATUSES:
                    raise ClusterUnavailable(
                        f"Elasticsearch still rejected documents after {retry.attempts} attempts "
                        f"(status {status}: {describe_bulk_error(info)})")
                else:
                    result.failures.append(LoadFailure(doc.id, doc.source, describe_bulk_error(info), status,
                                                       failure_code(info)))
            return result
        except ClusterUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - classified just below
            if not is_transient(exc):
                raise
            if attempt == retry.attempts - 1:
                raise ClusterUnavailable(f"bulk request failed {retry.attempts} times: {exc}") from exc
            result.retries += 1
            delay = retry.delay(attempt)
            log.warning("bulk request failed (%s); %d document(s) re-sent in %.1fs (retry %d)",
                        type(exc).__name__, len(unacked), delay, attempt + 1)
            sleep(delay)
    raise AssertionError("unreachable")


_MAPPING_ERRORS = {"document_parsing_exception", "mapper_parsing_exception", "strict_dynamic_mapping_exception",
                   "illegal_argument_exception"}


def failure_code(info: dict[str, Any]) -> str:
    """Short code of a rejected document, for counting by cause."""
    error = info.get("error")
    kind = error.get("type", "") if isinstance(error, dict) else ""
    if kind in _MAPPING_ERRORS:
        return "mapping"
    if kind == "version_conflict_engine_exception":
        return "conflict"
    return "rejected"


def describe_bulk_error(info: dict[str, Any]) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            reason += f" (caused by {cause.get('type')}: {cause.get('reason')})"
        return reason
    return f"status {info.get('status')}: {error or 'unknown error'}"


def write_deadletter(es: Elasticsearch | None, index: str, path: Path | None,
                     records: list[dict[str, Any]]) -> None:
    """Keep rejected documents with their reason: a JSONL file in the run folder (always)
    and the dead-letter index (best effort: the cluster may be what failed)."""
    if not records:
        return
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    if es is not None:
        try:
            for ok, item in helpers.streaming_bulk(es, ({"_index": index, "_source": r} for r in records),
                                                   raise_on_error=False, raise_on_exception=False,
                                                   max_retries=3, initial_backoff=0.5, max_backoff=5):
                if not ok:
                    log.warning("dead-letter index rejected a record: %s", item)
        except Exception as exc:  # noqa: BLE001 - the JSONL copy above is the record of truth
            log.warning("could not write to dead-letter index %s: %s", index, exc)


def deadletter_record(doc: Document, reason: str, *, run_id: str, index: str) -> dict[str, Any]:
    return {
        "run_id": run_id, "document_id": doc.id, "source": doc.source, "source_path": doc.source_path,
        "index": index, "stage": "load", "reason": reason,
        "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "document": to_source(doc),
    }


def indexed_source_documents(es: Elasticsearch, alias: str, source_id: str) -> Iterator[tuple[str, str]]:
    """``(id, source_relpath)`` of every indexed document of the source ``source_id``, streamed
    (a scroll of 1,000 at a time: nothing here grows with the index)."""
    hits = helpers.scan(es, index=alias, query={"query": {"term": {"source_id": source_id}}},
                        _source=["source_relpath"], size=1000)
    for hit in hits:
        yield hit["_id"], str(hit["_source"].get("source_relpath", ""))


def delete_documents(es: Elasticsearch, alias: str, ids: Iterable[str], *,
                     retry: RetryPolicy = RetryPolicy()) -> int:
    """Delete by id; 429 rejections are retried with backoff, an already-missing document is
    fine, and any other failure raises (a silently skipped delete leaves a stale document)."""
    actions = ({"_op_type": "delete", "_index": alias, "_id": doc_id} for doc_id in ids)
    deleted = 0
    problems: list[str] = []
    for ok, item in helpers.streaming_bulk(es, actions, raise_on_error=False, max_retries=retry.attempts - 1,
                                           initial_backoff=retry.initial, max_backoff=retry.maximum):
        info = next(iter(item.values()))
        if ok:
            deleted += 1
        elif info.get("status") != 404:
            problems.append(f"{info.get('_id')}: {describe_bulk_error(info)}")
    if problems:
        raise ClusterUnavailable(f"{len(problems)} delete(s) failed, e.g. {problems[0]}")
    return deleted
