"""Where Elasticsearch's CPU goes during a run: the node's own sampling profiler (JDK Flight Recorder)
while ``pipeline run`` works, with near-duplicate grouping off and on.

    python benchmarks/es_cpu_profile.py [--docs 2000] [--workers 2] [--corpus-dir DIR]

``_stats`` (``benchmarks/throughput.py``'s "Elasticsearch's time ... by kind") gives the time of the
node's threads per index and operation; a thread that waits (a throttled merge, a search queued
behind the CPU) counts there as busy. This asks the JVM instead: JFR samples the threads that are
on a CPU every 10 ms and keeps their stacks. Each sample is put in one **kind** by its thread pool
(``write``: bulk indexing, ``search``, ``get``, ``refresh``, merges ...) and what its stack does
(text analysis, stored fields, term lookups ...), and the two runs are printed side by side with the
difference: what grouping asks of the node, by kind. Samples are proportional to CPU time; their
count depends on the JVM's sampler, so read shares and differences, not seconds.

Needs the node to be local and startable by this user's tools: the pid listening on ``ES_URL``'s
port, its ``jcmd`` and ``jfr`` (next to its ``java``), run as the node's user (``runuser`` when this
is root). Everything is written to a temporary folder and removed; aliases are ``esprof-<random>*``
and deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# (kind, marks in the stack): the first kind whose marks a sample's stack holds, within its pool
KINDS = (
    ("text analysis", ("invertTokenStream", "Tokenizer.", "TokenFilter.")),
    ("stored fields written (compressed)", ("StoredFieldsWriter", "LZ4.compress")),
    ("stored fields read (_source, get)", ("StoredFieldsReader", "LZ4.decompress")),
    ("keywords and doc values indexed", ("IndexingChain", "TermsHashPerField", "BytesRefHash", "DocValuesWriter")),
    ("JSON parsed or written", ("Json", "XContent")),
    ("term lookups and scoring", ("TermsEnum", "seekExact", "TermStates", "Scorer", "Weight", "Collector")),
    ("doc values read", ("DocValues",)),
)


def node_process(es_url: str) -> Any:
    """The Elasticsearch process listening on ``es_url``'s port on this machine."""
    import psutil

    port = urlsplit(es_url.split(",")[0]).port or 9200
    for proc in psutil.process_iter(["cmdline"]):
        if "org.elasticsearch.bootstrap.Elasticsearch" not in " ".join(proc.info["cmdline"] or []):
            continue
        try:
            if any(c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in proc.net_connections()):
                return proc
        except psutil.Error:
            continue
    raise SystemExit(f"no local Elasticsearch process listens on port {port} (this needs the dev node)")


def as_node_user(proc: Any, cmd: list[str]) -> list[str]:
    user = proc.username()
    return ["runuser", "-u", user, "--", *cmd] if os.geteuid() == 0 and user != "root" else cmd


def pool_of(thread: str) -> str:
    """``elasticsearch[node][write][T#1]`` -> ``write``; Lucene's merge threads -> ``merge``."""
    if "Merge" in thread:
        return "merge"
    parts = [p.split("]")[0] for p in thread.split("[")[1:]]
    return parts[1] if len(parts) >= 2 else "other"


def kind_of(stack: list[str]) -> str:
    joined = " ".join(stack)
    return next((kind for kind, marks in KINDS if any(mark in joined for mark in marks)), "other")


def samples(jfr_bin: Path, recording: Path) -> Counter[tuple[str, str]]:
    """(pool, kind) -> execution samples in ``recording``."""
    printed = subprocess.run([str(jfr_bin), "print", "--json", "--events", "jdk.ExecutionSample", str(recording)],
                             capture_output=True, text=True, check=True).stdout
    out: Counter[tuple[str, str]] = Counter()
    for event in json.loads(printed)["recording"]["events"]:
        values = event["values"]
        thread = values["sampledThread"].get("javaName") or values["sampledThread"].get("osName") or ""
        frames = (values.get("stackTrace") or {}).get("frames") or []
        stack = [f["method"]["type"]["name"].rsplit("/", 1)[-1] + "." + f["method"]["name"] for f in frames]
        out[(pool_of(thread), kind_of(stack))] += 1
    return out


