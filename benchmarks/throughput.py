"""Throughput and scale benchmark: the pipeline against the bare libraries, 1 vs 2 workers, Airflow,
an incremental re-run and peak memory, all in one run against a real Elasticsearch.

    python benchmarks/throughput.py [--docs 10000] [--scale-docs 50000] [--data DIR] [--corpus-dir DIR]

Builds (or reuses) the corpus with ``benchmarks/corpus.py`` outside the repo (``--corpus-dir``,
default ``$TMPDIR/news-etl-throughput``), then runs, each as its own process whose whole process
tree is sampled for resident memory every 50 ms:

1. the *library baseline*: sequential bare library calls on the same files: read (+ gunzip) and
   UTF-8 decode, ``trafilatura.extract`` for HTML, ``langdetect.detect`` on the text,
   ``elasticsearch.helpers.streaming_bulk`` into a fresh index with the pipeline's mapping;
2. ``python -m pipeline run --workers 1`` into a fresh alias;
3. the same command again with no change (incremental: everything ``unchanged``);
4. ``python -m pipeline run --workers 2`` into another fresh alias;
5. ``airflow dags test ingest_articles`` on the same corpus into another fresh alias
   (``airflow dags test`` runs the mapped tasks one after the other in one process, so it is
   compared with the 1-worker run);
6. ``python -m pipeline run --workers 2`` on the ``--scale-docs`` corpus (peak RSS vs step 4);
7. before steps 2 and 4, the same command with near-duplicate grouping off (``ETL_DEDUP_ENABLED=false``)
   into its own fresh alias: the baseline of the grouping cost. It does the same work except the
   fingerprints, the store (candidate searches, entries, links, group fields written to the
   articles) and the end-of-run reconcile; the articles then carry no ``duplicate_*`` fields.

Before them, untimed, the first ``--warm-up-docs`` (200) documents go once through ``pipeline run`` with
grouping on into a throw-away alias: a node that has just started runs its first searches and bulk
requests with a cold JIT (16.8 against 8.2 s of the node's CPU for the same 1-worker path, 2026-12-04),
which would otherwise land on whichever timed path comes first.

``--paths`` runs only some of them (e.g. ``--paths pipeline-1-nogroup,pipeline-1,pipeline-2-nogroup,pipeline-2``
for the grouping ratios alone).

Times are wall-clock seconds of the whole command, interpreter start-up included. Prints docs/s per
stage (stage seconds summed over workers) and per path, the CPU seconds of each path by process
(stage worker, batch workers, grouping process, the command, Elasticsearch) and Elasticsearch's thread
time on the path's indices by kind (``benchmarks/measured.py``), then each target on its own line
ending in "met" or "NOT MET" (the 2-worker lines also say the most the run's CPU allows here). Exits 0 when it ran to the end (1 when a run failed). Everything it creates in
Elasticsearch is named ``bench-<random>*`` and deleted at the end.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measured import Measured, es_time, es_time_line, fail, measure, split_line  # noqa: E402

# issue 27's targets (docs/performance.md)
TARGET_RATE = 2.0  # pipeline (1 worker) rate >= 2.0 x the library baseline's rate on the same corpus
TARGET_SPEEDUP = 1.8  # 2 workers >= 1.8 x the throughput of 1
TARGET_AIRFLOW = 1.1  # airflow dags test time <= 1.1 x pipeline run (1 worker)
TARGET_RSS = 1.25  # peak RSS at --scale-docs <= 1.25 x at --docs
TARGET_INCREMENTAL = 0.03  # no-change re-run <= 3 % of the full run
TARGET_GROUPING = 1.10  # a run with near-duplicate grouping <= 1.10 x the same run without, at 1 and 2 workers
PY = sys.executable


# ---------------------------------------------------------------------------------- the baseline
def baseline(source: Path, es_url: str, index: str, layout_file: Path) -> dict[str, Any]:
    """Sequential bare library calls; prints/returns counts and per-stage seconds."""
    import langdetect
    import trafilatura
    from elasticsearch import Elasticsearch, helpers
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    layout = json.loads(layout_file.read_text(encoding="utf-8"))
    es = Elasticsearch(es_url, request_timeout=60)
    es.indices.create(index=index, mappings=layout["mappings"], settings=layout["settings"])
    timings = {"extract": 0.0, "language": 0.0}
    counts = {"seen": 0, "indexed": 0, "failed": 0}

    def files():
        for dirpath, dirnames, filenames in os.walk(source):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith("."):
                    yield os.path.join(dirpath, name)

    def actions():
        for path in files():
            counts["seen"] += 1
            t = time.perf_counter()
            with open(path, "rb") as fh:
                data = fh.read()
            if path.endswith(".gz"):
                data = gzip.decompress(data)
            text = data.decode("utf-8", errors="replace")
            body = (trafilatura.extract(text) or "") if ".htm" in path else text
            t2 = time.perf_counter()
            timings["extract"] += t2 - t
            try:
                language = langdetect.detect(body)
            except LangDetectException:
                language = "und"
            timings["language"] += time.perf_counter() - t2
            title = next((line.strip() for line in body.splitlines() if line.strip()), "")[:300]
            yield {"_index": index, "_id": hashlib.sha256(path.encode()).hexdigest(),
                   "_source": {"source_path": path, "title": title, "body": body, "language": language}}

    started = time.perf_counter()
    for ok, _item in helpers.streaming_bulk(es, actions(), chunk_size=500, max_chunk_bytes=10 * 1024 * 1024,
                                            raise_on_error=False):
        counts["indexed" if ok else "failed"] += 1
    es.indices.refresh(index=index)
    total = time.perf_counter() - started
    timings["load"] = total - timings["extract"] - timings["language"]  # bulk + its serialisation
    return {"counts": counts, "timings": timings}


# ------------------------------------------------------------------------------------- the runs
def pipeline_run(name: str, source: Path, alias: str, workers: int, env: dict[str, str],
                 grouping: bool = True) -> Measured:
    if not grouping:
        env = {**env, "ETL_DEDUP_ENABLED": "false"}
    m = measure(name, [PY, "-m", "pipeline", "run", "--source", str(source), "--index-alias", alias,
                       "--workers", str(workers), "--format", "json"], env)
    if m.returncode == 0:
        m.extra = json.loads(m.stdout)
    return m


def airflow_run(source: Path, alias: str, env: dict[str, str], home: Path, runs_dir: Path, logs: Path) -> Measured:
    airflow = str(Path(PY).with_name("airflow"))
    env = {**env, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
           "ETL_ALLOWED_SOURCE_ROOTS": str(source.parent), "ETL_RUNS_DIR": str(runs_dir)}
    home.mkdir(parents=True, exist_ok=True)
    migrate = subprocess.run([airflow, "db", "migrate"], env=env, cwd=REPO, capture_output=True, text=True)
    if migrate.returncode != 0:
        return Measured("airflow", 0.0, 0, migrate.returncode, migrate.stdout, migrate.stderr)
    before = set(runs_dir.glob("*/report.json")) if runs_dir.is_dir() else set()
    conf = json.dumps({"source_dir": str(source), "index_alias": alias, "full_refresh": False})
    m = measure("airflow", [airflow, "dags", "test", "ingest_articles", "-c", conf], env,
                log_path=logs / "airflow-dags-test.log")
    reports = sorted(set(runs_dir.glob("*/report.json")) - before)
    if m.returncode == 0 and reports:
        m.extra = json.loads(reports[-1].read_text(encoding="utf-8"))
    elif m.returncode == 0:
        m.returncode = 1
        m.stderr = "no run report written"
    return m


def cleanup(es: Any, prefix: str) -> None:
    """Delete every index, template and run record named ``prefix*``."""
    from elasticsearch import ApiError

    try:
        names = sorted(es.indices.get(index=f"{prefix}*", expand_wildcards="all").body)
        if names:
            es.indices.delete(index=",".join(names), ignore_unavailable=True)
        for tpl in es.indices.get_index_template(name=f"{prefix}*").body.get("index_templates", []):
            es.indices.delete_index_template(name=tpl["name"])
    except ApiError as exc:
        if exc.meta.status != 404:
            raise
    try:  # search + bulk delete: the minimal dev distribution has no _delete_by_query
        from elasticsearch import helpers

        hits = es.search(index="etl-runs", query={"prefix": {"alias": prefix}}, size=1000, source=False)
        ids = [h["_id"] for h in hits["hits"]["hits"]]
        if ids:
            helpers.bulk(es, ({"_op_type": "delete", "_index": "etl-runs", "_id": i} for i in ids), refresh=True)
    except ApiError as exc:
        if exc.meta.status != 404:
            raise


# ---------------------------------------------------------------------------------------- report
def rate(docs: int, seconds: float) -> str:
    return f"{docs / seconds:8.1f}" if seconds > 0 else "       -"


def stage_line(name: str, docs: int, timings: dict[str, float]) -> str:
    cells = [f"{stage}={rate(docs, timings[stage]).strip()}" for stage in
             ("extract", "clean", "language", "enrich", "load", "dedup") if timings.get(stage)]
    return f"  {name:28s} " + "  ".join(cells)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10_000, help="corpus size for the timed runs")
    ap.add_argument("--scale-docs", type=int, default=50_000, help="corpus size for the memory check (0: skip)")
    ap.add_argument("--data", type=Path, default=None, help="article-extraction folder (default ../shared/...)")
    ap.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "news-etl-throughput",
                    help="where corpora are built and kept for reuse (outside the repo)")
    ap.add_argument("--es-url", default=None, help="default: ES_URL, else the configured local node")
    ap.add_argument("--airflow-home", type=Path, default=REPO / ".local" / "airflow-bench")
    ap.add_argument("--skip-airflow", action="store_true")
    ap.add_argument("--warm-up-docs", type=int, default=200,
                    help="documents run once, untimed, before the timed paths (0: none)")
    ap.add_argument("--paths", default=None,
                    help="comma-separated steps to run (default: all): baseline, pipeline-1-nogroup, pipeline-1, "
                         "incremental, pipeline-2-nogroup, pipeline-2, airflow, scale-2")
    ap.add_argument("--baseline", nargs=4, metavar=("SOURCE", "ES_URL", "INDEX", "LAYOUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.baseline:  # the child process of the baseline run
        source, url, index, layout = args.baseline
        print(json.dumps(baseline(Path(source), url, index, Path(layout))))
        return 0

    import corpus
    from elasticsearch import Elasticsearch

    from pipeline.config import load_settings
    from pipeline.elastic.indices import desired_layout

    settings = load_settings()
    es_url = args.es_url or os.environ.get("ES_URL") or settings.es.url
    es = Elasticsearch(es_url, request_timeout=60)
    es.cluster.health()  # reachable (the minimal dev distribution has no GET /)
    n, m_docs = args.docs, args.scale_docs
    corpus_n = corpus.build(args.corpus_dir / f"docs-{n}", n, data=args.data)
    corpus_m = corpus.build(args.corpus_dir / f"docs-{m_docs}", m_docs, data=args.data) if m_docs else None

    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="news-etl-bench-"))
    os.environ["ES_URL"] = es_url  # es_cpu_seconds
    env = {**os.environ, "ES_URL": es_url, "ETL_RUNS_DIR": str(work / "runs"), "PYTHONPATH": str(REPO),
           "OMP_NUM_THREADS": "1"}
    layout = desired_layout(es, settings.number_of_shards, settings.number_of_replicas)
    layout_file = work / "layout.json"
    layout_file.write_text(json.dumps({"mappings": layout.mappings, "settings": layout.settings}))
    print(f"corpus: {n} documents in {corpus_n}" + (f"; scale check: {m_docs} in {corpus_m}" if corpus_m else ""))
    versions = sorted({n.get("version", "?") for n in es.nodes.info(filter_path="nodes.*.version").body.get("nodes", {}).values()})
    print(f"elasticsearch: {', '.join(versions)} at {es_url.split('@')[-1]}; "
          f"cpus: {os.cpu_count()}; names: {prefix}*")

    results: dict[str, Measured] = {}
    aliases = {"pipeline-1-nogroup": f"{prefix}-w1n", "pipeline-1": f"{prefix}-w1", "pipeline-2-nogroup": f"{prefix}-w2n",
               "pipeline-2": f"{prefix}-w2", "airflow": f"{prefix}-af"}
    failed = False
    try:
        steps = [
            ("baseline", lambda: measure("baseline", [PY, str(Path(__file__).resolve()), "--baseline",
                                                      str(corpus_n), es_url, f"{prefix}-baseline", str(layout_file)],
                                         env)),
            ("pipeline-1-nogroup", lambda: pipeline_run("pipeline-1-nogroup", corpus_n, aliases["pipeline-1-nogroup"], 1, env,
                                                        grouping=False)),
            ("pipeline-1", lambda: pipeline_run("pipeline-1", corpus_n, aliases["pipeline-1"], 1, env)),
            ("incremental", lambda: pipeline_run("incremental", corpus_n, aliases["pipeline-1"], 1, env)),
            ("pipeline-2-nogroup", lambda: pipeline_run("pipeline-2-nogroup", corpus_n, aliases["pipeline-2-nogroup"], 2, env,
                                                        grouping=False)),
            ("pipeline-2", lambda: pipeline_run("pipeline-2", corpus_n, aliases["pipeline-2"], 2, env)),
        ]
        if not args.skip_airflow:
            steps.append(("airflow", lambda: airflow_run(corpus_n, aliases["airflow"], env, args.airflow_home,
                                                         work / "runs", work)))
        if corpus_m:
            steps.append(("scale-2", lambda: pipeline_run("scale-2", corpus_m, f"{prefix}-scale", 2, env)))
        if args.paths:
            wanted = set(args.paths.split(","))
            steps = [(name, step) for name, step in steps if name in wanted]
        if (warm := min(args.warm_up_docs, n)) and steps:  # a node just started runs its first searches cold
            corpus_w = corpus.build(args.corpus_dir / f"docs-{warm}", warm, data=args.data)
            print(f"warm-up (untimed): {warm} documents through `pipeline run`, grouping on, into {prefix}-jit, "
                  "so that no timed path pays for the node's cold start", flush=True)
            warmed = pipeline_run("warm-up", corpus_w, f"{prefix}-jit", 1, env)
            cleanup(es, f"{prefix}-jit")
            if warmed.returncode != 0:
                fail(warmed)
                failed = True
        for name, step in steps:
            print(f"running {name} ...", flush=True)
            result = step()
            results[name] = result
            if result.returncode != 0:
                fail(result)
                failed = True
                continue
            if name == "baseline":
                result.extra = json.loads(result.stdout.strip().splitlines()[-1])
            counts = result.extra.get("counts", {})
            print(f"  {result.seconds:8.1f} s  {result.cpu:8.1f} CPU s  peak RSS {result.peak_rss / 2**20:7.0f} MiB  {counts}",
                  flush=True)
            print(f"  CPU s by process: {split_line(result)}", flush=True)
            if name in aliases:  # before a later step or the cleanup changes its indices
                result.extra["es_time"] = es_time(es, aliases[name])
                print(f"  Elasticsearch: {es_time_line(result.extra['es_time'])}", flush=True)
            if name in ("incremental", "pipeline-2"):  # free the cluster for the next timed run
                cleanup(es, f"{prefix}-w")
            suffix = {"baseline": "baseline", "airflow": "af", "scale-2": "scale"}.get(name)
            if suffix:
                cleanup(es, f"{prefix}-{suffix}")
    finally:
        cleanup(es, prefix)
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"documents/second on {n} documents (stages: per CPU-second of that stage, summed over workers)")
    for name in ("baseline", "pipeline-1-nogroup", "pipeline-1", "pipeline-2-nogroup", "pipeline-2", "airflow",
                 "incremental"):
        r = results.get(name)
        if r and r.returncode == 0:
            counts = r.extra.get("counts", {})
            print(f"  {name:18s} {rate(n, r.seconds)} docs/s  {r.seconds:8.1f} s  {r.cpu:8.1f} CPU s  peak RSS "
                  f"{r.peak_rss / 2**20:6.0f} MiB  indexed={counts.get('indexed')} unchanged={counts.get('unchanged', 0)} "
                  f"failed={counts.get('failed')}")
    print("per stage:")
    for name in ("baseline", "pipeline-1-nogroup", "pipeline-1", "pipeline-2-nogroup", "pipeline-2", "airflow"):
        r = results.get(name)
        if r and r.returncode == 0:
            print(stage_line(name, n, r.extra.get("timings", {})))

    print("CPU seconds by process (each process sampled every 50 ms; Elasticsearch: the node's own counter):")
    for name in ("baseline", "pipeline-1-nogroup", "pipeline-1", "pipeline-2-nogroup", "pipeline-2", "airflow"):
        r = results.get(name)
        if r and r.returncode == 0:
            print(f"  {name:18s} {split_line(r)}")
    print("Elasticsearch's time on each path's indices, by kind (seconds of its threads, from _stats; operations):")
    for name in aliases:
        r = results.get(name)
        if r and r.returncode == 0 and r.extra.get("es_time"):
            print(f"  {name:18s} {es_time_line(r.extra['es_time'])}")

    def ok(*names: str) -> bool:
        return all(k in results and results[k].returncode == 0 for k in names)

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

    def cpu_bound(one: str, two: str) -> str:
        """The most ``two`` can gain on ``one`` here: its wall time cannot fall below its CPU seconds
        (Elasticsearch's included) spread over every core."""
        return (f"; its {results[two].cpu:.1f} CPU s on {cores} cores allow at most "
                f"{results[one].seconds / (results[two].cpu / cores):.2f}" if results[two].cpu else "")

    print("targets:")
    if ok("baseline", "pipeline-1"):
        ratio = results["baseline"].seconds / results["pipeline-1"].seconds
        print(f"  pipeline (1 worker) rate / library baseline rate = {ratio:.2f} (>= {TARGET_RATE}): "
              f"{verdict(ratio >= TARGET_RATE)}")
    if ok("pipeline-1", "pipeline-2"):
        speedup = results["pipeline-1"].seconds / results["pipeline-2"].seconds
        print(f"  2 workers throughput / 1 worker = {speedup:.2f}{cpu_bound('pipeline-1', 'pipeline-2')} "
              f"(>= {TARGET_SPEEDUP}): {verdict(speedup >= TARGET_SPEEDUP)}")
    if ok("pipeline-1-nogroup", "pipeline-2-nogroup"):
        speedup = results["pipeline-1-nogroup"].seconds / results["pipeline-2-nogroup"].seconds
        print(f"  2 workers throughput / 1 worker, grouping off = {speedup:.2f}"
              f"{cpu_bound('pipeline-1-nogroup', 'pipeline-2-nogroup')} (>= {TARGET_SPEEDUP}): "
              f"{verdict(speedup >= TARGET_SPEEDUP)}")
    for workers in (1, 2):
        on, off = f"pipeline-{workers}", f"pipeline-{workers}-nogroup"
        if ok(on, off):
            ratio = results[on].seconds / results[off].seconds
            cpu = results[on].cpu / results[off].cpu if results[off].cpu else 0.0
            print(f"  grouping on / off time at {workers} worker(s) = {ratio:.2f}, CPU seconds incl. Elasticsearch "
                  f"{cpu:.2f} (<= {TARGET_GROUPING}): {verdict(ratio <= TARGET_GROUPING)}")
    if ok("pipeline-1", "airflow"):
        ratio = results["airflow"].seconds / results["pipeline-1"].seconds
        print(f"  airflow dags test time / pipeline run (1 worker) time = {ratio:.2f} (<= {TARGET_AIRFLOW}): "
              f"{verdict(ratio <= TARGET_AIRFLOW)}")
    elif args.skip_airflow:
        print("  airflow dags test time / pipeline run time: skipped (--skip-airflow): NOT MET")
    if ok("pipeline-2", "scale-2"):
        ratio = results["scale-2"].peak_rss / results["pipeline-2"].peak_rss
        print(f"  peak RSS {m_docs} docs / {n} docs (2 workers) = {results['scale-2'].peak_rss / 2**20:.0f} / "
              f"{results['pipeline-2'].peak_rss / 2**20:.0f} MiB = {ratio:.2f} (<= {TARGET_RSS}): "
              f"{verdict(ratio <= TARGET_RSS)}")
    elif not corpus_m:
        print("  peak RSS at --scale-docs: skipped (--scale-docs 0): NOT MET")
    if ok("pipeline-1", "incremental"):
        share = results["incremental"].seconds / results["pipeline-1"].seconds
        unchanged = results["incremental"].extra.get("counts", {}).get("unchanged")
        print(f"  incremental no-change re-run time / full run = {share:.1%} ({unchanged} unchanged) "
              f"(<= {TARGET_INCREMENTAL:.0%}): {verdict(share <= TARGET_INCREMENTAL and unchanged == n)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
