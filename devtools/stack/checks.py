"""The stack test's corpus and its verdict: every file in the index exactly once, and the run
record in ``etl-runs`` agreeing."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

from devtools.stack.services import StackError
from pipeline.config import ESConnection
from pipeline.elastic.client import make_client
from pipeline.stages.enrich import document_id


def build_corpus(seeds: Path, folder: Path, count: int) -> list[Path]:
    """``count`` articles: copies of the seed articles (cycled) with their paragraphs reordered
    and a numbered closing line, so every file differs (deterministic: seeded by its number)."""
    sources = sorted(p for p in seeds.iterdir() if p.is_file() and not p.name.startswith("."))
    if not sources:
        raise StackError(f"no seed files in {seeds}")
    texts = [p.read_text(encoding="utf-8") for p in sources]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        text = texts[i % len(texts)]
        head, *paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        random.Random(i).shuffle(paragraphs)
        path = folder / f"{i:05d}_{sources[i % len(sources)].stem}.txt"
        path.write_text("\n\n".join([head, *paragraphs, f"Stack test copy number {i}."]) + "\n", encoding="utf-8")
        out.append(path)
    folder.chmod(0o755)
    return out


def verify_index(conn: ESConnection, alias: str, corpus: Path) -> dict[str, Any]:
    """Count == files, ids unique and deterministic, every source file present once."""
    from elasticsearch import helpers

    es = make_client(conn)
    es.indices.refresh(index=alias)
    files = {str(p.resolve()) for p in corpus.rglob("*") if p.is_file()}
    hits = list(helpers.scan(es, index=alias, query={"query": {"match_all": {}}}, _source=["source_path", "source_id", "source_relpath"], size=500))
    ids = Counter(h["_id"] for h in hits)
    paths = Counter(h["_source"]["source_path"] for h in hits)
    result = {
        "files": len(files),
        "count": es.count(index=alias)["count"],
        "duplicate_ids": sorted(i for i, n in ids.items() if n > 1),
        "duplicate_sources": sorted(p for p, n in paths.items() if n > 1),
        "missing_sources": sorted(files - set(paths)),
        "unexpected_sources": sorted(set(paths) - files),
        "wrong_ids": sorted(h["_source"]["source_path"] for h in hits
                            if h["_id"] != document_id(h["_source"]["source_id"], h["_source"]["source_relpath"])),
    }
    problems = {k: v for k, v in result.items() if isinstance(v, list) and v}
    if problems or result["count"] != len(files):
        raise StackError(f"index {alias} does not hold every file exactly once: "
                         f"count {result['count']} for {len(files)} files; {problems}")
    return {k: (len(v) if isinstance(v, list) else v) for k, v in result.items()}


def verify_run_record(conn: ESConnection, alias: str, files: int) -> dict[str, Any]:
    """The newest ``etl-runs`` record for ``alias`` says: succeeded, every file seen and indexed."""
    es = make_client(conn)
    es.indices.refresh(index="etl-runs")
    hits = es.search(index="etl-runs", query={"term": {"alias": alias}}, sort=[{"started_at": "desc"}],
                     size=1)["hits"]["hits"]
    if not hits:
        raise StackError(f"no etl-runs record for alias {alias}")
    record = hits[0]["_source"]
    wanted = {"status": "succeeded", "seen": files, "indexed": files, "failed": 0}
    got = {k: record.get(k) for k in wanted}
    if got != wanted:
        raise StackError(f"etl-runs record {record.get('run_id')} says {got}, expected {wanted}")
    return {"run_id": record["run_id"], **got}


def verify_failed_record(conn: ESConnection, alias: str) -> dict[str, Any]:
    """The run record of a run that could not start: status failed, with its reason."""
    es = make_client(conn)
    es.indices.refresh(index="etl-runs")
    hits = es.search(index="etl-runs", query={"term": {"alias": alias}}, size=1)["hits"]["hits"]
    if not hits:
        raise StackError(f"no etl-runs record for the failed run (alias {alias})")
    record = hits[0]["_source"]
    if record.get("status") != "failed" or not record.get("error"):
        raise StackError(f"etl-runs record for alias {alias}: status {record.get('status')!r}, "
                         f"error {record.get('error')!r}")
    return {"status": record["status"], "error": str(record["error"])[:200]}
