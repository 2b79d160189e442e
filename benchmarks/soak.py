"""Soak test (not in CI): consecutive runs with random faults, then the index checked against the folder.

    python benchmarks/soak.py [--runs 10] [--docs 400] [--seed 1] [--workers 2]

Starts its own Elasticsearch node (``LocalNode`` on a free port, home under a temp folder)
and a generated corpus. Before each run the folder changes like a real feed: new articles,
edited ones, deleted ones, and sometimes corrupt files (random binary, a truncated
``.html.gz``, an empty file). Each run is ``python -m pipeline run --sync-deletes`` in a
subprocess (every third one with ``--full-refresh``, so existing documents are overwritten
under fire) and gets one random fault once it is loading:

* ``es_restart``: the node is killed (SIGKILL, or a normal stop) and started again at once;
* ``killed_run``: the run's whole process group gets SIGKILL (a lost machine or container);
* ``killed_worker``: one worker process of the run gets SIGKILL (the OOM killer);
* ``none``.

A run that a fault made fail is followed by recovery runs (no fault) until one succeeds, as
the scheduler's next try would. After every successful run the index is compared with the
folder: ``lost`` (a good file with no document), ``duplicated`` (a file with more than one
document), ``stale`` (a document whose ``file_sha256`` is not the file's), ``unexpected`` (a
document for a deleted or corrupt file). The last lines are the verdict; the exit status is
1 when anything was lost, duplicated, stale or unexpected.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from devtools.es_local import LocalNode, free_port  # noqa: E402
from pipeline.config import ESConnection  # noqa: E402
from pipeline.elastic.client import make_client  # noqa: E402

ALIAS = "soak-articles"
FAULTS = ("es_restart", "killed_run", "killed_worker", "none")
_SENTENCES = [s.strip() for p in sorted((REPO / "seeds").glob("*.txt"))
              for s in re.split(r"(?<=[.!?])\s+", p.read_text(encoding="utf-8")) if len(s.strip()) > 30]


# ---------------------------------------------------------------------------------------------
# the feed
# ---------------------------------------------------------------------------------------------


class Feed:
    """The source folder and what should be indexed from it."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        self.good: set[str] = set()  # relative paths of valid articles
        self.corrupt: set[str] = set()
        self.next_id = 0
        root.mkdir(parents=True, exist_ok=True)

    def _article(self, i: int, edit: int = 0) -> str:
        rng = random.Random(i * 1000 + edit)
        paragraphs = ["\n".join(rng.sample(_SENTENCES, 3)) for _ in range(rng.randint(3, 9))]
        tail = f"\n\nCorrection {edit}: {rng.choice(_SENTENCES)}" if edit else ""
        return (f"Dispatch {i}: {rng.choice(_SENTENCES)[:80]}\n\n" + "\n\n".join(paragraphs)
                + f"\n\nReference number {i}.{tail}\n")

    def add(self, count: int) -> None:
        for _ in range(count):
            i = self.next_id
            self.next_id += 1
            rel = f"{i // 200:03d}/{i:06d}." + ("html" if i % 4 == 0 else "txt")
            text = self._article(i)
            if rel.endswith(".html"):
                body = "".join(f"<p>{p}</p>" for p in text.split("\n\n")[1:])
                text = f"<html><head><title>{text.splitlines()[0]}</title></head><body><article>{body}</article></body></html>"
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.root / rel).write_text(text, encoding="utf-8")
            self.good.add(rel)

    def edit(self, count: int) -> None:
        for rel in self.rng.sample(sorted(self.good), min(count, len(self.good))):
            i = int(Path(rel).stem)
            path = self.root / rel
            text = self._article(i, edit=self.rng.randint(1, 10**6))
            if rel.endswith(".html"):
                body = "".join(f"<p>{p}</p>" for p in text.split("\n\n")[1:])
                text = f"<html><head><title>{text.splitlines()[0]}</title></head><body><article>{body}</article></body></html>"
            path.write_text(text, encoding="utf-8")

    def delete(self, count: int) -> None:
        for rel in self.rng.sample(sorted(self.good), min(count, len(self.good))):
            (self.root / rel).unlink()
            self.good.discard(rel)

    def add_corrupt(self) -> int:
        n = self.next_id
        self.next_id += 1
        files = {
            f"corrupt/{n:06d}-binary.txt": b"\x89PNG\r\n\x1a\n" + bytes(self.rng.randrange(256) for _ in range(4000)),
            f"corrupt/{n:06d}-truncated.html.gz": _truncated(gzip.compress(self._article(n).encode())),
            f"corrupt/{n:06d}-empty.txt": b"",
        }
        for rel, data in files.items():
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.root / rel).write_bytes(data)
            self.corrupt.add(rel)
        return len(files)


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]  # the end of the deflate stream (and the CRC trailer) is gone


