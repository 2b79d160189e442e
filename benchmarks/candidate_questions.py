"""Grouping's store candidate questions replayed on a filled near-duplicate store: every key at once against
the band keys first, then the passage fingerprints (``pipeline/run/group_candidates.py``).

    ES_URL=http://127.0.0.1:9200 python benchmarks/candidate_questions.py --alias ALIAS [--sample 1000]
                                                                         [--rounds 3] [--seed 1]

Fill the store first, e.g. ``python -m pipeline run --source /tmp/news-etl-throughput/docs-10000
--index-alias ALIAS`` (``benchmarks/corpus.py``'s corpus, about 83 copies a story at 10,000 documents).

``--sample`` stored entries (seeded) ask their question as ``dedup_store.candidates`` does, in 100-question
``msearch`` requests, each round both ways one after the other:

* **full**: every key (LSH bands and passage fingerprints);
* **bands first**: the band keys alone, then the passage fingerprints alone for the documents whose bands
  did not fill every place (``store_candidates``, what a run's batch asks).

Printed per way and round: the node's query milliseconds a question (the store's ``query_time_in_millis``,
elapsed time of the node's threads) and the wall milliseconds here. Then, once: how many documents the
bands answered, and for how many the candidate groups worth a check (``group_links.worth``) differ from the
full question's (where the bands answered, only among the last place's ties; elsewhere where documents
sharing one band by chance took the full question's places).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alias", required=True, help="index alias whose <alias>-dedup store is filled")
    ap.add_argument("--sample", type=int, default=1000, help="stored entries whose questions are asked")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    from elasticsearch import helpers

    from pipeline.config import load_settings
    from pipeline.elastic import dedup_store as store
    from pipeline.elastic.client import make_client
    from pipeline.run.group_candidates import store_candidates
    from pipeline.run.group_links import worth
    from pipeline.stages.dedup import Fingerprint

    settings = load_settings()
    cfg = settings.dedup
    es = make_client(settings.es)
    index = store.dedup_index(args.alias)
    entries = [h["_source"] for h in helpers.scan(es, index=index, query={"query": {"term": {"kind": "document"}}},
                                                  _source_includes=["doc_id", "band_keys"], size=1000)]
    entries = [e for e in entries if e.get("band_keys")]
    if not entries:
        raise SystemExit(f"{index}: no document entries with keys (fill the store first, see --help)")
    sample = random.Random(args.seed).sample(entries, min(args.sample, len(entries)))
    fps = [Fingerprint(e["doc_id"], e["band_keys"], np.zeros(0, np.uint32), np.zeros(0, np.uint64)) for e in sample]
    size, least = cfg.max_candidates, cfg.min_shared_keys

    def query_ms() -> int:
        stats = es.indices.stats(index=index, metric="search")["indices"][index]["primaries"]["search"]
        return int(stats["query_time_in_millis"])

    def full() -> dict[str, list[dict[str, Any]]]:
        return store.candidates(es, args.alias, fps, size, least)

    answered: Counter[str] = Counter()

    def bands_first() -> dict[str, list[dict[str, Any]]]:
        counters: Counter[str] = Counter()
        found = store_candidates(es, args.alias, fps, cfg, counters)
        answered["last round"] = counters["dedup/bands-first-answered"]
        return found

    timings: dict[str, list[tuple[float, float]]] = {"full": [], "bands first": []}
    answers: dict[str, dict[str, list[dict[str, Any]]]] = {}
    print(f"{index}: {len(entries)} entries, {len(fps)} questions a way and round, "
          f"{statistics.mean(len(fp.band_keys) for fp in fps):.1f} keys a question "
          f"({statistics.mean(len(fp.lsh_keys) for fp in fps):.1f} bands)")
    for r in range(args.rounds):
        for name, ask in (("full", full), ("bands first", bands_first)):
            before, started = query_ms(), time.perf_counter()
            answers[name] = ask()
            wall, node = time.perf_counter() - started, query_ms() - before
            timings[name].append((node / len(fps), wall * 1000 / len(fps)))
            print(f"  round {r + 1} {name:12s} node query {node / len(fps):.2f} ms a question, "
                  f"wall {wall * 1000 / len(fps):.2f} ms")
    for name, rows in timings.items():
        print(f"{name:12s} median node query {statistics.median(n for n, _ in rows):.2f} ms a question, "
              f"wall {statistics.median(w for _, w in rows):.2f} ms")
    groups = {name: {d: {g for _, g in cands} for d, cands in worth(fps, found, cfg, Counter()).items()}
              for name, found in answers.items()}
    differ = sum(1 for d, gs in groups["full"].items() if gs != groups["bands first"].get(d, set()))
    print(f"answered by their bands: {answered['last round']} of {len(fps)}; candidate groups worth a check differ for "
          f"{differ} of {len(fps)} documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
