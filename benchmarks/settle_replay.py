"""The end-of-run settle replayed on a finished store: what each of its updates costs the node, and its reads.

    ES_URL=http://127.0.0.1:9200 python benchmarks/settle_replay.py --alias ALIAS [--rounds 2] [--limit N]

Fill the store first, e.g. ``python -m pipeline run --source /tmp/news-etl-throughput/docs-10000
--index-alias ALIAS`` (``benchmarks/corpus.py``'s corpus). Use a throw-away alias: the replay rewrites its
articles' and entries' group fields, and puts the settled values back at the end.

A run's last step, ``dedup_groups.settle_proven``, reads the groups and writes ``duplicate_group``,
``is_canonical`` and ``duplicate_count`` to every entry and article whose values changed; at the end of a
10,000-document run of the throughput corpus that is most of them, because every copy's count changes when
its story gains a copy. Here, on the settled entries (``duplicate_count`` set) of ``<alias>-dedup`` and their
articles in the alias's index:

* **reads**, timed as the settle makes them: ``dedup_store.group_sizes`` of every settled id,
  ``dedup_groups.components`` around them, ``dedup_groups.article_fields`` of their articles;
* **writes**: the settle's own update actions (its fields, its ``retry_on_conflict``, its 500-action bulk
  requests through ``dedup_store._check_bulk``), every update with a count that differs from the one held, so
  that each one re-indexes its document as a run's settle does, in four ways one after the other:
  the articles and the entries at once in 2 streams each (how the settle writes them), the articles alone in
  2 streams, the entries alone in 2 streams, the articles alone in 1 stream. The last write of the last round
  puts the settled values back.

Printed per way and round: wall seconds, the node's CPU seconds (its process counter, so whatever else runs
on the node is in it: keep the node otherwise idle), this process's CPU seconds, and the node's CPU
milliseconds per update. Nothing is asserted; figures for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

STREAMS = 2  # the settle's _SETTLE_STREAMS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--alias", required=True, help="a finished run's alias (its <alias>-dedup store filled)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="at most this many settled entries (0: all)")
    args = ap.parse_args(argv)

    from elasticsearch import helpers

    from benchmarks.measured import es_cpu_seconds
    from pipeline.config import load_settings
    from pipeline.elastic import dedup_groups as groups
    from pipeline.elastic import dedup_store as store
    from pipeline.elastic.client import make_client

    settings = load_settings()
    es = make_client(settings.es)
    entries_index = store.dedup_index(args.alias)
    index = next(iter(es.indices.get_alias(name=args.alias)))
    settled = {h["_id"]: (h["_source"].get("group"), h["_source"].get("is_canonical"), h["_source"]["duplicate_count"])
               for h in helpers.scan(es, index=entries_index, size=1000,
                                     query={"query": {"bool": {"filter": [{"term": {"kind": "document"}},
                                                                          {"exists": {"field": "duplicate_count"}}]}}},
                                     _source_includes=["group", "is_canonical", "duplicate_count"])}
    ids = sorted(settled)[:args.limit or None]
    if not ids:
        raise SystemExit(f"{entries_index}: no settled entries (fill the store first, see --help)")
    print(f"{index} and {entries_index}: {len(ids)} settled entries, "
          f"{sum(1 for i in ids if settled[i][2] > 1)} of them in groups of two or more")

    def timed(what: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = call()
        print(f"  read {what:16s} {time.perf_counter() - started:6.2f} s wall")
        return result

    store.refresh(es, args.alias)
    timed("group_sizes", lambda: store.group_sizes(es, args.alias, ids))
    timed("components", lambda: groups.components(es, args.alias, ids, settings.dedup.max_group_size))
    timed("article_fields", lambda: groups.article_fields(es, index, ids))

    def article_actions(count: Callable[[str], int]) -> list[dict[str, Any]]:
        return [{"_op_type": "update", "_index": index, "_id": i, "retry_on_conflict": 5,
                 "doc": {"duplicate_group": settled[i][0], "is_canonical": settled[i][1], "duplicate_count": count(i)}}
                for i in ids]

    def entry_actions(count: Callable[[str], int]) -> list[dict[str, Any]]:
        return [{"_op_type": "update", "_index": entries_index, "_id": i, "retry_on_conflict": 5,
                 "doc": {"group": settled[i][0], "is_canonical": settled[i][1], "duplicate_count": count(i),
                         "updated_at": store._now()}}
                for i in ids]

    def split(actions: list[dict[str, Any]], streams: int) -> list[list[dict[str, Any]]]:
        return [actions[k::streams] for k in range(streams)]

    ways: dict[str, Callable[[Callable[[str], int]], list[list[dict[str, Any]]]]] = {
        f"both, {STREAMS}+{STREAMS} streams (the settle)": lambda c: split(article_actions(c), STREAMS)
        + split(entry_actions(c), STREAMS),
        f"articles, {STREAMS} streams": lambda c: split(article_actions(c), STREAMS),
        f"entries, {STREAMS} streams": lambda c: split(entry_actions(c), STREAMS),
        "articles, 1 stream": lambda c: split(article_actions(c), 1),
    }
    def shifted(by: int) -> Callable[[str], int]:
        return lambda i: settled[i][2] + by

    per_update: dict[str, list[float]] = {name: [] for name in ways}
    shift = 0
    for r in range(args.rounds):
        for k, (name, make) in enumerate(ways.items()):
            last = r == args.rounds - 1 and k == len(ways) - 1
            shift += 1
            # a count no update has written before (so every update re-indexes); the settled one at the very end
            if last:  # the settled values back, in the settle's own way, so the entries are whole again too
                parts = ways[next(iter(ways))](lambda i: settled[i][2])
            else:
                parts = make(shifted(1000 * shift))
            updates = sum(len(p) for p in parts)
            node_before, client_before, started = es_cpu_seconds(), time.process_time(), time.perf_counter()
            with ThreadPoolExecutor(len(parts)) as pool:
                answered = list(pool.map(lambda p: store._check_bulk(es, p, "settle replay"), parts))
            wall = time.perf_counter() - started
            node, client = es_cpu_seconds() - node_before, time.process_time() - client_before
            if sum(len(a) for a in answered) != updates:
                raise SystemExit(f"{name}: {sum(len(a) for a in answered)} of {updates} updates answered")
            shown = "the settle, settled values back" if last else name
            print(f"  round {r + 1} {shown:36s} {updates:6d} updates  wall {wall:6.2f} s  node CPU {node:6.2f} s  "
                  f"client CPU {client:5.2f} s  node {1000 * node / updates:.2f} ms an update", flush=True)
            if not last:
                per_update[name].append(1000 * node / updates)
    for name, values in per_update.items():
        if values:
            print(f"{name:36s} median node CPU {statistics.median(values):.2f} ms an update")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
