"""Fuzzing campaign: generated hostile files through ``clean`` (in process) and a sample of them
through ``pipeline run`` into a real Elasticsearch node.

    python benchmarks/fuzz.py --count 100000 [--seed 1] [--limit 5] [--run-sample 2000]
    python benchmarks/fuzz.py --skip-clean --seed 4 --start 5000 --run-sample 5000   # a chunk of a run campaign

Files come from ``benchmarks/fuzz_gen.py`` (deterministic from seed and index: a finding is
reproduced with ``--only INDEX``). Each file goes through the steps ``python -m pipeline clean``
runs (``document_stages``: extract -> clean -> language -> enrich), with the document time limit set to
``--limit`` seconds (``ETL_DOCUMENT_TIME_LIMIT``). Checked for every file:

* **accounted**: it ends with no error (it would be indexed) or failed with ``stage/code`` errors;
  no exception escapes the stages (**crash**); an error with code ``unexpected`` is the stages'
  safety net catching a bug and is counted on its own;
* **no hang**: wall time at most 2 x the limit (plus 1 s for reading the file);
* **no markup or script in the output** (title, body, captions, author, dateline): no tag, no
  ``javascript:``, and never the generator's canary, which it writes only inside ``<script>``,
  ``<style>``, attributes, comments and URLs;
* **memory bounded**: resident memory after a tenth of the files and at the end, and the peak.

With ``--run-sample N`` (needs ``ES_URL``, e.g. the node of ``devtools.es_local``), the first N files
are also written to a folder and run with ``python -m pipeline run`` into a fresh alias: every file
must be in the report as indexed or failed with a code, the index must hold exactly the indexed
ones, and no indexed field may hold markup or the canary.
Prints one line per check ending in "met" or "NOT MET"; exits 1 when one is not met.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.fuzz_gen import CANARY, FAMILIES, case  # noqa: E402
from pipeline.run.isolated import RECYCLE_AFTER  # noqa: E402
from pipeline.run.os_helpers import rss_mib  # noqa: E402

TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(\s[^<>]*)?/?>|<!--|<!\[CDATA\[|<\?xml")
FIELDS = ("title", "body", "author", "dateline", "source_name")


def leaks(values: dict) -> list[str]:
    """What in a document's text fields is markup or script."""
    found = []
    texts = [str(values.get(f) or "") for f in FIELDS] + [str(c) for c in values.get("captions") or []]
    for text in texts:
        if CANARY in text:
            found.append("canary")
        if "javascript:" in text.lower():
            found.append("javascript:")
        m = TAG.search(text)
        if m:
            found.append(f"tag {m.group()[:40]!r}")
    return found


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_STEP = None


def _stages():
    """The per-document steps of a run, built once per process: by default an ``Isolated`` step
    (``pipeline/run/isolated.py``: the stages in a warm worker process, killed and replaced when a
    stage overruns inside C code), as ``pipeline run`` runs them; with ``--in-process`` the stages
    themselves (what ``python -m pipeline clean`` runs), warmed the same way."""
    global _STEP
    if _STEP is None:
        from functools import partial

        from pipeline.config import load_settings
        from pipeline.run.batch import document_stages
        from pipeline.run.isolated import Isolated, warm_up

        build = partial(document_stages, load_settings().run)
        if os.environ.get("FUZZ_IN_PROCESS"):
            _STEP = build()
            warm_up(_STEP)
        else:
            _STEP = [Isolated(build(), build)]
    return _STEP


def _ready(steps) -> None:
    """Wait until the stage worker (a replacement after a kill) has warmed up: not a file's time."""
    from pipeline.run.isolated import Isolated, stage_worker

    if isinstance(steps[0], Isolated):
        stage_worker().wait_ready(steps[0].build)


def _worker_rss() -> float:
    """Resident memory of the process the stages run in (the stage worker, else this one)."""
    from pipeline.run.isolated import stage_worker

    child = stage_worker().rss_mib() if not os.environ.get("FUZZ_IN_PROCESS") else 0.0
    return child or rss_mib()


def clean_one(stages, path: Path, name: str):
    """One file through the steps, as a run does."""
    from pipeline.run.batch import new_document, run_steps

    doc = new_document(path.parent, "fuzz", name)
    return next(run_steps(stages, [doc]))