def profiled_run(proc: Any, name: str, cmd: list[str], env: dict[str, str], work: Path) -> Counter[tuple[str, str]]:
    """``cmd`` under a JFR recording of the node; its samples."""
    bin_dir = Path(proc.exe()).parent
    recording = work / f"{name}.jfr"
    jcmd = [str(bin_dir / "jcmd"), str(proc.pid)]
    subprocess.run(as_node_user(proc, [*jcmd, "JFR.start", f"name={name}", "settings=profile",
                                       f"filename={recording}"]), check=True, capture_output=True)
    try:
        run = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    finally:
        subprocess.run(as_node_user(proc, [*jcmd, "JFR.stop", f"name={name}"]), check=True, capture_output=True)
    if run.returncode != 0:
        raise SystemExit(f"{name} failed:\n{run.stderr[-3000:]}")
    return samples(bin_dir / "jfr", recording)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "news-etl-throughput")
    ap.add_argument("--data", type=Path, default=None, help="article-extraction folder (default ../shared/...)")
    args = ap.parse_args(argv)

    import corpus
    from elasticsearch import Elasticsearch
    from throughput import cleanup

    from pipeline.config import load_settings

    es_url = os.environ.get("ES_URL") or load_settings().es.url
    proc = node_process(es_url)
    source = corpus.build(args.corpus_dir / f"docs-{args.docs}", args.docs, data=args.data)
    prefix = f"esprof-{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="news-etl-esprof-"))
    os.chmod(work, 0o777)  # the node's user writes the recordings
    env = {**os.environ, "ES_URL": es_url, "ETL_RUNS_DIR": str(work / "runs"), "PYTHONPATH": str(REPO)}
    es = Elasticsearch(es_url, request_timeout=60)
    found: dict[str, Counter[tuple[str, str]]] = {}
    try:
        for name, grouping in (("grouping-off", "false"), ("grouping-on", "true")):
            cmd = [sys.executable, "-m", "pipeline", "run", "--source", str(source), "--index-alias",
                   f"{prefix}-{name}", "--workers", str(args.workers), "--format", "json"]
            print(f"running {name} ...", flush=True)
            found[name] = profiled_run(proc, name, cmd, {**env, "ETL_DEDUP_ENABLED": grouping}, work)
            cleanup(es, f"{prefix}-{name}")
    finally:
        cleanup(es, prefix)
        shutil.rmtree(work, ignore_errors=True)

    off, on = found["grouping-off"], found["grouping-on"]
    total_off, total_on = sum(off.values()), sum(on.values())
    print(f"\nElasticsearch CPU samples (JFR, threads on a CPU every 10 ms) during `pipeline run --workers "
          f"{args.workers}` on {args.docs} documents, by thread pool and kind")
    print(f"  {'pool':18s} {'kind':36s} {'off':>6s} {'on':>6s} {'on - off':>9s} {'share of the difference':>24s}")
    extra = total_on - total_off
    for key in sorted(set(off) | set(on), key=lambda k: -(on[k] - off[k])):
        diff = on[key] - off[key]
        if max(on[key], off[key]) < max(3, total_on // 200):
            continue
        share = f"{diff / extra:.0%}" if extra > 0 else "-"
        print(f"  {key[0]:18s} {key[1]:36s} {off[key]:6d} {on[key]:6d} {diff:+9d} {share:>24s}")
    print(f"  {'all':18s} {'':36s} {total_off:6d} {total_on:6d} {extra:+9d}")
    pool_off: Counter[str] = Counter()
    pool_on: Counter[str] = Counter()
    for (pool, _), n in off.items():
        pool_off[pool] += n
    for (pool, _), n in on.items():
        pool_on[pool] += n
    print("by pool, off -> on: " + ", ".join(f"{p} {pool_off[p]} -> {pool_on[p]}" for p in
                                            sorted(set(pool_on) | set(pool_off), key=lambda p: -(pool_on[p] - pool_off[p]))
                                            if max(pool_on[p], pool_off[p]) >= 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
