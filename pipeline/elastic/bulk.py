"""Load: bulk indexing with retries, a dead-letter for rejects, and deletes.

Modelled on ``elasticsearch.helpers.streaming_bulk``: documents go in bounded chunks and
every per-document failure comes back as a clear ``LoadFailure`` instead of aborting the
batch. Index lifecycle (template, alias, reindex) lives in ``indices``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from elasticsearch import ConnectionTimeout, Elasticsearch, helpers

from pipeline.document import Document
from pipeline.elastic.client import ClusterUnavailable, RetryPolicy, explain_red, first_red, is_transient, retrying

log = logging.getLogger(__name__)

# Fields of Document that are not part of the indexed record.
_NOT_INDEXED = {"raw_text", "errors", "id", "languages", "metadata", "change"}


_INDEXED = tuple(f.name for f in dataclasses.fields(Document) if f.name not in _NOT_INDEXED)


def to_source(doc: Document) -> dict[str, Any]:
    """The indexed record: the Document minus internals, with JSON-friendly language shares. The fields'
    values as they are, not ``dataclasses.asdict``'s deep copies: every indexed field holds plain values
    (strings, numbers, lists of strings, a dict of floats), which JSON writes the same either way
    (``tests/elastic/test_bulk_source.py``), and the copies cost the loading process about 0.13 ms a
    document (issue 27)."""
    data = {k: getattr(doc, k) for k in _INDEXED}
    data["languages"] = sorted(doc.languages)
    data["language_shares"] = dict(doc.languages)
    data["warnings"] = [str(w) for w in doc.warnings]  # "stage: message", as the mapping keeps them
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


# Per-item statuses that say "the cluster is busy or recovering", never "this document is bad":
# re-sent with backoff; still failing after the budget, they fail the load (ClusterUnavailable)
# instead of sending good documents to the dead-letter.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


def send_bulk(es: Elasticsearch, actions: Iterable[dict[str, Any]], *, retry: RetryPolicy,
              what: str = "bulk request", chunk_size: int = 500, max_chunk_bytes: int = 10 * 1024 * 1024,
              sleep: Callable[[float], None] = time.sleep,
              on_retry: Callable[[], None] | None = None) -> Iterator[tuple[bool, dict[str, Any]]]:
    """Every bulk request of the pipeline, with its one retry layer (this loop; ``retry``'s budget,
    ``run.retry_*`` in config/pipeline.yaml for a run's loads).

    ``streaming_bulk`` chunks the actions (by count and bytes) and reports each item; its own
    re-sending is off, and so are the client's retries for these requests. A request that fails
    transiently (connection refused or reset, timeout, 429/5xx) re-sends the actions not yet
    acknowledged; items rejected with a ``RETRY_STATUSES`` status are re-sent; both after the
    backoff of ``retry``. Past its attempts: ``ClusterUnavailable``. Yields ``(ok, item)`` once
    per action, with its final result. Every action has an ``_id``, so re-sending is idempotent.
    """
    client = es.options(max_retries=0, retry_on_timeout=False)
    unacked: dict[str, dict[str, Any]] = {}  # taken from ``actions``, result not seen yet

    def tracked(source: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for action in source:
            unacked[str(action["_id"])] = action
            yield action

    def red_among(pending: dict[str, dict[str, Any]]) -> str | None:  # a red target explains a timeout
        return first_red(client, (str(a["_index"]) for a in pending.values() if a.get("_index")))

    remaining = iter(actions)
    for attempt in range(retry.attempts):
        again: dict[str, dict[str, Any]] = {}
        try:
            for ok, item in helpers.streaming_bulk(
                    client, tracked(itertools.chain(list(unacked.values()), remaining)), chunk_size=chunk_size,
                    max_chunk_bytes=max_chunk_bytes, raise_on_error=False, raise_on_exception=True, max_retries=0):
                info = next(iter(item.values()))
                key = str(info.get("_id", ""))
                action = unacked.pop(key, None)
                if not ok and action is not None and int(info.get("status", 0)) in RETRY_STATUSES:
                    again[key] = action
                    problem = f"status {info.get('status')}: {describe_bulk_error(info)}"
                    continue
                yield ok, info
        except Exception as exc:  # noqa: BLE001 - classified just below
            if not is_transient(exc):
                raise
            if attempt == retry.attempts - 1:
                red = red_among(unacked)
                raise ClusterUnavailable(explain_red(red, f"{what} failed {retry.attempts} times") if red
                                         else f"{what} failed {retry.attempts} times: {exc}") from exc
            problem = f"{type(exc).__name__}: {exc}"
            if isinstance(exc, ConnectionTimeout):  # a write to a red index only times out: say why now
                red = red_among(unacked)
                problem = explain_red(red, "timed out") if red else problem
        else:
            if not again:
                return
            if attempt == retry.attempts - 1:
                red = red_among(again)
                raise ClusterUnavailable(explain_red(red, f"{what}: documents still rejected after {retry.attempts} "
                                                     "attempts") if red else
                                         f"Elasticsearch still rejected documents after {retry.attempts} attempts "
                                         f"({problem})")
        unacked = {**again, **unacked}
        delay = retry.delay(attempt)
        log.warning("%s: %s; %d action(s) re-sent in %.1fs (retry %d)", what, problem[:600], len(unacked), delay,
                    attempt + 1)
        if on_retry is not None:
            on_retry()
        sleep(delay)
    raise AssertionError("unreachable")


def bulk_load(es: Elasticsearch, index: str, docs: Iterable[Document], *, chunk_size: int = 500,
              max_chunk_bytes: int = 10 * 1024 * 1024, retry: RetryPolicy = RetryPolicy(),
              sleep: Callable[[float], None] = time.sleep) -> LoadResult:
    """Index documents, streaming (no list of all docs), through ``send_bulk`` (chunks, retries).

    Documents still refused for a busy or recovering cluster after the budget raise
    ``ClusterUnavailable``: an overloaded cluster is not the documents' fault. Permanent
    per-document errors (a mapping conflict, say) come back as ``LoadFailure`` with the reason
    and a code. Run loads pass ``chunk_size``/``max_chunk_bytes``/``retry`` from ``run`` in
    config/pipeline.yaml (``bulk_chunk_docs``, ``bulk_chunk_bytes``, ``retry_*``).
    """
    result = LoadResult()
    pending: dict[str, Document] = {}

    def actions() -> Iterator[dict[str, Any]]:
        for doc in docs:
            pending[doc.id] = doc
            yield {"_index": index, "_id": doc.id, "_source": to_source(doc)}

    def retried() -> None:
        result.retries += 1

    for ok, info in send_bulk(es, actions(), retry=retry, chunk_size=chunk_size, max_chunk_bytes=max_chunk_bytes,
                              sleep=sleep, on_retry=retried):
        doc = pending.pop(str(info.get("_id", "")))
        if ok:
            result.indexed += 1
        else:
            result.failures.append(LoadFailure(doc.id, doc.source, describe_bulk_error(info),
                                               int(info.get("status", 0)) or None, failure_code(info)))
    return result


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
        # one id per run and document: a re-sent record (or a retried task) replaces, never doubles
        actions = ({"_index": index, "_id": f"{r['run_id']}/{r['document_id']}", "_source": r} for r in records)
        try:
            for ok, item in send_bulk(es, actions, retry=RetryPolicy(attempts=3, initial=0.5, maximum=5),
                                      what="dead-letter write"):
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
                     retry: RetryPolicy = RetryPolicy(), sleep: Callable[[float], None] = time.sleep) -> int:
    """Delete by id (``send_bulk``: rejections retried with backoff); an already-missing document
    is fine, and any other failure raises (a silently skipped delete leaves a stale document)."""
    actions = ({"_op_type": "delete", "_index": alias, "_id": doc_id} for doc_id in ids)
    deleted = 0
    problems: list[str] = []
    for ok, info in send_bulk(es, actions, retry=retry, what="delete", sleep=sleep):
        if ok:
            deleted += 1
        elif info.get("status") != 404:
            problems.append(f"{info.get('_id')}: {describe_bulk_error(info)}")
    if problems:
        raise ClusterUnavailable(f"{len(problems)} delete(s) failed, e.g. {problems[0]}")
    return deleted
