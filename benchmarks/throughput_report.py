"""What ``benchmarks/throughput.py`` prints after its runs: docs/s per path and per stage, CPU seconds by
process, Elasticsearch's time by kind, and issue 27's targets.

With several rounds (``--rounds``) every path ran once a round, the rounds in alternating order. A
path's figures are then those of its **median round** (by wall time), and every target's ratio is
taken **within each round** (both sides measured minutes apart, under the same load) and reported as
the median of those ratios, each round's value beside it. One round prints what one run measured.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Sequence

from measured import Measured, es_time_line, split_line, stages_line

# issue 27's targets (docs/performance.md)
TARGET_RATE = 2.0  # pipeline (1 worker) rate >= 2.0 x the library baseline's rate on the same corpus
TARGET_SPEEDUP = 1.8  # 2 workers >= 1.8 x the throughput of 1
TARGET_AIRFLOW = 1.1  # airflow dags test time <= 1.1 x pipeline run (1 worker)
TARGET_RSS = 1.25  # peak RSS at --scale-docs <= 1.25 x at --docs
TARGET_INCREMENTAL = 0.03  # no-change re-run <= 3 % of the full run
TARGET_GROUPING = 1.10  # a run with near-duplicate grouping <= 1.10 x the same run without, at 1 and 2 workers

PATHS = ("baseline", "pipeline-1-nogroup", "pipeline-1", "pipeline-2-nogroup", "pipeline-2", "airflow")
Rounds = Sequence[dict[str, Measured]]  # per round, path -> what it measured (runs that failed left out)


def rate(docs: int, seconds: float) -> str:
    return f"{docs / seconds:8.1f}" if seconds > 0 else "       -"


def stage_line(name: str, docs: int, timings: dict[str, float]) -> str:
    cells = [f"{stage}={rate(docs, timings[stage]).strip()}" for stage in
             ("extract", "clean", "language", "enrich", "load", "dedup") if timings.get(stage)]
    return f"  {name:28s} " + "  ".join(cells)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def median_round(rounds: Rounds, name: str) -> Measured | None:
    """``name``'s run of median wall time (the lower middle one of an even count)."""
    runs = sorted((r[name] for r in rounds if name in r), key=lambda m: m.seconds)
    return runs[(len(runs) - 1) // 2] if runs else None


def paired(rounds: Rounds, ratio: Callable[[dict[str, Measured]], float], *names: str) -> list[float]:
    """``ratio`` of every round in which all of ``names`` ran."""
    return [ratio(r) for r in rounds if all(n in r for n in names)]


def summary(values: list[float], fmt: str = "{:.2f}") -> tuple[float, str]:
    """The median of per-round values, and how it reads: the value alone for one round, else
    ``median X (rounds a, b, c)`` in the order the rounds ran."""
    mid = statistics.median(values)
    if len(values) == 1:
        return mid, fmt.format(mid)
    return mid, f"median {fmt.format(mid)} (rounds " + ", ".join(fmt.format(v) for v in values) + ")"


def report(rounds: Rounds, n: int, *, scale_docs: int, skip_airflow: bool) -> None:
    count = len(rounds)
    which = "" if count == 1 else f", each path's median round of {count}"
    print()
    print(f"documents/second on {n} documents (stages: per CPU-second of that stage, summed over workers{which})")
    for name in (*PATHS, "incremental", "reprocess"):
        r = median_round(rounds, name)
        if r:
            counts = r.extra.get("counts", {})
            print(f"  {name:18s} {rate(n, r.seconds)} docs/s  {r.seconds:8.1f} s  {r.cpu:8.1f} CPU s  peak RSS "
                  f"{r.peak_rss / 2**20:6.0f} MiB  indexed={counts.get('indexed')} unchanged={counts.get('unchanged', 0)} "
                  f"failed={counts.get('failed')}")
    print("per stage:")
    for name in PATHS:
        if r := median_round(rounds, name):
            print(stage_line(name, n, r.extra.get("timings", {})))
    print("CPU seconds by process (each process sampled every 50 ms; Elasticsearch: the node's own counter):")
    for name in PATHS:
        if r := median_round(rounds, name):
            print(f"  {name:18s} {split_line(r)}")
    print("the stage workers (run-queue wait: ready to run, no core free; the tail: the run after their last work):")
    for name in PATHS:
        if (r := median_round(rounds, name)) and r.stages is not None:
            print(f"  {name:18s} {stages_line(r)}")
    print("Elasticsearch's time on each path's indices, by kind (seconds of its threads, from _stats; operations):")
    for name in PATHS:
        if (r := median_round(rounds, name)) and r.extra.get("es_time"):
            print(f"  {name:18s} {es_time_line(r.extra['es_time'])}")
    targets(rounds, n, scale_docs=scale_docs, skip_airflow=skip_airflow)


def targets(rounds: Rounds, n: int, *, scale_docs: int, skip_airflow: bool) -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

    def time_ratio(num: str, den: str) -> Callable[[dict[str, Measured]], float]:
        return lambda r: r[num].seconds / r[den].seconds

    def cpu_limit(ratio: Callable[[dict[str, Measured]], float], spender: str, other: str, bound: str) -> str:
        """What this machine's cores allow a ratio at best: a path's wall time cannot fall below its CPU
        seconds (Elasticsearch's included) spread over every core, so ``ratio`` puts ``spender``'s
        CPU seconds / cores in place of its time (median of the rounds). ``bound`` says which side."""
        limits = paired(rounds, ratio, spender, other) if all(r[spender].cpu for r in rounds if spender in r) else []
        return (f"; its CPU seconds on {cores} cores allow {bound} {statistics.median(limits):.2f}"
                if limits else "")

    def cpu_bound(one: str, two: str) -> str:
        """The most ``two`` can gain on ``one`` here."""
        return cpu_limit(lambda r: r[one].seconds / (r[two].cpu / cores), two, one, "at most")

    def cpu_floor(on: str, off: str) -> str:
        """The least ``on`` can cost over ``off`` here. Above the target, grouping needs fewer CPU seconds
        (or more cores), not better overlap."""
        return cpu_limit(lambda r: r[on].cpu / cores / r[off].seconds, on, off, "no less than")

    if values := paired(rounds, time_ratio("reprocess", "pipeline-1"), "pipeline-1", "reprocess"):
        _, text = summary(values)
        r = median_round(rounds, "reprocess")
        assert r is not None
        counts, counters = r.extra.get("counts", {}), r.extra.get("counters", {})
        print(f"re-processing every document (--full-refresh, as after a rule change) time / full run = {text} "
              f"({counts.get('reprocessed', 0)} re-processed, {counters.get('dedup/kept', 0)} kept their group entries; "
              f"no target)")
    print("targets:")
    if values := paired(rounds, time_ratio("baseline", "pipeline-1"), "baseline", "pipeline-1"):
        mid, text = summary(values)
        print(f"  pipeline (1 worker) rate / library baseline rate = {text} (>= {TARGET_RATE}): "
              f"{verdict(mid >= TARGET_RATE)}")
    for suffix, label in (("", ""), ("-nogroup", ", grouping off")):
        one, two = f"pipeline-1{suffix}", f"pipeline-2{suffix}"
        if values := paired(rounds, time_ratio(one, two), one, two):
            mid, text = summary(values)
            print(f"  2 workers throughput / 1 worker{label} = {text}{cpu_bound(one, two)} "
                  f"(>= {TARGET_SPEEDUP}): {verdict(mid >= TARGET_SPEEDUP)}")
    for workers in (1, 2):
        on, off = f"pipeline-{workers}", f"pipeline-{workers}-nogroup"
        if values := paired(rounds, time_ratio(on, off), on, off):
            mid, text = summary(values)
            cpu = statistics.median(paired(rounds, lambda r: r[on].cpu / r[off].cpu if r[off].cpu else 0.0, on, off))
            print(f"  grouping on / off time at {workers} worker(s) = {text}, CPU seconds incl. Elasticsearch "
                  f"{cpu:.2f}{cpu_floor(on, off)} (<= {TARGET_GROUPING}): {verdict(mid <= TARGET_GROUPING)}")
    if values := paired(rounds, time_ratio("airflow", "pipeline-1"), "airflow", "pipeline-1"):
        mid, text = summary(values)
        print(f"  airflow dags test time / pipeline run (1 worker) time = {text} (<= {TARGET_AIRFLOW}): "
              f"{verdict(mid <= TARGET_AIRFLOW)}")
    elif skip_airflow:
        print("  airflow dags test time / pipeline run time: skipped (--skip-airflow): NOT MET")
    if values := paired(rounds, lambda r: r["scale-2"].peak_rss / r["pipeline-2"].peak_rss, "pipeline-2", "scale-2"):
        mid, text = summary(values)
        big, small = median_round(rounds, "scale-2"), median_round(rounds, "pipeline-2")
        assert big is not None and small is not None
        print(f"  peak RSS {scale_docs} docs / {n} docs (2 workers) = {big.peak_rss / 2**20:.0f} / "
              f"{small.peak_rss / 2**20:.0f} MiB = {text} (<= {TARGET_RSS}): "
              f"{verdict(mid <= TARGET_RSS)}")
    elif not scale_docs:
        print("  peak RSS at --scale-docs: skipped (--scale-docs 0): NOT MET")
    if values := paired(rounds, time_ratio("incremental", "pipeline-1"), "pipeline-1", "incremental"):
        mid, text = summary(values, "{:.1%}")
        all_unchanged = all(r["incremental"].extra.get("counts", {}).get("unchanged") == n
                            for r in rounds if "incremental" in r)
        print(f"  incremental no-change re-run time / full run = {text} "
              f"({'every document' if all_unchanged else 'NOT every document'} unchanged) "
              f"(<= {TARGET_INCREMENTAL:.0%}): {verdict(mid <= TARGET_INCREMENTAL and all_unchanged)}")