def fuzz_chunk(task: tuple[int, list[int], float, str, int]) -> dict:
    """Files ``indices`` through the stages of this process; the counts of what happened."""
    seed, indices, limit, work, keep = task
    stages = _stages()
    outcome: Counter[str] = Counter()
    by_family: dict[str, Counter[str]] = defaultdict(Counter)
    family_seconds: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    problems: list[tuple] = []
    slowest: list[tuple[float, str]] = []
    scratch = Path(work) / f"scratch-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    for i in indices:
        c = case(seed, i)
        kept = i < keep
        path = (Path(work) / "sample" if kept else scratch) / c.name
        path.write_bytes(c.data)
        _ready(stages)
        t0 = time.perf_counter()
        try:
            doc = clean_one(stages, path, c.name)
        except BaseException as exc:  # noqa: BLE001 - a crash is what we count
            if isinstance(exc, KeyboardInterrupt):
                raise
            outcome["crash"] += 1
            by_family[c.family]["crash"] += 1
            problems.append(("crash", i, c.name, f"{type(exc).__name__}: {exc}"[:200]))
            continue
        finally:
            if not kept:
                path.unlink(missing_ok=True)
        wall = time.perf_counter() - t0
        family_seconds[c.family] += wall
        slowest = sorted([*slowest, (wall, c.name)], reverse=True)[:5]
        if wall > 2 * limit + 1:
            outcome["hang"] += 1
            problems.append(("hang", i, c.name, f"{wall:.1f} s"))
        if doc.errors:
            keys = [e.key for e in doc.errors]
            codes.update(keys[:1])
            if any(not e.code or not e.stage for e in doc.errors):
                outcome["failed without a code"] += 1
                problems.append(("no code", i, c.name, str(doc.errors)[:200]))
            if any(e.code == "crashed" for e in doc.errors):  # the stage worker died: a crash in C code
                outcome["crash"] += 1
                by_family[c.family]["crash"] += 1
                problems.append(("crash", i, c.name, str(doc.errors)[:200]))
                continue
            if any(e.code == "unexpected" for e in doc.errors):
                outcome["unexpected"] += 1
                problems.append(("unexpected", i, c.name, str(doc.errors)[:200]))
            outcome["failed"] += 1
            by_family[c.family]["failed " + keys[0]] += 1
        else:
            outcome["indexed"] += 1
            by_family[c.family]["indexed"] += 1
            found = leaks({f: getattr(doc, f, None) for f in (*FIELDS, "captions")})
            if found:
                outcome["markup in output"] += 1
                problems.append(("markup", i, c.name, ", ".join(sorted(set(found)))))
            if c.family == "gzip-bomb":  # a bomb must never be indexed from its first member alone
                outcome["bomb indexed"] += 1
                problems.append(("bomb indexed", i, c.name, doc.body[:80]))
    from pipeline.run.isolated import stage_worker

    w = stage_worker()
    _ready(stages)  # a replacement started for the chunk's last file: its RSS once warm, not mid-start (read 0)
    return {"outcome": outcome, "by_family": by_family, "codes": codes, "problems": problems,
            "slowest": slowest, "family_seconds": family_seconds, "rss": _worker_rss(), "peak": peak_rss_mib(),
            "pid": os.getpid(), "files": len(indices), "killed": w.killed, "died": w.died, "started": w.started,
            "recycled": w.recycled}


