"""Flat memory and XCom at a million files: planning and the delete sync, simulated, at two sizes.

    python benchmarks/scale.py [--small 10000] [--large 1000000] [--batch-size N] [--gone-every 1000]

What runs is the pipeline's own code: ``Flow.start``'s ``RunContext`` (as the start task returns it),
``plan_batches`` (``write_manifests``: streams the listing into batch manifests in a run folder under
a temp dir and returns the batch numbers, the plan task's XCom), ``read_manifest`` and
``save_outcomes`` (a batch task's XCom: a summary + a reference to its outcomes file) for a batch of
``unchanged`` outcomes, and ``gone_documents`` (the delete sync's filter) over the indexed entries.

What is simulated, and how: no cleaning and no Elasticsearch. The folder listing is a generator of
relative paths in a sparse tree (1,000 files per sub-folder, the order ``discover`` yields), so no
million files are made on disk; the delete sync's Elasticsearch scroll (``indexed_source_documents``)
is a generator of the same ``(id, source_relpath)`` pairs with real ids (``document_id``), the
on-disk existence check says every ``--gone-every``-th file is gone, and the ids to delete are
consumed one by one as ``delete_documents`` would stream them to the bulk helper.

Each size runs in a fresh interpreter (peak RSS, ``ru_maxrss``, only grows within a process); the
parent prints one line per size and the two targets: largest XCom value <= 64 kB, RSS(large) <= 2 x
RSS(small).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

XCOM_LIMIT = 64 * 1024


def listing(count: int, per_folder: int = 1000) -> Iterator[str]:
    for i in range(count):
        yield f"d{i // per_folder:05d}/f{i:07d}.txt"


def one(count: int, batch_size: int, gone_every: int) -> dict[str, float]:
    from pipeline.config import load_settings
    from pipeline.run.context import RunContext
    from pipeline.run.lifecycle import gone_documents, plan_batches
    from pipeline.run.manifest import read_manifest, save_outcomes
    from pipeline.run.report import BatchReport, DocumentOutcome
    from pipeline.stages.enrich import document_id

    settings = load_settings().with_overrides(batch_size=batch_size)
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        ctx = RunContext(run_id="scale", source_dir=str(Path(tmp) / "sim"), alias="bench", index="bench-v1",
                         started_at="2026-01-01T00:00:00+00:00", run=settings.run, runs_dir=tmp, source_name="sim")
        xcom = {"start": len(json.dumps(ctx.to_dict()))}
        started = time.perf_counter()
        batches = plan_batches(ctx, [("sim", listing(count))])
        plan_seconds = time.perf_counter() - started
        xcom["plan"] = len(json.dumps(batches))
        source, paths = read_manifest(ctx, batches[-1])
        summary = save_outcomes(ctx, batches[-1], BatchReport(
            [DocumentOutcome(source=p, id=document_id(source, p), status="unchanged") for p in paths],
            {"extract": 0.1}, {}))
        xcom["process_batch"] = len(json.dumps(summary))
        files = sum(read_manifest(ctx, b)[1].__len__() for b in (batches[0], batches[-1]))

        started = time.perf_counter()
        indexed = ((document_id("sim", rel), rel) for rel in listing(count))
        gone = 0
        for _doc_id, _rel in gone_documents(indexed, lambda rel: int(rel[-11:-4]) % gone_every != 0):
            gone += 1
        delete_seconds = time.perf_counter() - started
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"files": count, "batches": len(batches), "checked_files": files, "gone": gone,
            "plan_s": round(plan_seconds, 2), "delete_sync_s": round(delete_seconds, 2),
            "peak_rss_mib": round(rss_mib, 1), "xcom_max_bytes": max(xcom.values()), "xcom": xcom}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=None, help="default: run.batch_size in config")
    parser.add_argument("--gone-every", type=int, default=1000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.batch_size is None:
        from pipeline.config import load_settings

        args.batch_size = load_settings().run.batch_size
    if args.one:
        print(json.dumps(one(args.one, args.batch_size, args.gone_every)))
        return 0
    results = []
    for count in (args.small, args.large):
        proc = subprocess.run([sys.executable, __file__, "--one", str(count), "--batch-size", str(args.batch_size),
                               "--gone-every", str(args.gone_every)], capture_output=True, text=True, cwd=REPO)
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            return 1
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(result)
        print(f"{result['files']:>9,} files: {result['batches']:,} batches, plan {result['plan_s']}s, "
              f"delete sync {result['delete_sync_s']}s ({result['gone']:,} gone), peak RSS "
              f"{result['peak_rss_mib']} MiB, largest XCom {result['xcom_max_bytes']:,} B {result['xcom']}")
    small, large = results
    xcom = max(r["xcom_max_bytes"] for r in results)
    ratio = large["peak_rss_mib"] / small["peak_rss_mib"]
    print(f"target largest XCom <= {XCOM_LIMIT:,} B: {xcom:,} B: {'met' if xcom <= XCOM_LIMIT else 'NOT MET'}")
    print(f"target RSS({large['files']:,}) <= 2 x RSS({small['files']:,}): {large['peak_rss_mib']} / "
          f"{small['peak_rss_mib']} MiB = {ratio:.2f}: {'met' if ratio <= 2 else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
