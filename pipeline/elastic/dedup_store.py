"""The near-duplicate store ``<alias>-dedup``: band keys, signatures, links and groups in Elasticsearch.

State lives here, not in a process (``pipeline.run.group_memory`` only answers what the store would), so
the CLI, every Airflow worker and a re-run see the same groups. One entry per indexed document (``kind=
document``, ``_id`` = the article's id): its LSH band keys, MinHash signature, ``links`` (ids it was verified
to copy) and the group fields mirrored on the article. Its shingle set, most of its bytes, is kept apart in
``<alias>-dedup-shingles`` (only written and read by id). Groups are the connected components of the links;
``settle`` (``pipeline.elastic.dedup_groups``) writes a component's difference to the entries and articles
until a re-read agrees, so concurrent writers converge. One entry per batch (``kind=batch``) records the
batch's window in the store's sequence numbers (one shard: ``_seq_no`` orders every write): two batches whose
windows overlap may each have missed the other's copies, and only those are re-checked at the end of the run.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

import numpy as np
from elasticsearch import Elasticsearch, helpers

from pipeline.config import IndexSizes
from pipeline.elastic.bulk import send_bulk
from pipeline.elastic.client import ClusterUnavailable, RetryPolicy, retrying
from pipeline.elastic.indices import ensure_index
from pipeline.elastic.mapping import build_index_settings
from pipeline.stages.dedup import Fingerprint, is_passage_key

SUFFIX = "-dedup"
SHINGLES_SUFFIX = "-dedup-shingles"  # the entries' shingle sets, apart (config/dedup_shingles_template.json)
_CHUNK = 500  # ids per mget / terms query
_SIZES_CHUNK = 5_000  # ids per ``group_sizes`` search: within index.max_result_window (10,000), one page each
# ids per ``linking_to`` query (Elasticsearch's index.max_terms_count is 65,536): entries that link to
# ids of several chunks come back once per chunk, and a story's copies all link to each other
_LINKS_CHUNK = 10_000
_MSEARCH = 100  # queries per msearch
_BAND_WEIGHT = 4096  # > max_passage_keys: a candidate's score encodes both counts
_BAND_CLAUSE = '{"constant_score":{"filter":{"term":{"band_keys":%s}},"boost":%d}}'
# what grouping reads of an entry (never the keys or the signature: they are the bulk of it)
_GROUP_FIELDS = ["doc_id", "group", "links", "body_length", "published", "is_canonical", "duplicate_count",
                 "run_id", "band_keys", "passage_count"]
_SETTLE_FIELDS = [f for f in _GROUP_FIELDS if f != "band_keys"]


# How long a batch waits for the store's primary shard after a node failure (replica promotion).
PRIMARY_WAIT_SECONDS = 90


def dedup_index(alias: str) -> str:
    return f"{alias}{SUFFIX}"


def shingles_index(alias: str) -> str:
    return f"{alias}{SHINGLES_SUFFIX}"


def ensure_store(es: Elasticsearch, alias: str, support: IndexSizes, *, rebuild: bool = False) -> str:
    """Create the store (strict mapping from config/dedup_template.json); ``rebuild`` empties it
    first (no run does: the store holds the groups of every source of the alias). One shard on purpose: its
    sequence numbers order every write (see module docstring); its replicas follow ``support``
    (``Settings.support_indices``, auto-expanding), so a lost node does not take the store down."""
    index = dedup_index(alias)
    if rebuild:
        es.indices.delete(index=[index, shingles_index(alias)], ignore_unavailable=True)
    settings = build_index_settings(1, support.replicas)
    # the two at once: a new alias's run waits for both creations (each ~0.15-0.7 s on a dev node) before
    # its first batch; the two indices are independent, and each ``ensure_index`` is as it was alone
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dedup-store") as pool:
        shingles = pool.submit(ensure_index, es, shingles_index(alias), "dedup_shingles_template.json", update=True,
                               settings=settings)
        ensure_index(es, index, "dedup_template.json", update=True, settings=settings)
        shingles.result()
    return index


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def visible_checkpoint(es: Elasticsearch, alias: str) -> int:
    """Refresh the store and return a sequence number up to which every write is now searchable
    (the primary's local checkpoint, read *before* the refresh)."""
    index = dedup_index(alias)
    deadline = time.monotonic() + PRIMARY_WAIT_SECONDS
    while True:
        stats = retrying(lambda: es.indices.stats(index=index, metric="docs", level="shards"), "store stats",
                         retry=RetryPolicy())
        copies = [c for entry in stats["indices"].values() for c in entry["shards"].get("0", [])]
        primary = next((c for c in copies if c.get("routing", {}).get("primary")), None)
        if primary is not None:
            break
        if time.monotonic() >= deadline:  # still no started primary: fail the batch; its task retries
            raise ClusterUnavailable(f"the near-duplicate store {index} has had no started primary shard "
                                     f"for {PRIMARY_WAIT_SECONDS} s")
        time.sleep(1)  # a node just died: a replica is being promoted
    checkpoint = int(primary["seq_no"]["local_checkpoint"])
    es.indices.refresh(index=index)
    return checkpoint


def seq_nos(es: Elasticsearch, alias: str) -> tuple[int, int] | None:
    """``(local_checkpoint, max_seq_no)`` of the store's primary shard (every write up to the first is
    done; the second is the last number given to a write), ``None`` without a started primary. One
    shard: its numbers order every write to the store, each index, update or delete taking the next."""
    stats = retrying(lambda: es.indices.stats(index=dedup_index(alias), metric="docs", level="shards"),
                     "store stats", retry=RetryPolicy())
    copies = [c for entry in stats["indices"].values() for c in entry["shards"].get("0", [])]
    primary = next((c for c in copies if c.get("routing", {}).get("primary")), None)
    if primary is None or "seq_no" not in primary:
        return None
    return int(primary["seq_no"]["local_checkpoint"]), int(primary["seq_no"]["max_seq_no"])


def refresh(es: Elasticsearch, alias: str) -> None:
    es.indices.refresh(index=dedup_index(alias))


def entry_source(fp: Fingerprint, *, group: str, links: Sequence[str], run_id: str, batch: str,
                 seen_seq: int, alone: bool, inputs: str | None = None) -> dict[str, Any]:
    """A document's entry. ``alone``: no copy found, the entry says what the article already says
    (its own group, canonical, 1); otherwise canonical and count stay unset until ``settle``
    writes the group to the articles (once per run, not once per joining copy). ``inputs``: the digest
    of what its links were decided on (``group_links.grouping_inputs``)."""
    return {"inputs": inputs,
        "kind": "document", "doc_id": fp.doc_id, "batch": batch, "group": group, "links": sorted(set(links)),
        "band_keys": fp.band_keys, "passage_count": fp.passage_count,
        "signature": base64.b64encode(fp.signature.tobytes()).decode(),
        "shingles": base64.b64encode(fp.shingles.astype(np.uint32).tobytes()).decode(),
        "body_length": fp.body_length, "published": fp.published, "language": fp.language,
        "is_canonical": True if alone else None, "duplicate_count": 1 if alone else None, "run_id": run_id, "seen_seq": seen_seq,
        "updated_at": _now(),
    }


def _check_bulk(es: Elasticsearch, actions: Iterable[dict[str, Any]], what: str,
                allow_missing: bool = False) -> list[dict[str, Any]]:
    """Run bulk actions; any failure but a tolerated 404 raises (a lost write is a wrong group)."""
    items, problems = [], []
    for ok, info in send_bulk(es, actions, retry=RetryPolicy(), what=what, chunk_size=500):
        if ok:
            items.append(info)
        elif not (allow_missing and info.get("status") == 404):
            problems.append(f"{info.get('_id')}: {info.get('error')}")
    if problems:
        raise ClusterUnavailable(f"{what}: {len(problems)} write(s) failed, e.g. {problems[0]}")
    return items


def write_entries(es: Elasticsearch, alias: str, sources: list[dict[str, Any]]) -> int:
    """Index document entries (``entry_source``), their shingle sets in ``shingles_index`` in the same
    bulk requests; returns the highest sequence number written to the store (-1: none)."""
    index, shingles = dedup_index(alias), shingles_index(alias)

    def actions() -> Iterator[dict[str, Any]]:
        for source in sources:
            entry = dict(source)
            if (kept := entry.pop("shingles", None)) is not None:
                yield {"_index": shingles, "_id": entry["doc_id"], "_source": {"shingles": kept}}
            yield {"_index": index, "_id": entry["doc_id"], "_source": entry}

    items = _check_bulk(es, actions(), "dedup store")
    return max((int(i.get("_seq_no", -1)) for i in items if i.get("_index") == index), default=-1)


def write_batch_marker(es: Elasticsearch, alias: str, *, run_id: str, batch: str, seen_seq: int,
                       written_seq: int) -> None:
    retrying(lambda: es.index(index=dedup_index(alias), id=f"batch:{batch}", document={
        "kind": "batch", "batch": batch, "run_id": run_id, "seen_seq": seen_seq, "written_seq": written_seq,
        "updated_at": _now()}), "dedup batch marker", retry=RetryPolicy())


def batch_markers(es: Elasticsearch, alias: str, *, written_after: int | None = None,
                  run_id: str | None = None) -> list[dict[str, Any]]:
    """Batch windows: this run's, or every batch that wrote after ``written_after``."""
    clauses: list[dict[str, Any]] = [{"term": {"kind": "batch"}}]
    if run_id is not None:
        clauses.append({"term": {"run_id": run_id}})
    if written_after is not None:
        clauses.append({"range": {"written_seq": {"gt": written_after}}})
    hits = helpers.scan(es, index=dedup_index(alias), query={"query": {"bool": {"filter": clauses}}}, size=1000)
    return [h["_source"] for h in hits]


def candidates(es: Elasticsearch, alias: str, fps: Sequence[Fingerprint], size: int, min_shared: int,
               only_batch: str | None = None, with_links: bool = False,
               bands_only: bool = False, passages_only: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Per fingerprint, stored documents sharing at least ``min_shared`` keys, best first; each hit's
    ``_bands``/``_passages`` count what it shares (a band clause scores ``_BAND_WEIGHT``, a fingerprint 1).
    ``bands_only``: the LSH bands alone (a third of the keys; ranked by them, ``_passages`` 0). ``passages_only``:
    the passage fingerprints alone, ranked by shared / the smaller ``passage_count`` (what ``worth_checking``
    asks; built-in ``function_score`` functions, no script), ``_bands`` 0. ``group_candidates`` asks both."""
    out: dict[str, list[dict[str, Any]]] = {}
    if bands_only or passages_only:  # one kind of key asked
        fps = [Fingerprint(fp.doc_id, fp.lsh_keys if bands_only else fp.passage_keys, fp.signature, fp.shingles) for fp in fps]
    asking = [fp for fp in fps if fp.band_keys]
    index = dedup_index(alias)
    header = json.dumps({"index": index})
    # from doc values, not _source: loading an entry's source means decompressing its shingles (most of
    # its bytes); hits' multi-valued ``links`` come back as a set, sorted, which is all a caller reads
    fields = json.dumps(["doc_id", "group", "passage_count"] + (["links"] if with_links else []))
    batch_filter = f',"filter":[{{"term":{{"batch":{json.dumps(only_batch)}}}}}]' if only_batch is not None else ""
    for start in range(0, len(asking), _MSEARCH):
        part = asking[start:start + _MSEARCH]
        body: list[str] = []
        for fp in part:  # written as JSON text: ~100 clauses a query, built for every document of a run
            should = ",".join(_BAND_CLAUSE % (json.dumps(k), 1 if is_passage_key(k) else _BAND_WEIGHT)
                              for k in fp.band_keys)
            query = (f'{{"bool":{{"should":[{should}],"minimum_should_match":{min(min_shared, len(fp.band_keys))},'
                     f'"must_not":[{{"ids":{{"values":[{json.dumps(fp.doc_id)}]}}}}]{batch_filter}}}}}')
            if passages_only:  # shared / min(own, theirs): the share ``worth_checking`` asks of the shorter text
                own = len(fp.band_keys)
                query = (f'{{"function_score":{{"query":{query},"functions":[{{"weight":{1 / own!r}}},'
                         f'{{"field_value_factor":{{"field":"passage_count","modifier":"reciprocal","missing":{own}}}}}],'
                         f'"score_mode":"max","boost_mode":"multiply"}}}}')
            body += [header, f'{{"query":{query},"size":{int(size)},"track_total_hits":false,"_source":false,'
                             f'"stored_fields":"_none_","docvalue_fields":{fields}}}']
        # NDJSON lines written as JSON text (no dict per search to serialise); the client sends them as they are
        response = retrying(lambda: es.msearch(searches=body),  # type: ignore[arg-type]
                            "dedup candidates", retry=RetryPolicy())
        for fp, result in zip(part, response["responses"]):
            if "error" in result:
                raise ClusterUnavailable(f"dedup candidates: {result['error']}")
            hits = []
            for h in result["hits"]["hits"]:
                values = {k: v if k == "links" else v[0] for k, v in h.get("fields", {}).items()}
                if passages_only:  # the score is shared / the shorter's passage count
                    shorter = max(1, min(len(fp.band_keys), int(values.get("passage_count") or len(fp.band_keys))))
                    hits.append({**values, "_bands": 0, "_passages": int(round(h["_score"] * shorter))})
                else:
                    hits.append({**values, "_bands": round(h["_score"]) // _BAND_WEIGHT,
                                 "_passages": round(h["_score"]) % _BAND_WEIGHT})
            out[fp.doc_id] = hits
    return out


def _found(es: Elasticsearch, index: str, ids: Iterable[str], what: str, **params: Any) -> Iterator[dict[str, Any]]:
    """The documents of ``ids`` that exist, by real-time mget in chunks (fresh writes included)."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start:start + _CHUNK]
        response = retrying(lambda: es.mget(index=index, ids=part, **params), what, retry=RetryPolicy())
        yield from (doc for doc in response["docs"] if doc.get("found"))


def fetch_bodies(es: Elasticsearch, index: str, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """``id -> (body, language)`` of indexed articles."""
    return {d["_id"]: (d["_source"].get("body", ""), d["_source"].get("language"))
            for d in _found(es, index, ids, "dedup bodies", source_includes=["body", "language"])}


def fetch_shingles(es: Elasticsearch, alias: str, ids: Iterable[str]) -> dict[str, np.ndarray]:
    """Stored shingle sets (sorted, as ``shingle_set`` gives them) of entries that have one: in
    ``shingles_index``, or in the entry itself where an older release wrote it there."""
    ids = set(ids)
    docs = list(_found(es, shingles_index(alias), ids, "dedup shingles"))
    older = ids - {d["_id"] for d in docs}
    if older:
        docs += _found(es, dedup_index(alias), older, "dedup shingles", source_includes=["shingles"])
    return {d["_id"]: decode_shingles(d["_source"]["shingles"]) for d in docs
            if d.get("_source", {}).get("shingles") is not None}


def decode_shingles(value: str) -> np.ndarray:
    """An entry's ``shingles`` field as ``shingle_set`` gives them (sorted uint64)."""
    return np.frombuffer(base64.b64decode(value), dtype=np.uint32).astype(np.uint64)


def document_count(es: Elasticsearch, alias: str) -> int:
    """The store's document entries, as searchable now (``group_memory.RunKeys.answering``)."""
    return int(retrying(lambda: es.count(index=dedup_index(alias), query={"term": {"kind": "document"}}),
                        "dedup count", retry=RetryPolicy())["count"])


def entry_ids(es: Elasticsearch, alias: str, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` have an entry."""
    return {d["_id"] for d in _found(es, dedup_index(alias), ids, "dedup entry ids", source=False)}


def entry_inputs(es: Elasticsearch, alias: str, ids: Iterable[str]) -> dict[str, tuple[str | None, int | None]]:
    """``id -> (inputs digest, duplicate_count)`` of the entries of ``ids`` that exist (real-time)."""
    return {d["_id"]: (d["_source"].get("inputs"), d["_source"].get("duplicate_count"))
            for d in _found(es, dedup_index(alias), ids, "dedup entry inputs",
                            source_includes=["inputs", "duplicate_count"])}


def mark_unsettled(es: Elasticsearch, alias: str, ids: Iterable[str], run_id: str) -> None:
    """Entries kept as they are (their documents' grouping inputs did not change) whose articles this run
    re-indexed as groups of one: their canonical and count unset, touched by ``run_id``, so that the end of
    the run settles their groups onto the articles (and a run that dies here leaves them to the recovery).
    Partial updates: a concurrent edit of their links (another task's copy leaving) is not overwritten."""
    now = _now()
    _check_bulk(es, ({"_op_type": "update", "_index": dedup_index(alias), "_id": doc_id, "retry_on_conflict": 5,
                      "doc": {"is_canonical": None, "duplicate_count": None, "run_id": run_id, "updated_at": now}}
                     for doc_id in sorted(ids)), "dedup kept entries")


def get_entries(es: Elasticsearch, alias: str, ids: Iterable[str], *,
                with_keys: bool = False) -> dict[str, dict[str, Any]]:
    fields = _GROUP_FIELDS if with_keys else _SETTLE_FIELDS
    return {d["_id"]: d["_source"] for d in _found(es, dedup_index(alias), ids, "dedup entries",
                                                    source_includes=fields)}


def group_sizes(es: Elasticsearch, alias: str, ids: Iterable[str]) -> dict[str, tuple[str | None, int | None]]:
    """``id -> (group, duplicate_count)`` of the entries of ``ids`` (searchable state: call after a
    refresh), from doc values: not from the entries' sources, whose keys and shingles are the bulk."""
    wanted = sorted(set(ids))
    out: dict[str, tuple[str | None, int | None]] = {}
    for start in range(0, len(wanted), _SIZES_CHUNK):
        part = wanted[start:start + _SIZES_CHUNK]  # one request each: every hit fits in one page
        query = {"bool": {"filter": [{"term": {"kind": "document"}}, {"ids": {"values": part}}]}}
        hits = retrying(lambda: es.search(index=dedup_index(alias), query=query, size=len(part), source=False,
                                          docvalue_fields=[{"field": "group"}, {"field": "duplicate_count"}],
                                          track_total_hits=False),
                        "dedup group sizes", retry=RetryPolicy())["hits"]["hits"]
        for hit in hits:
            got = hit.get("fields", {})
            out[hit["_id"]] = (next(iter(got.get("group", [])), None), next(iter(got.get("duplicate_count", [])), None))
    return out


def linking_to(es: Elasticsearch, alias: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Entries whose ``links`` name one of ``ids`` (searchable state: call after a refresh)."""
    wanted = sorted(set(ids))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), _LINKS_CHUNK):
        query = {"bool": {"filter": [{"terms": {"links": wanted[start:start + _LINKS_CHUNK]}}]}}
        for hit in helpers.scan(es, index=dedup_index(alias), query={"query": query}, size=1000,
                                _source_includes=_SETTLE_FIELDS):
            out[hit["_id"]] = hit["_source"]
    return out


def _edit_links(es: Elasticsearch, alias: str, edits: dict[str, Any], what: str, attempts: int = 8) -> None:
    """Read-modify-write of entries' ``links`` with ``if_seq_no``/``if_primary_term`` (the minimal
    distribution has no scripting): a concurrent change makes the write fail with 409, and the
    entry is read again and edited again, so no writer's links are lost."""
    index = dedup_index(alias)
    pending = {doc_id: edit for doc_id, edit in edits.items()}
    for _ in range(attempts):
        if not pending:
            return
        ids = sorted(pending)
        docs = retrying(lambda: es.mget(index=index, ids=ids), what, retry=RetryPolicy())["docs"]
        actions = []
        for doc in docs:
            if not doc.get("found"):
                pending.pop(doc["_id"])  # deleted meanwhile: nothing to link or unlink
                continue
            source = doc["_source"]
            links = pending[doc["_id"]](set(source.get("links", [])))
            if links == set(source.get("links", [])):
                pending.pop(doc["_id"])
                continue
            source["links"] = sorted(links)
            source["updated_at"] = _now()  # a run that dies after this edit is known by it (``touched_since``)
            actions.append({"_op_type": "index", "_index": index, "_id": doc["_id"], "_source": source,
                            "if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]})
        conflicts = set()
        for ok, info in send_bulk(es, actions, retry=RetryPolicy(), what=what):
            if ok:
                pending.pop(info["_id"], None)
            elif info.get("status") == 409:
                conflicts.add(info["_id"])
            else:
                raise ClusterUnavailable(f"{what}: {info.get('_id')}: {info.get('error')}")
        pending = {k: v for k, v in pending.items() if k in conflicts}
    if pending:
        raise ClusterUnavailable(f"{what}: {len(pending)} entr(ies) kept changing under {attempts} attempts")


def add_links(es: Elasticsearch, alias: str, links: dict[str, set[str]]) -> None:
    """Append verified copies to entries' ``links``; concurrent appends both survive."""
    _edit_links(es, alias, {doc_id: (lambda cur, new=frozenset(ids): cur | new)
                            for doc_id, ids in links.items() if ids}, "dedup links")


def forget(es: Elasticsearch, alias: str, ids: Sequence[str], *, delete: bool) -> set[str]:
    """Drop ``ids`` from every entry's links (and delete their entries when ``delete``);
    returns the ids of the documents that were linked with them, whose groups must be settled."""
    if not ids:
        return set()
    refresh(es, alias)
    own = get_entries(es, alias, ids)
    referrers = linking_to(es, alias, ids)
    neighbours = {link for e in own.values() for link in e.get("links", [])} | set(referrers)
    gone = frozenset(ids)
    _edit_links(es, alias, {doc_id: (lambda cur: cur - gone) for doc_id in sorted(set(referrers) - gone)},
                "dedup unlink")
    if delete:
        _check_bulk(es, ({"_op_type": "delete", "_index": index, "_id": doc_id} for doc_id in sorted(gone)
                         for index in (dedup_index(alias), shingles_index(alias))),
                    "dedup delete", allow_missing=True)
    return neighbours - gone