# ---------------------------------------------------------------------------------------------
# faults
# ---------------------------------------------------------------------------------------------


def indexing_total(es) -> int:
    try:
        stats = es.indices.stats(index=ALIAS, metric="indexing")
        return int(stats["_all"]["primaries"]["indexing"]["index_total"])
    except Exception:  # noqa: BLE001 - not created yet, or the node is down
        return -1


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def kill_node(node: LocalNode, hard: bool) -> None:
    if hard:
        try:
            os.kill(int(node.pid_path.read_text().strip()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
        deadline = time.monotonic() + 30
        while node.is_running() and time.monotonic() < deadline:
            time.sleep(0.1)
    else:
        node.stop()


def run_once(node: LocalNode, es, source: Path, runs_dir: Path, workers: int, full_refresh: bool,
             fault: str, rng: random.Random) -> tuple[int, str, dict | None]:
    """One ``pipeline run``; returns (exit code, what the fault did, the JSON report or None)."""
    env = {**os.environ, "ES_URL": node.url, "ETL_RUNS_DIR": str(runs_dir), "ETL_MAX_FAILURE_RATIO": "1",
           "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "pipeline", "run", "--source", str(source), "--index-alias", ALIAS,
           "--sync-deletes", "--workers", str(workers), "--format", "json"]
    if full_refresh:
        cmd.append("--full-refresh")
    before = indexing_total(es)
    out_file = tempfile.TemporaryFile()
    err_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out_file, stderr=err_file, start_new_session=True)
    done = "not fired (the run finished first)" if fault != "none" else "none"
    restarter: threading.Thread | None = None
    if fault != "none":
        trigger = rng.randint(10, 60)  # documents into the load
        while proc.poll() is None:
            if before >= 0 and indexing_total(es) - before >= trigger or before < 0 and indexing_total(es) >= trigger:
                break
            time.sleep(0.1)
        if proc.poll() is None:
            if fault == "es_restart":
                hard = rng.random() < 0.5
                kill_node(node, hard)
                restarter = threading.Thread(target=node.start, kwargs={"timeout": 180}, daemon=True)
                restarter.start()
                done = f"node {'killed (SIGKILL)' if hard else 'stopped'} after {trigger}+ docs, restarted"
            elif fault == "killed_run":
                os.killpg(proc.pid, signal.SIGKILL)
                done = f"run killed (SIGKILL) after {trigger}+ docs"
            elif fault == "killed_worker":
                kids = [pid for pid in children(proc.pid) if b"spawn_main" in _cmdline(pid)]  # not the tracker
                if kids:
                    victim = rng.choice(kids)
                    os.kill(victim, signal.SIGKILL)
                    done = f"worker {victim} killed (SIGKILL) after {trigger}+ docs"
                else:
                    done = "no worker process to kill"
    try:
        proc.wait(timeout=600)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        done += "; run hung and was killed after 600 s"
    if restarter is not None:
        restarter.join()
    with _suppress():
        os.killpg(proc.pid, signal.SIGKILL)  # leftovers of a killed run's group
    out_file.seek(0)
    err_file.seek(0)
    stdout, stderr = out_file.read().decode(errors="replace"), err_file.read().decode(errors="replace")
    report = None
    if proc.returncode == 0:
        report = json.loads(stdout)
    elif stderr.strip():
        done += f"; run failed: {stderr.strip().splitlines()[-1][:200]}"
    return proc.returncode, done, report


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


# ---------------------------------------------------------------------------------------------
# consistency
# ---------------------------------------------------------------------------------------------


def check(es, feed: Feed, report: dict) -> dict[str, list[str]]:
    from elasticsearch import helpers

    root = feed.root.resolve()
    want = {str(root / rel): hashlib.sha256((root / rel).read_bytes()).hexdigest() for rel in feed.good}
    es.indices.refresh(index=ALIAS)
    hits = list(helpers.scan(es, index=ALIAS, query={"query": {"match_all": {}}},
                             _source=["source_path", "file_sha256"], size=1000))
    per_path = Counter(h["_source"]["source_path"] for h in hits)
    failed = {d["source"] for d in report["documents"] if d["status"] == "failed"}
    counts = report["counts"]
    problems = {
        "lost": sorted(set(want) - set(per_path)),
        "duplicated": sorted(p for p, n in per_path.items() if n > 1),
        "stale": sorted({h["_source"]["source_path"] for h in hits
                         if h["_source"]["source_path"] in want
                         and want[h["_source"]["source_path"]] != h["_source"]["file_sha256"]}),
        "unexpected": sorted(set(per_path) - set(want)),
        "good_file_failed": sorted(failed - feed.corrupt),
        "corrupt_file_not_failed": sorted(feed.corrupt - failed),
    }
    if counts["seen"] != counts["indexed"] + counts["unchanged"] + counts["failed"]:
        problems["report_does_not_add_up"] = [json.dumps(counts)]
    return {k: v for k, v in problems.items() if v}


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--docs", type=int, default=400, help="articles in the folder before the first run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="--workers of each run (>= 2 to kill a worker)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (corpus, node logs, reports)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    base = Path(tempfile.mkdtemp(prefix="news-etl-soak-"))
    base.chmod(0o755)  # reachable by the unprivileged `esnode` user when run as root
    node = LocalNode(home=base / "es", port=free_port())
    started = time.monotonic()
    totals: Counter[str] = Counter()
    worst: dict[str, int] = Counter()
    attempts = recoveries = 0
    try:
        print(f"soak: starting Elasticsearch on {node.url} ...", flush=True)
        node.start(timeout=180)
        es = make_client(ESConnection(node.url))
        feed = Feed(base / "feed", rng)
        feed.add(args.docs)
        for n in range(1, args.runs + 1):
            changes = []
            if n > 1:
                feed.add(rng.randint(40, 80))
                feed.edit(rng.randint(10, 25))
                feed.delete(rng.randint(5, 15))
                changes.append("added/edited/deleted articles")
            if rng.random() < 0.4:
                totals["corrupt_files"] += 1
                changes.append(f"{feed.add_corrupt()} corrupt files")
            fault = rng.choice(FAULTS)
            full = n % 3 == 0
            t0 = time.monotonic()
            code, done, report = run_once(node, es, feed.root, base / "runs", args.workers, full, fault, rng)
            attempts += 1
            if fault != "none" and not done.startswith(("not fired", "no worker")):
                totals[fault] += 1
            status = "ok" if code == 0 else f"exit {code}"
            tries = 0
            while report is None and tries < 3:  # the scheduler's next try
                tries += 1
                recoveries += 1
                attempts += 1
                code, _, report = run_once(node, es, feed.root, base / "runs", args.workers, False, "none", rng)
                status += f" -> recovery run {'ok' if code == 0 else f'exit {code}'}"
            if report is None:
                print(f"run {n}: could not recover ({status})", flush=True)
                worst["unrecovered_runs"] += 1
                continue
            problems = check(es, feed, report)
            for key, items in problems.items():
                worst[key] += len(items)
            c = report["counts"]
            print(f"run {n:2d}: {len(feed.good) + len(feed.corrupt)} files{' full-refresh' if full else ''}; "
                  f"{'; '.join(changes) or 'no changes'}; fault {fault}: {done}; {status} "
                  f"({time.monotonic() - t0:.0f} s); last run seen={c['seen']} indexed={c['indexed']} "
                  f"unchanged={c['unchanged']} failed={c['failed']} deleted={c['deleted']}; "
                  f"check: {json.dumps({k: v[:3] for k, v in problems.items()}) if problems else 'consistent'}",
                  flush=True)
        es.indices.refresh(index=ALIAS)
        documents = es.count(index=ALIAS)["count"]
    finally:
        node.destroy()
        if args.keep:
            print(f"kept: {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)

    injected = sum(totals.values())
    print()
    print(f"runs:              {args.runs} (+{recoveries} recovery runs; {attempts} pipeline runs in all), "
          f"seed {args.seed}, --workers {args.workers}, {time.monotonic() - started:.0f} s")
    print(f"faults injected:   {injected} (" + ", ".join(f"{k} {totals[k]}" for k in
                                                     ("es_restart", "killed_run", "killed_worker", "corrupt_files"))
          + ")")
    print(f"documents indexed: {documents} (good files in the folder: {len(feed.good)}, "
          f"corrupt files: {len(feed.corrupt)})")
    print(f"documents lost:       {worst['lost'] + worst['good_file_failed']}")
    print(f"documents duplicated: {worst['duplicated']}")
    print(f"stale: {worst['stale']}, unexpected: {worst['unexpected']}, corrupt files not reported failed: "
          f"{worst['corrupt_file_not_failed']}, unrecovered runs: {worst['unrecovered_runs']}")
    return 1 if any(worst.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
