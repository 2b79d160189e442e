"""The sources written into an alias (index ``etl-sources``): what a reindex must rebuild.

Every ingest records its source (name and the root it was read from, newest first, a few kept:
the same source is seen at other mount points by the CLI and the Airflow workers). A reindex
rebuilds the alias from every recorded source, so documents ingested from other folders are not
dropped by a rebuild that was only told about one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from elasticsearch import NotFoundError, helpers

from pipeline.config import IndexSizes
from pipeline.elastic.indices import SOURCES_INDEX, SOURCES_TEMPLATE, ensure_index, index_exists, support_settings

MAX_ROOTS = 5


@dataclass(frozen=True)
class Source:
    name: str
    roots: tuple[str, ...]  # newest first

    def local_root(self) -> Path | None:
        """The first recorded root that is a folder on this machine."""
        return next((Path(r) for r in self.roots if Path(r).is_dir()), None)


def _doc_id(alias: str, name: str) -> str:
    return f"{alias}/{name}"


def record_source(es: Any, alias: str, name: str, root: Path, run_id: str, *, support: IndexSizes) -> None:
    """Remember that ``alias`` holds documents of source ``name`` read from ``root`` (``support``: the
    index's shards/replicas, ``Settings.support_indices``)."""
    ensure_index(es, SOURCES_INDEX, SOURCES_TEMPLATE, settings=support_settings(support))
    try:
        roots = list(es.get(index=SOURCES_INDEX, id=_doc_id(alias, name))["_source"].get("roots", []))
    except NotFoundError:
        roots = []
    if roots[:1] == [str(root)]:
        return  # already recorded from this root: no write (and no refresh wait) on every run
    roots = [str(root)] + [r for r in roots if r != str(root)]
    es.index(index=SOURCES_INDEX, id=_doc_id(alias, name), refresh="wait_for", document={
        "alias": alias, "source_id": name, "roots": roots[:MAX_ROOTS], "last_run_id": run_id,  # the run that recorded the newest root
        "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})


def recorded_sources(es: Any, alias: str) -> list[Source]:
    """Every source recorded for ``alias``, by name (none when no run recorded one: a read creates nothing)."""
    if not index_exists(es, SOURCES_INDEX):
        return []
    hits = helpers.scan(es, index=SOURCES_INDEX, query={"query": {"term": {"alias": alias}}})
    return sorted((Source(h["_source"]["source_id"], tuple(h["_source"].get("roots", []))) for h in hits),
                  key=lambda s: s.name)


def documents_by_source(es: Any, index: str) -> dict[str, int]:
    """How many documents of ``index`` each source holds (``""``: indexed before sources had names)."""
    response = es.search(index=index, size=0, aggs={
        "sources": {"terms": {"field": "source_id", "size": 10000, "missing": ""}}})
    return {b["key"]: b["doc_count"] for b in response["aggregations"]["sources"]["buckets"]}
