"""The near-duplicate store's writes replayed into fresh indices of two mappings: what they cost the node.

    ES_URL=http://127.0.0.1:9200 python benchmarks/store_writes.py --alias ALIAS [--rounds 2] [--chunk 75]

Fill the store first, e.g. ``python -m pipeline run --source /tmp/news-etl-throughput/docs-10000
--index-alias ALIAS`` (``benchmarks/corpus.py``'s corpus). ``<alias>-dedup`` is only read.

A run writes one entry per document into ``<alias>-dedup`` (``dedup_store.entry_source``: its band keys,
signature, links and group), a batch at a time with a refresh before the next batch's candidate question,
and the end-of-run settle then updates most entries' group fields once more. Here the store's document
entries, as they are, are written into a fresh index in chunks of ``--chunk`` with a refresh after each,
then every entry is updated once (a new ``duplicate_count``, so each update re-indexes its entry), for two
mappings taking turns in every round:

* ``as shipped``: ``config/dedup_template.json`` (the band keys without doc values: nothing reads them from
  there, candidate questions search them and grouping reads them from ``_source``);
* ``band keys with doc values``: the same with ``band_keys`` keeping Elasticsearch's default doc values, the
  mapping before issue 27's eighteenth session.

Both do the same writes in the same order. Printed per mapping and round: wall seconds, the node's CPU
seconds over the writes and a wait for the merges to settle (its process counter, so keep the node otherwise
idle), merges and their thread seconds, indexing thread seconds, segments and the index's size at the end;
then the medians and their ratio. Nothing is asserted; figures for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SETTLE_WAIT = 2.0  # seconds after the last refresh for merges in flight to finish inside the measured span


def mappings() -> dict[str, dict[str, Any]]:
    """The two store templates compared, by name."""
    shipped = json.loads((REPO / "config" / "dedup_template.json").read_text(encoding="utf-8"))
    shipped.pop("_comment", None)
    before = copy.deepcopy(shipped)
    before["mappings"]["properties"]["band_keys"].pop("doc_values", None)
    return {"as shipped": shipped, "band keys with doc values": before}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alias", required=True, help="a finished run's alias (its <alias>-dedup store filled)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=75, help="entries a bulk request, refreshed after each")
    ap.add_argument("--limit", type=int, default=0, help="at most this many entries (0: all)")
    args = ap.parse_args(argv)

    from elasticsearch import helpers

    from benchmarks.measured import es_cpu_seconds
    from pipeline.config import load_settings
    from pipeline.elastic import dedup_store as store
    from pipeline.elastic.client import make_client

    es = make_client(load_settings().es)
    source = store.dedup_index(args.alias)
    entries = sorted(((h["_id"], h["_source"]) for h in helpers.scan(
        es, index=source, size=1000, query={"query": {"term": {"kind": "document"}}})), key=lambda e: e[0])
    entries = entries[:args.limit or None]
    if not entries:
        raise SystemExit(f"{source}: no document entries (fill the store first, see --help)")
    print(f"{source}: {len(entries)} document entries, written in chunks of {args.chunk} with a refresh after each, "
          f"then each updated once")

    results: dict[str, list[dict[str, float]]] = {name: [] for name in mappings()}
    for r in range(args.rounds):
        for k, (name, template) in enumerate(mappings().items()):
            target = f"{args.alias}-store-writes-{r}-{k}"
            es.options(ignore_status=404).indices.delete(index=target)
            es.indices.create(index=target, mappings=template["mappings"],
                              settings={**template.get("settings", {}), "number_of_shards": 1, "number_of_replicas": 0})
            cpu, started = es_cpu_seconds(), time.perf_counter()
            for start in range(0, len(entries), args.chunk):
                helpers.bulk(es, ({"_index": target, "_id": i, "_source": e} for i, e in entries[start:start + args.chunk]))
                es.indices.refresh(index=target)
            helpers.bulk(es, ({"_op_type": "update", "_index": target, "_id": i,
                               "doc": {"duplicate_count": int(e.get("duplicate_count") or 1) + 1}} for i, e in entries))
            es.indices.refresh(index=target)
            time.sleep(SETTLE_WAIT)
            wall, node = time.perf_counter() - started, es_cpu_seconds() - cpu
            stats = es.indices.stats(index=target)["indices"][target]["total"]
            figures = {"wall": wall, "node": node, "merges": stats["merges"]["total"],
                       "merge_s": stats["merges"]["total_time_in_millis"] / 1000,
                       "indexing_s": stats["indexing"]["index_time_in_millis"] / 1000,
                       "segments": stats["segments"]["count"], "mb": stats["store"]["size_in_bytes"] / 1e6}
            results[name].append(figures)
            print(f"round {r + 1} {name:26s} {wall:6.1f} s wall  node CPU {node:6.2f} s  merges {figures['merges']:3.0f} "
                  f"({figures['merge_s']:5.1f} s)  indexing {figures['indexing_s']:5.1f} s  segments {figures['segments']:3.0f}  "
                  f"{figures['mb']:6.1f} MB", flush=True)
            es.indices.delete(index=target)
    medians = {name: {key: statistics.median(f[key] for f in runs) for key in ("node", "mb", "wall")}
               for name, runs in results.items()}
    for name, m in medians.items():
        print(f"median {name:26s} node CPU {m['node']:6.2f} s  {m['mb']:6.1f} MB  {m['wall']:6.1f} s wall")
    shipped, before = medians["as shipped"], medians["band keys with doc values"]
    if before["node"] > 0 and before["mb"] > 0:
        print(f"as shipped / with doc values: node CPU {shipped['node'] / before['node']:.2f}, "
              f"size {shipped['mb'] / before['mb']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
