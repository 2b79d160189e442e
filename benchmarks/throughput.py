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
3. the same command again with no change (incremental: everything ``unchanged``), then with
   ``--full-refresh`` (reprocess: every document processed again, as after a rule change that moves the
   processing fingerprint; no target, printed as a share of the full run);
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

``--rounds R`` runs every path R times, every other round in reverse order (the no-change re-run
always right after its 1-worker run; the ``--scale-docs`` memory check in the first round only).
Single runs on a shared 2-core machine swing by more than the effects looked for (grouping at 2
workers measured 1.10 to 1.27 on the same code, docs/performance.md), so each target's ratio is taken
within a round, both sides minutes apart, and the median of the rounds decides, every round's value
printed beside it (``benchmarks/throughput_report.py``).

Times are wall-clock seconds of the whole command, interpreter start-up included. Prints docs/s per
stage (stage seconds summed over workers) and per path, the CPU seconds of each path by process
(stage worker, batch workers, grouping process, the command, Elasticsearch), what the stage workers did
when (seconds on a core, seconds waiting for one, and the path's tail: the run after their last document)
and Elasticsearch's thread time on the path's indices by kind (``benchmarks/measured.py``), then each target on its own line
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measured import Measured, es_time, es_time_line, fail, measure, split_line, stages_line  # noqa: E402
from throughput_report import report  # noqa: E402

PY = sys.executable
# the timed paths in the order of an odd round (``round_order``), and the name each one's indices get
PLAN = ("baseline", "pipeline-1-nogroup", "pipeline-1", "incremental", "reprocess", "pipeline-2-nogroup", "pipeline-2",
        "airflow", "scale-2")
RERUNS = ("incremental", "reprocess")  # run again on the 1-worker run's alias, right after it, in this order
ALIASES = {"baseline": "baseline", "pipeline-1-nogroup": "w1-off", "pipeline-1": "w1-on", "pipeline-2-nogroup": "w2-off",
           "pipeline-2": "w2-on", "airflow": "af", "scale-2": "scale"}  # none a prefix of another: cleaned one by one
SHARED_INDICES = ("etl-runs", "etl-line-stats", "etl-sources", "etl-leases")  # what every alias writes a record in


def round_order(plan: Sequence[str], number: int) -> list[str]:
    """Round ``number``'s order (from 0): as planned, every other round backwards, so a drift of the
    machine's load over the rounds weighs on both sides of every ratio alike. The no-change re-run
    stays right after the 1-worker run it repeats, and the re-processing after it; the memory check at
    ``--scale-docs`` runs in the first round only (it compares peak RSS, not time)."""
    order = list(plan) if number % 2 == 0 else [name for name in reversed(plan) if name != "scale-2"]
    if number and "scale-2" in order:
        order.remove("scale-2")
    if "pipeline-1" in order:
        reruns = [name for name in RERUNS if name in order]
        order = [name for name in order if name not in reruns]
        at = order.index("pipeline-1") + 1
        order[at:at] = reruns
    return order


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
                 grouping: bool = True, full_refresh: bool = False) -> Measured:
    if not grouping:
        env = {**env, "ETL_DEDUP_ENABLED": "false"}
    m = measure(name, [PY, "-m", "pipeline", "run", "--source", str(source), "--index-alias", alias,
                       "--workers", str(workers), "--format", "json"] + (["--full-refresh"] if full_refresh else []), env)
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


def run_step(name: str, alias: str, corpus_n: Path, corpus_m: Path | None, env: dict[str, str], args: Any,
             es_url: str, layout_file: Path, work: Path) -> Measured:
    """One timed path into ``alias`` (fresh, except the no-change re-run's)."""
    if name == "baseline":
        return measure("baseline", [PY, str(Path(__file__).resolve()), "--baseline", str(corpus_n), es_url, alias,
                                    str(layout_file)], env)
    if name == "airflow":
        return airflow_run(corpus_n, alias, env, args.airflow_home, work / "runs", work)
    if name == "scale-2":
        assert corpus_m is not None
        return pipeline_run(name, corpus_m, alias, 2, env)
    if name == "reprocess":
        return pipeline_run(name, corpus_n, alias, 1, env, full_refresh=True)
    workers = 2 if name.startswith("pipeline-2") else 1
    return pipeline_run(name, corpus_n, alias, workers, env, grouping=not name.endswith("-nogroup"))