def fuzz_clean(count: int, seed: int, limit: float, work: Path, keep: int, only: int | None,
               progress: int, jobs: int) -> dict:
    """Every file through the stages, in ``jobs`` worker processes (chunks of 200 files)."""
    import multiprocessing

    (work / "sample").mkdir(parents=True, exist_ok=True)
    indices = [only] if only is not None else list(range(count))
    chunk = 200
    tasks = [(seed, indices[k:k + chunk], limit, str(work), keep) for k in range(0, len(indices), chunk)]
    total: dict = {"outcome": Counter(), "by_family": defaultdict(Counter), "codes": Counter(), "problems": [],
                   "slowest": [], "family_seconds": Counter(), "families": Counter()}
    rss: dict[int, list[float]] = defaultdict(list)  # per worker: resident memory after each chunk
    workers: dict[int, tuple[int, ...]] = {}  # per pool process: stage workers started, killed, died, recycled
    peak = 0.0
    started = time.perf_counter()
    done = 0
    ctx = multiprocessing.get_context("forkserver")
    with ctx.Pool(jobs, maxtasksperchild=None) as pool:
        for part in pool.imap_unordered(fuzz_chunk, tasks):
            done += part["files"]
            for key in ("outcome", "codes", "family_seconds"):
                total[key].update(part[key])
            for fam, counts in part["by_family"].items():
                total["by_family"][fam].update(counts)
                total["families"][fam] += sum(counts.values())
            total["problems"] += part["problems"]
            if progress:  # findings as they come: a long campaign stopped early still says what it found
                for problem in part["problems"]:
                    print("  found:", problem, flush=True)
            total["slowest"] = sorted(total["slowest"] + part["slowest"], reverse=True)[:5]
            rss[part["pid"]].append(part["rss"])
            workers[part["pid"]] = (part["started"], part["killed"], part["died"], part["recycled"])
            peak = max(peak, part["peak"])
            if progress and done // progress != (done - part["files"]) // progress:
                print(f"  {done} files, {time.perf_counter() - started:.0f} s, worker RSS "
                      f"{', '.join(f'{v[-1]:.0f}' for v in rss.values())} MiB, {dict(total['outcome'])}", flush=True)
    # memory: a worker's RSS after its first tenth of chunks against its last
    early = max(v[max(0, len(v) // 10 - 1)] for v in rss.values())
    end = max(v[-1] for v in rss.values())
    total.update(files=len(indices), seconds=time.perf_counter() - started, rss_early=early, rss_end=end,
                 rss_peak=peak, rss_max=max(max(v) for v in rss.values()), sample_dir=work / "sample", jobs=jobs,
                 stage_workers=[sum(w[k] for w in workers.values()) for k in range(4)])
    return total


def fuzz_run(sample_dir: Path, seed: int, limit: float, work: Path) -> dict:
    """``python -m pipeline run`` over the kept sample into a fresh alias of ES_URL's node."""
    from pipeline.config import load_settings
    from pipeline.elastic.client import make_client
    from pipeline.run import load_report

    names = sorted(p.name for p in sample_dir.iterdir())
    alias = f"fuzz-{seed}-{os.getpid()}-{names[0][:6] if names else 'empty'}"  # the first file's number
    runs = work / "runs"
    env = {**os.environ, "ETL_MAX_FAILURE_RATIO": "1.0", "ETL_DOCUMENT_TIME_LIMIT": str(limit)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "--source", str(sample_dir), "--index-alias",
                           alias, "--runs-dir", str(runs)], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=max(600, 2 * limit * len(names)))
    wall = time.perf_counter() - t0
    out: dict = {"files": len(names), "returncode": proc.returncode, "seconds": wall, "alias": alias,
                 "stderr": proc.stderr[-2000:]}
    if proc.returncode != 0:
        return out
    report = load_report(runs)
    by_source = {d.source: d for d in report.documents}
    out["unaccounted"] = sorted(set(names) - set(by_source))[:10]
    out["unaccounted_n"] = len(set(names) - set(by_source))
    out["indexed"] = sum(1 for d in report.documents if str(d.status) == "indexed")
    out["failed"] = sum(1 for d in report.documents if str(d.status) == "failed")
    out["failed_without_code"] = sum(1 for d in report.documents if str(d.status) == "failed"
                                     and not all(e.code for e in d.errors))
    out["codes"] = Counter(d.failure_code for d in report.documents if d.errors)
    es = make_client(load_settings().es)
    es.indices.refresh(index=alias)
    out["in_index"] = es.count(index=alias)["count"]
    leaked = []
    resp = es.search(index=alias, scroll="2m", size=500, query={"match_all": {}})
    while resp["hits"]["hits"]:
        for hit in resp["hits"]["hits"]:
            found = leaks(hit["_source"])
            if found:
                leaked.append((hit["_source"].get("source"), found))
        resp = es.scroll(scroll_id=resp["_scroll_id"], scroll="2m")
    es.clear_scroll(scroll_id=resp["_scroll_id"])
    out["leaks"] = leaked
    es.indices.delete(index=list(es.indices.get_alias(name=alias)), ignore_unavailable=True)
    return out


def run_checks(r: dict, show: int) -> list[tuple[str, bool]]:
    """Print what ``pipeline run`` did with the sample; its checks."""
    checks: list[tuple[str, bool]] = []
    if r["returncode"] != 0:
        print(f"\npipeline run failed (exit {r['returncode']}): {r['stderr']}")
        checks.append(("pipeline run finished", False))
    else:
        print(f"\npipeline run: {r['files']} files in {r['seconds']:.0f} s into {r['alias']}: "
              f"indexed {r['indexed']}, failed {r['failed']}, in the index {r['in_index']}")
        print("  failure codes: " + ", ".join(f"{k} {v}" for k, v in r["codes"].most_common()))
        for leak in r["leaks"][:show]:
            print("  leak:", leak)
        checks += [
            (f"pipeline run: every file in the report ({r['unaccounted_n']} missing {r['unaccounted']})",
             r["unaccounted_n"] == 0),
            (f"pipeline run: every failure has a code ({r['failed_without_code']} without)",
             r["failed_without_code"] == 0),
            (f"pipeline run: the index holds the indexed files ({r['in_index']} == {r['indexed']})",
             r["in_index"] == r["indexed"]),
            (f"pipeline run: no markup or canary in the index ({len(r['leaks'])})", not r["leaks"]),
        ]
    return checks


def run_only(args: argparse.Namespace) -> int:
    """``--skip-clean``: the first ``--run-sample`` files straight through ``pipeline run`` (no clean pass)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        work = Path(tmp)
        sample = work / "sample"
        sample.mkdir()
        for i in range(args.start, args.start + args.run_sample):
            c = case(args.seed, i)
            (sample / c.name).write_bytes(c.data)
        print(f"fuzz: {args.run_sample} files of seed {args.seed} (#{args.start} to #{args.start + args.run_sample - 1})"
              f" through `pipeline run` only, document time limit {args.limit:g} s", flush=True)
        checks = run_checks(fuzz_run(sample, args.seed, args.limit, work), args.show)
    print()
    for text, met in checks:
        print(f"check: {text}: {'met' if met else 'NOT MET'}")
    return 0 if all(met for _, met in checks) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="generated files (the campaign: 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=float, default=5.0, help="document time limit, seconds")
    parser.add_argument("--run-sample", type=int, default=0, help="files also run through `pipeline run` (ES_URL)")
    parser.add_argument("--only", type=int, help="one file by index (to reproduce a finding)")
    parser.add_argument("--progress", type=int, default=0, help="print a line every N files")
    parser.add_argument("--show", type=int, default=20, help="problems listed")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--skip-clean", action="store_true", help="only the `pipeline run` of --run-sample files")
    parser.add_argument("--start", type=int, default=0,
                        help="with --skip-clean: the sample is files #start.. (a campaign in chunks, one alias each)")
    args = parser.parse_args()
    os.environ["ETL_DOCUMENT_TIME_LIMIT"] = str(args.limit)
    if args.skip_clean:
        return run_only(args)

    print(f"fuzz: {args.count} files, seed {args.seed}, document time limit {args.limit:g} s, "
          f"families: {', '.join(f[0] for f in FAMILIES)}", flush=True)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        work = Path(tmp)
        res = fuzz_clean(args.count, args.seed, args.limit, work, args.run_sample, args.only, args.progress,
                         args.jobs)
        o = res["outcome"]
        print(f"\nclean (in process, {res['jobs']} worker processes): {res['files']} files in "
              f"{res['seconds']:.0f} s ({res['files'] / max(res['seconds'], 1e-9):.0f} files/s)")
        print(f"  indexed {o['indexed']}, failed with a code {o['failed']}, crashes {o['crash']}, "
              f"hangs (> 2 x limit) {o['hang']}, safety-net 'unexpected' {o['unexpected']}, "
              f"markup in output {o['markup in output']}, bombs indexed {o['bomb indexed']}")
        print("  slowest: " + ", ".join(f"{name} {wall:.2f} s" for wall, name in res["slowest"]))
        started, killed, died, recycled = res["stage_workers"]
        print(f"  stage worker processes: {started} started, {killed} killed for an overrun, {died} died, "
              f"{recycled} replaced after {RECYCLE_AFTER} documents")
        print(f"  memory per stage worker: RSS after its first tenth {res['rss_early']:.0f} MiB, at the end "
              f"{res['rss_end']:.0f} MiB, the most seen after a chunk {res['rss_max']:.0f} MiB; peak RSS of a pool "
              f"process {res['rss_peak']:.0f} MiB")
        print("  failure codes: " + ", ".join(f"{k} {v}" for k, v in res["codes"].most_common()))
        print("  per family:")
        for fam in sorted(res["by_family"]):
            n = res["families"][fam]
            print(f"    {fam:<16} n={n:<6} {1000 * res['family_seconds'][fam] / max(n, 1):7.1f} ms/file  "
                  + ", ".join(f"{k} {v}" for k, v in res["by_family"][fam].most_common()))
        for problem in res["problems"][: args.show]:
            print("  problem:", problem)
        unaccounted = res["files"] - o["indexed"] - o["failed"] - o["crash"]
        checks = [
            (f"every file indexed or failed with a code ({unaccounted} unaccounted, "
             f"{o['failed without a code']} failed without a code)", unaccounted == 0 and not o["failed without a code"]),
            (f"no crash ({o['crash']})", o["crash"] == 0),
            (f"no hang past 2 x the limit ({o['hang']})", o["hang"] == 0),
            (f"no markup or script in the output ({o['markup in output']})", o["markup in output"] == 0),
            (f"no safety-net 'unexpected' failure ({o['unexpected']})", o["unexpected"] == 0),
            (f"no gzip bomb indexed ({o['bomb indexed']})", o["bomb indexed"] == 0),
            (f"memory bounded (end RSS {res['rss_end']:.0f} <= 1.5 x RSS after a tenth {res['rss_early']:.0f} "
             f"+ 100 MiB)", res["rss_end"] <= 1.5 * res["rss_early"] + 100),
        ]
        if args.run_sample:
            checks += run_checks(fuzz_run(res["sample_dir"], args.seed, args.limit, work), args.show)
        print()
        for text, met in checks:
            print(f"check: {text}: {'met' if met else 'NOT MET'}")
        print(json.dumps({"files": res["files"], "outcome": dict(o)}))
    return 0 if all(met for _, met in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
