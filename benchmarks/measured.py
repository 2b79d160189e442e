"""Running one benchmark path as its own process: wall time, the peak RSS of its process tree, and
its CPU seconds by process role (the pipeline names its processes, ``pipeline.run.worker``) plus
the Elasticsearch node's over the same span. Used by ``benchmarks/throughput.py``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    name: str
    seconds: float
    peak_rss: int  # bytes, the whole process tree at its largest
    returncode: int
    stdout: str = ""
    stderr: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    cpu: float = 0.0  # CPU seconds (user + system) of the process tree, plus the Elasticsearch node's meanwhile
    split: dict[str, float] = field(default_factory=dict)  # the same CPU seconds by process role (``ROLES``)
    stages: StageWork | None = None  # what the stage workers did when (``StageWork``)


@dataclass
class StageWork:
    """The stage workers over a path (every process named ``etl-stages``): seconds on a core, seconds they were
    ready to run but waited for one (the kernel's run-queue delay, ``/proc/<pid>/task/*/schedstat``: what other
    work on the machine took from them), and when, counted from the path's start, they were last at work
    (``BUSY_SHARE`` of a core over ``BUSY_WINDOW``).
    The path's ``seconds`` minus ``ended`` is its **tail**: the run's end after its last document was transformed
    (the last batch's load and grouping, the end-of-run reconcile, the report); ``started``, when the first of them
    was seen, is its **head** (the command's own start: an Airflow path's DAG run, its execution API, the tasks
    before the first batch), and between the two the stage workers were idle for what is neither on a core nor
    waiting (batch ends, gaps between tasks)."""

    on_cpu: float
    waited: float
    ended: float
    started: float = 0.0


# the stage workers are at work while they use at least BUSY_SHARE of a core over BUSY_WINDOW seconds (a child's exit
# or a recycled child's start is a blip of CPU, not documents)
BUSY_WINDOW, BUSY_SHARE = 1.0, 0.5
# what the pipeline names its processes (``pipeline.run.worker``) -> the role the CPU split prints
ROLES = {"etl-stages": "stage worker", "etl-batch": "batch worker", "etl-grouping": "grouping process"}


def _schedstat(pid: int) -> tuple[float, float] | None:
    """Seconds on a core and seconds waiting for one, summed over the threads of ``pid`` (Linux); None elsewhere."""
    on = waited = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as f:
                fields = f.read().split()
            on, waited = on + int(fields[0]), waited + int(fields[1])
    except (OSError, ValueError, IndexError):
        return None
    return on / 1e9, waited / 1e9


def _sample_tree(proc: Any, cpu: dict[int, tuple[str, float]],
                 sched: dict[int, tuple[float, float]] | None = None) -> int:
    """The summed RSS of ``proc``'s process tree now; each process's role and CPU seconds so far go
    into ``cpu`` (by pid: the last sample of a process that has ended stays), and a stage worker's
    ``_schedstat`` into ``sched``."""
    import psutil

    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            with p.oneshot():
                total += p.memory_info().rss
                times = p.cpu_times()
                role = "command" if p.pid == proc.pid else ROLES.get(p.name(), "other")
            cpu[p.pid] = (role, times.user + times.system)
            if sched is not None and role == "stage worker" and (read := _schedstat(p.pid)) is not None:
                sched[p.pid] = read
        except psutil.Error:
            pass
    return total


def es_cpu_seconds() -> float:
    """CPU seconds the Elasticsearch node(s) of ``ES_URL`` have used so far (0 when unknown)."""
    url = os.environ.get("ES_URL")
    if not url:
        return 0.0
    try:
        from elasticsearch import Elasticsearch

        stats = Elasticsearch(url, request_timeout=30).nodes.stats(metric="process").body
        return sum(n["process"]["cpu"]["total_in_millis"] for n in stats["nodes"].values()) / 1000
    except Exception:  # noqa: BLE001 - a figure for the report only
        return 0.0


def measure(name: str, cmd: list[str], env: dict[str, str], log_path: Path | None = None) -> Measured:
    """Run ``cmd``; wall time, the peak summed RSS of its process tree (sampled every 50 ms) and the CPU
    seconds of the tree and of the Elasticsearch node meanwhile: on a machine shared with other work,
    CPU seconds say how much work a path is when its wall time mostly says how busy the machine was."""
    import resource

    import psutil

    out = open(log_path, "w+", encoding="utf-8") if log_path else subprocess.PIPE
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    es_before = es_cpu_seconds()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT if log_path else subprocess.PIPE,
                            text=True)
    peak = 0
    done = threading.Event()
    per_process: dict[int, tuple[str, float]] = {}
    sched: dict[int, tuple[float, float]] = {}
    recent: deque[tuple[float, float]] = deque()  # (seconds since start, the stage workers' CPU seconds then)
    stage_ended = 0.0
    stage_started: float | None = None

    def sample() -> None:
        nonlocal peak, stage_ended, stage_started
        ps = psutil.Process(proc.pid)
        while not done.is_set():
            peak = max(peak, _sample_tree(ps, per_process, sched))
            now = time.perf_counter() - started
            if stage_started is None and sched:
                stage_started = now
            recent.append((now, sum(on for on, _ in sched.values())))
            while recent[0][0] < now - BUSY_WINDOW:
                recent.popleft()
            if recent[-1][1] - recent[0][1] >= BUSY_SHARE * BUSY_WINDOW:  # busy, not a process's exit
                stage_ended = now
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if log_path:
        out.seek(0)
        stdout, stderr = out.read(), ""
        out.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # every process of the tree was waited for
    tree = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    es_cpu = es_cpu_seconds() - es_before
    split: dict[str, float] = {}
    for role, seconds_used in per_process.values():
        split[role] = split.get(role, 0.0) + seconds_used
    # a process's CPU after its last sample (at most 50 ms of its life) is known only in the tree's total
    split["not sampled"] = max(0.0, tree - sum(split.values()))
    split["elasticsearch"] = es_cpu
    stages = StageWork(sum(on for on, _ in sched.values()), sum(w for _, w in sched.values()), stage_ended,
                       stage_started or 0.0) if sched else None
    return Measured(name, seconds, peak, proc.returncode, stdout or "", stderr or "", cpu=tree + es_cpu, split=split,
                    stages=stages)


def split_line(m: Measured) -> str:
    """``m``'s CPU seconds by process role, largest first."""
    parts = sorted(m.split.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{role} {seconds:.1f}" for role, seconds in parts)


def stages_line(m: Measured) -> str:
    """What ``m``'s stage workers did when (``StageWork``), or '' when none was seen."""
    if m.stages is None:
        return ""
    return (f"stage workers started at {m.stages.started:.1f} s, on a core {m.stages.on_cpu:.1f} s, waiting for one "
            f"{m.stages.waited:.1f} s; their work ended at {m.stages.ended:.1f} s, the run "
            f"{m.seconds - m.stages.ended:.1f} s later")


def fail(m: Measured) -> None:
    tail = (m.stdout + "\n" + m.stderr).strip().splitlines()[-40:]
    print(f"{m.name} failed (exit {m.returncode}):\n  " + "\n  ".join(tail), file=sys.stderr)


def es_time(es: Any, alias: str) -> dict[str, float]:
    """Seconds Elasticsearch's threads spent on the indices of ``alias`` (its articles index, its
    ``-dedup`` store and the store's ``-dedup-shingles``), by kind, from ``_stats``: what a path
    asked of the node, where the node's CPU seconds above only say how much (thread time, not CPU:
    a merge thread is throttled and waits on I/O). Operation counts ride along as ``<kind> ops``."""
    stats = es.indices.stats(index=f"{alias}*", metric="indexing,get,search,refresh,merge").body["indices"]
    out: dict[str, float] = {}
    kinds = {alias + "-dedup": "store", alias + "-dedup-shingles": "shingles"}
    for name, entry in stats.items():
        if not (name.startswith(alias + "-v") or name in kinds):
            continue  # the dead-letter index and other aliases sharing the prefix
        kind = kinds.get(name, "articles")
        total = entry["total"]
        parts = {
            "indexing": (total["indexing"]["index_time_in_millis"], total["indexing"]["index_total"]),
            "get": (total["get"]["time_in_millis"], total["get"]["total"]),
            "search query": (total["search"]["query_time_in_millis"], total["search"]["query_total"]),
            "search fetch": (total["search"]["fetch_time_in_millis"], total["search"]["fetch_total"]),
            "refresh": (total["refresh"]["total_time_in_millis"], total["refresh"]["total"]),
            "merge": (total["merges"]["total_time_in_millis"], total["merges"]["total"]),
        }
        for part, (millis, ops) in parts.items():
            if ops:
                out[f"{kind} {part}"] = out.get(f"{kind} {part}", 0.0) + millis / 1000
                out[f"{kind} {part} ops"] = out.get(f"{kind} {part} ops", 0.0) + ops
    return out


def es_time_line(times: dict[str, float]) -> str:
    """``es_time``'s seconds, largest first, each with its operation count."""
    kinds = sorted((k for k in times if not k.endswith(" ops")), key=lambda k: -times[k])
    return ", ".join(f"{k} {times[k]:.1f} s ({times[k + ' ops']:.0f})" for k in kinds)