def cleanup(es: Any, prefix: str) -> None:
    """Delete every index and template named ``prefix*``, and the records of aliases named so in the
    indices every alias shares (run log, line statistics, source registry, leases)."""
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
    from elasticsearch import helpers

    for shared in SHARED_INDICES:  # search + bulk delete: the minimal dev distribution has no _delete_by_query
        try:  # refresh first: a record written in the last second (refresh_interval) is not searchable yet
            es.indices.refresh(index=shared, ignore_unavailable=True)
            hits = es.search(index=shared, query={"prefix": {"alias": prefix}}, size=1000, source=False)
            ids = [h["_id"] for h in hits["hits"]["hits"]]
            if ids:  # a record its run removed itself (a released lease) may still be searchable: not found is fine
                _, errors = helpers.bulk(es, ({"_op_type": "delete", "_index": shared, "_id": i} for i in ids),
                                         refresh=True, raise_on_error=False)
                if errors := [e for e in errors if e.get("delete", {}).get("status") != 404]:  # type: ignore[union-attr]
                    raise RuntimeError(f"cleanup of {shared}: {errors[:3]}")
        except ApiError as exc:
            if exc.meta.status != 404:
                raise


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
                         "incremental, reprocess, pipeline-2-nogroup, pipeline-2, airflow, scale-2")
    ap.add_argument("--rounds", type=int, default=1,
                    help="times every path runs, every other round in reverse order; figures and ratios are "
                         "the median round's and the median of per-round ratios (default 1)")
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

    rounds: list[dict[str, Measured]] = []
    failed = False
    try:
        plan = [name for name in PLAN if name != "airflow" or not args.skip_airflow]
        plan = [name for name in plan if name != "scale-2" or corpus_m]
        if args.paths:
            wanted = set(args.paths.split(","))
            plan = [name for name in plan if name in wanted]
        if (warm := min(args.warm_up_docs, n)) and plan:  # a node just started runs its first searches cold
            corpus_w = corpus.build(args.corpus_dir / f"docs-{warm}", warm, data=args.data)
            print(f"warm-up (untimed): {warm} documents through `pipeline run`, grouping on, into {prefix}-jit, "
                  "so that no timed path pays for the node's cold start", flush=True)
            warmed = pipeline_run("warm-up", corpus_w, f"{prefix}-jit", 1, env)
            cleanup(es, f"{prefix}-jit")
            if warmed.returncode != 0:
                fail(warmed)
                failed = True
        for number in range(args.rounds):
            order = round_order(plan, number)
            if args.rounds > 1:
                print(f"round {number + 1} of {args.rounds}: {', '.join(order)}", flush=True)
            measured: dict[str, Measured] = {}
            rounds.append(measured)
            names = {name: f"{prefix}-r{number}-{suffix}" for name, suffix in ALIASES.items()}
            names.update({rerun: names["pipeline-1"] for rerun in RERUNS})  # re-runs of the 1-worker run's alias
            for name in order:
                print(f"running {name} ...", flush=True)
                result = run_step(name, names[name], corpus_n, corpus_m, env, args, es_url, layout_file, work)
                if result.returncode != 0:
                    fail(result)
                    failed = True
                else:
                    measured[name] = result
                    if name == "baseline":
                        result.extra = json.loads(result.stdout.strip().splitlines()[-1])
                    counts = result.extra.get("counts", {})
                    print(f"  {result.seconds:8.1f} s  {result.cpu:8.1f} CPU s  peak RSS "
                          f"{result.peak_rss / 2**20:7.0f} MiB  {counts}", flush=True)
                    print(f"  CPU s by process: {split_line(result)}", flush=True)
                    if result.stages is not None:
                        print(f"  {stages_line(result)}", flush=True)
                    if name in ALIASES and name not in ("baseline", "scale-2"):  # before the cleanup below
                        result.extra["es_time"] = es_time(es, names[name])
                        print(f"  Elasticsearch: {es_time_line(result.extra['es_time'])}", flush=True)
                # free the cluster for the next timed run; the 1-worker alias is re-run by `incremental`, `reprocess`
                if not (name in ("pipeline-1", *RERUNS) and any(r in order[order.index(name) + 1:] for r in RERUNS)):
                    cleanup(es, names[name])
    finally:
        cleanup(es, prefix)
        shutil.rmtree(work, ignore_errors=True)

    report(rounds, n, scale_docs=m_docs, skip_airflow=args.skip_airflow)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
