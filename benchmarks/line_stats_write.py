"""What a batch's end costs to add its learned line statistics to the stored ones, with and without the run's
kept snapshot.

    ES_URL=http://127.0.0.1:9200 python benchmarks/line_stats_write.py [--corpus-dir DIR] [--batches 10] [--rounds 3]

At the end of every batch the run adds the batch's counts to its source's statistics document
(``pipeline.elastic.line_stats.add_stats``): on the throughput corpus a 400 KB document after a thousand text
dumps, read, merged and written whole while the stage worker waits for the next batch. A run keeps what it
wrote last, so the add can start from that copy when the stored document is still that revision (asked
without its source) instead of reading and decoding it.

Here the text dumps of a throughput corpus (``benchmarks/corpus.py``) are counted in batches of 100
(``SourceStats.add``, the counts a clean learns from a dump's lines), and the same batches are added to two
documents of a throw-away alias, taking turns batch by batch: one by a run that keeps its snapshot
(``run_id``), one by a writer that keeps none and so reads every time. Printed per round: the median
milliseconds of an add on each side, the ratio, and the stored document's size. Both documents must come
out the same (checked; the script fails otherwise). Nothing else is asserted; figures for
``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

BATCH_DOCS = 100


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "news-etl-throughput" / "docs-2000")
    ap.add_argument("--batches", type=int, default=10, help="batches of 100 text dumps added each round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--es-url", default=None)
    args = ap.parse_args(argv)

    from elasticsearch import Elasticsearch

    from pipeline.config import load_settings
    from pipeline.elastic.line_stats import LINE_STATS_INDEX, add_stats
    from pipeline.stages.clean.repetition import SourceStats

    settings = load_settings()
    es = Elasticsearch(args.es_url or os.environ.get("ES_URL") or settings.es.url, request_timeout=60)
    dumps = sorted((args.corpus_dir / "txt").rglob("*.txt"))[:BATCH_DOCS * args.batches]
    if len(dumps) < BATCH_DOCS:
        print(f"no text dumps in {args.corpus_dir}/txt (build one with benchmarks/corpus.py)", file=sys.stderr)
        return 2
    batches = []
    for start in range(0, len(dumps), BATCH_DOCS):
        stats = SourceStats()
        for path in dumps[start:start + BATCH_DOCS]:
            stats.add(path.read_text(encoding="utf-8", errors="replace"))
        batches.append(stats)
    alias = f"bench-linestats-{uuid.uuid4().hex[:8]}"
    support = settings.support_indices
    print(f"{len(dumps)} text dumps of {args.corpus_dir} in {len(batches)} batches; alias {alias}")
    written: list[str] = []
    try:
        for number in range(args.rounds):
            run = f"round-{number}"
            held, read = f"held-{number}", f"read-{number}"
            written += [f"{alias}/{held}", f"{alias}/{read}"]
            times: dict[str, list[float]] = {"snapshot": [], "read": []}
            for k, stats in enumerate(batches):
                sides = [("snapshot", held, run), ("read", read, None)]
                for side, source, run_id in (sides if k % 2 == 0 else sides[::-1]):  # who goes first alternates
                    started = time.perf_counter()
                    add_stats(es, alias, source, stats, support=support, run_id=run_id)
                    times[side].append(time.perf_counter() - started)
            docs = {s: es.get(index=LINE_STATS_INDEX, id=f"{alias}/{s}")["_source"] for s in (held, read)}
            for d in docs.values():
                d.pop("source_id"), d.pop("updated_at")
            if docs[held] != docs[read]:
                print("the two documents differ", file=sys.stderr)
                return 1
            a, b = (statistics.median(times[s]) * 1000 for s in ("snapshot", "read"))
            size = len(json.dumps(docs[held]).encode("utf-8"))
            print(f"round {number + 1}: an add {a:.1f} ms from the kept snapshot, {b:.1f} ms reading the document "
                  f"(read / snapshot {b / a:.2f}); the document {size / 1024:.0f} KB after {len(dumps)} dumps")
    finally:
        for doc_id in written:  # (no delete-by-query: the minimal node has no reindex module)
            es.options(ignore_status=404).delete(index=LINE_STATS_INDEX, id=doc_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
