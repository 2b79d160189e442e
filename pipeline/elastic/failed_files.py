"""What a source's failed files failed with, kept in the dead-letter index (``<alias>-deadletter``).

Every document a run could not index leaves a record there (a load rejection, as before, and now a failure of
any stage before it), with its reasons and what identifies the file it came from: the hash of its bytes, or,
for a file that was never read (too large, not a regular file, a symlink leaving the folder, a name that is
not UTF-8), its ``lstat`` size, time and mode (``pipeline.run.unchanged.file_identity``). The next run's unchanged check asks for the batch's files that
the index does not hold (:func:`last_failures`): a file that failed before a load with the same identity under
the same processing fingerprint fails the same way, so it is reported with its earlier reasons and not tried
again (``--full-refresh`` tries it). Its run counts it as failed, but it is no new failure: the run's failure
ratio leaves it out, so one bad file does not turn every later scheduled run red.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from elasticsearch import Elasticsearch

from pipeline.document import Document, Failure, shown_path
from pipeline.elastic.client import RetryPolicy, retrying


@dataclass(frozen=True)
class FailedBefore:
    """The last dead-letter record of a file: in which run, the file's identity and fingerprint then, why."""

    run_id: str
    identity: str
    fingerprint: str
    errors: tuple[Failure, ...]


def failure_record(doc: Document, *, run_id: str, index: str, identity: str, fingerprint: str) -> dict[str, Any]:
    """The dead-letter record of a document that failed before its load (``document`` is not indexed: it
    keeps the reasons and the file's identity for the next run)."""
    first = doc.errors[0]
    return {
        "run_id": run_id, "document_id": doc.id, "source": shown_path(doc.source),
        "source_path": shown_path(doc.source_path),
        "index": index, "stage": first.stage, "reason": "; ".join(f"{e.key}: {e.message}" for e in doc.errors),
        "failed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "document": {"file_identity": identity, "processing_fingerprint": fingerprint,
                     "errors": [asdict(e) for e in doc.errors]},
    }


# failures that say more about the machine than about the file: always tried again
NOT_KEPT_CODES = frozenset({"crashed", "unreadable"})


def last_failures(es: Elasticsearch, deadletter: str, ids: list[str], *,
                  retry: RetryPolicy | None = None) -> dict[str, FailedBefore]:
    """``id -> FailedBefore`` of the newest record of each of ``ids`` written before a load (records of a load
    rejection have no file identity: those files are always tried again)."""
    if not ids or not es.indices.exists(index=deadletter):
        return {}
    response = retrying(lambda: es.search(
        index=deadletter, size=len(ids), query={"terms": {"document_id": ids}},
        collapse={"field": "document_id"}, sort=[{"failed_at": "desc"}, {"run_id": "desc"}],
        source_includes=["run_id", "document.file_identity", "document.processing_fingerprint", "document.errors"],
    ), "dead-letter search", retry=retry or RetryPolicy())
    out: dict[str, FailedBefore] = {}
    for hit in response["hits"]["hits"]:
        src, doc_id = hit["_source"], hit["fields"]["document_id"][0]
        kept = src.get("document") or {}
        if not kept.get("file_identity") or not kept.get("errors"):
            continue
        if any(e.get("code") in NOT_KEPT_CODES for e in kept["errors"]):
            continue
        out[doc_id] = FailedBefore(str(src["run_id"]), str(kept["file_identity"]),
                                   str(kept.get("processing_fingerprint", "")),
                                   tuple(Failure.from_value(e) for e in kept["errors"]))
    return out
