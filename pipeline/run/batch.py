"""One batch from files to the index: the one list of steps and the one loop that runs them.

Every step has the same contract (``pipeline.stages.base.Step``): a name, typed configuration
given here, counters, failures recorded under its own name. Per-document steps (``Stage``) take
one document at a time under the run's time limit; batch steps see the whole batch go by::

    unchanged -> extract -> clean -> language -> enrich -> places -> dedup (fingerprint) -> load -> dedup (group)
      -> line_stats

extract .. places run in a warm worker process that is killed and replaced when one document's stage
overruns its limit inside C code (``pipeline.run.isolated``); their counters come back to this process.

The clean step gets the learned line statistics of the batch's source as a snapshot read at batch
start (``pipeline/elastic/line_stats.py``); ``line_stats`` adds what the batch's new documents
contribute once the batch is through, so later batches, other workers and later runs see them.

A document is handed from step to step as a generator chain (datatrove's ``PipelineStep.run``):
one file is read and transformed at a time, the load step bulk-loads chunks in a background
thread while the next files are transformed, so memory holds a few chunks, never a batch's raw
bytes. Every document given to the first step comes out of the last one, indexed, failed (with
its ``Failure``) or unchanged, and becomes its line in the batch report.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING

from pipeline.config import RunSettings
from pipeline.document import Document
from pipeline.run.context import RunContext
from pipeline.run.isolated import Isolated, prestart_stage_worker
from pipeline.run.report import BatchReport
from pipeline.stages.base import Stage, Step
from pipeline.stages.clean import Clean, CleanConfig, load_packs
from pipeline.stages.clean.repetition import SourceStats
from pipeline.stages.enrich import Enrich, document_id
from pipeline.stages.extract import Extract, ExtractConfig
from pipeline.stages.geo import Geo
from pipeline.stages.language import DetectLanguage, load_language_config

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from pipeline.run.unchanged import Asked


def document_stages(run: RunSettings, *, fingerprint: str = "", source_root: Path | None = None,
                    encoding: str | None = None, line_stats: SourceStats | None = None,
                    learn: bool = False) -> list[Stage]:
    """The per-document steps from a file's bytes to an indexable document, configured from
    ``run`` and the rule files in ``config/`` (compiled once per process); ``encoding`` is the
    run's charset hint for legacy files; ``line_stats``/``learn``: see ``CleanConfig``. Also what
    ``pipeline clean FILE`` runs."""
    limit = run.document_time_limit_seconds
    return [
        Extract(ExtractConfig(run.max_file_bytes, limit, source_root, encoding)),
        Clean(CleanConfig(load_packs(), limit, run.max_decoded_chars, line_stats, learn)),
        DetectLanguage(load_language_config(), time_limit_seconds=limit),
        Enrich(fingerprint=fingerprint, time_limit_seconds=limit),
        Geo(time_limit_seconds=limit),
    ]


def batch_steps(ctx: RunContext, es: Elasticsearch, root: Path, *, source: str | None = None,
                defer: Executor | None = None, line_stats: SourceStats | None | EllipsisType = ...,
                keep_learned: list[SourceStats] | None = None, ahead: Future[Asked] | None = None) -> list[Step]:
    """The one list of steps from file to index for a batch of source ``source`` (default: the
    run's source) of ``ctx``'s run (see the module doc). Near-duplicate grouping is there when
    ``config/dedup.yaml`` enables it (``ctx.dedup``); ``defer``: see ``GroupCopies``;
    ``line_stats``: the source's learned statistics, read now when not given (``...``);
    ``keep_learned``: see ``RecordLineStats``; ``ahead``: see ``SkipUnchanged``."""
    from pipeline.elastic.line_stats import read_stats
    from pipeline.run.grouping import GroupCopies
    from pipeline.run.line_stats import RecordLineStats
    from pipeline.run.load import Load
    from pipeline.run.unchanged import SkipUnchanged
    from pipeline.stages.dedup import FingerprintStage

    source = source or ctx.source_name
    learn = ctx.flow != "reindex"  # a rebuild sees every document again: they were counted when first ingested
    build = partial(document_stages, ctx.run, fingerprint=ctx.fingerprint, source_root=root, encoding=ctx.encoding,
                    line_stats=read_stats(es, ctx.alias, source, run_id=ctx.run_id) if line_stats is ... else line_stats,
                    learn=learn)
    stages = build()
    clean = next(s for s in stages if isinstance(s, Clean))
    record = RecordLineStats(es, ctx.alias, source, clean, ctx.support_sizes, keep=keep_learned, run_id=ctx.run_id)
    # the per-document stages run in a worker process that is killed when C code overruns (run/isolated.py)
    isolated = Isolated(stages, build)
    cfg = ctx.dedup
    if cfg is None:
        return [SkipUnchanged(es, ctx, root, ahead=ahead), isolated, Load(es, ctx), record]
    fingerprints = FingerprintStage(cfg, later=defer is not None,
                                    time_limit_seconds=ctx.run.document_time_limit_seconds)
    grouping = GroupCopies(es, ctx, fingerprints, defer=defer)
    return [SkipUnchanged(es, ctx, root, ungrouped=grouping.ungrouped, ahead=ahead), isolated, fingerprints,
            Load(es, ctx), grouping, record]


def run_steps(steps: Sequence[Step], docs: Iterable[Document]) -> Iterator[Document]:
    """The one loop: each step's output is the next one's input."""
    for step in steps:
        docs = step.run(docs)
    return iter(docs)


def process_batch(batch: int, ctx: RunContext, es: Elasticsearch, *, defer: Executor | None = None,
                  last: bool = False, following: int | None = None) -> BatchReport:
    """Batch ``batch`` of the run (a manifest in the run folder) from files to the index; what
    happened to every file, and each step's counters and time. ``defer``: the run's grouping process
    (``pipeline.run.overlap``); ``last``: no batch follows to overlap this one's grouping with, so it is
    grouped there chunk by chunk while its next chunk is transformed, as a batch grouped in place is;
    ``following``: the batch this process runs next, whose unchanged check is asked now
    (``pipeline.run.unchanged.ask_ahead``)."""
    from pipeline.elastic.client import ClusterUnavailable, explain_red, red_index
    from pipeline.run.manifest import read_manifest
    from pipeline.run.unchanged import ask_ahead, asked_ahead

    prestart_stage_worker(partial(document_stages, ctx.run))  # warms up while the batch gets ready
    source, paths = read_manifest(ctx, batch)
    ahead = asked_ahead(ctx, batch)
    if following is not None:
        ask_ahead(es, ctx, following)
    try:
        if (defer is None or last) and ctx.dedup is not None and 0 < ctx.run.group_chunk_docs < len(paths):
            return in_chunks(source, paths, ctx, es, grouper=defer, ahead=ahead)  # chunk by chunk, off the transformation's path
        return process_files(source, paths, ctx, es, defer=defer, ahead=ahead)
    except Exception as exc:
        index = red_index(exc)  # a support index lost every copy: say which and what to do, not a bare 503
        if index is None:
            raise
        raise ClusterUnavailable(explain_red(index, f"batch {batch}")) from exc


def process_files(source: str, paths: Sequence[str], ctx: RunContext, es: Elasticsearch, *,
                  defer: Executor | None = None,
                  line_stats: SourceStats | None | EllipsisType = ...,
                  keep_learned: list[SourceStats] | None = None, ahead: Future[Asked] | None = None) -> BatchReport:
    """Files ``paths`` of source ``source`` (relative to its root) from bytes to the index
    (``defer``, ``line_stats``, ``keep_learned``, ``ahead``: see ``batch_steps``)."""
    from pipeline.run.grouping import GroupCopies
    from pipeline.run.load import outcome_of

    root = Path(ctx.sources[source])
    steps = batch_steps(ctx, es, root, source=source, defer=defer, line_stats=line_stats, keep_learned=keep_learned,
                        ahead=ahead)
    outcomes = [outcome_of(doc) for doc in run_steps(steps, (new_document(root, source, rel) for rel in paths))]
    outcomes.sort(key=lambda o: o.source)
    report = BatchReport(outcomes, step_timings(steps), step_counters(steps))
    report.pending = next((s.pending for s in steps if isinstance(s, GroupCopies)), None)
    return report


def new_document(root: Path, source: str, relpath: str) -> Document:
    """A file of a source as a document not read yet: ``_id`` comes from (source name, relative
    path) alone, so the unchanged check can ask the index before anything is read."""
    rel = Path(relpath).as_posix()
    return Document(source=relpath, source_path=str((root / relpath).absolute()), id=document_id(source, rel),
                    source_id=source, source_relpath=rel)


def step_timings(steps: Iterable[Step]) -> dict[str, float]:
    """Seconds spent per step name (the grouping's share, when deferred, is added when it is done)."""
    out: dict[str, float] = {}
    for step in _flat(steps):
        out[step.name] = out.get(step.name, 0.0) + step.seconds
    return {name: round(seconds, 4) for name, seconds in out.items()}


def step_counters(steps: Iterable[Step]) -> dict[str, int]:
    """``<step>/<counter>`` for every step counter."""
    out: Counter[str] = Counter()
    for step in _flat(steps):
        for name, value in step.counters.items():
            out[f"{step.name}/{name}"] += int(value)
    return dict(out)


def _flat(steps: Iterable[Step]) -> Iterator[Step]:
    """The steps, with the stages an ``Isolated`` step runs in its worker in its place."""
    for step in steps:
        yield from step.parts if isinstance(step, Isolated) else (step,)


class InThread(ThreadPoolExecutor):
    """One grouping thread that uses the caller's client (``GroupCopies`` passes ``es`` on).

    A batch grouped where it is loaded (an Airflow mapped task, which must not return with work
    running; a run of one batch) is transformed in chunks of ``run.group_chunk_docs`` files
    (``in_chunks``), each chunk grouped here while the next chunk is transformed: the stages run in
    the stage worker process (``pipeline.run.isolated``), so this process mostly waits on its pipe
    and the grouping thread has the interpreter. The chunks share the batch's line statistics
    snapshot and are grouped in order, as a sequential run's batches are (``pipeline.run.overlap``);
    only the last chunk's grouping stays on the task's path."""

    def __init__(self, es: Elasticsearch) -> None:
        super().__init__(max_workers=1, thread_name_prefix="grouping")
        self.es = es


def in_thread(process: Callable[[int, Executor | None, bool], BatchReport], batches: Sequence[int],
              es: Elasticsearch) -> Generator[BatchReport, None, None]:
    """``process(batch, worker, last)`` for consecutive batches in a process that must not start another (an
    Airflow mapped task): ``overlap.overlapped`` with one grouping thread of this process (``InThread``)
    in place of the grouping process. Each batch is grouped there while the next is transformed; the
    last is grouped chunk by chunk as it is loaded (``in_chunks``), so only its last chunk's grouping
    stays on the task's path, and the store is refreshed once a batch, not once a chunk. Reports
    settled and in batch order; closing the generator early waits for the grouping in flight (a task
    must not return with work running). One batch: chunk by chunk, as before."""
    from pipeline.run.group_links import keep_written_shingles
    from pipeline.run.overlap import WRITTEN_SHINGLES_BYTES, in_order

    if len(batches) < 2:
        for batch in batches:
            yield process(batch, None, True)
        return
    keep_written_shingles(WRITTEN_SHINGLES_BYTES)  # later batches' pair checks read earlier ones' sets from memory
    with InThread(es) as worker:
        yield from in_order(process(batch, worker, n == len(batches) - 1) for n, batch in enumerate(batches))


def in_chunks(source: str, paths: Sequence[str], ctx: RunContext, es: Elasticsearch, *,
              grouper: Executor | None = None, ahead: Future[Asked] | None = None) -> BatchReport:
    """Files ``paths`` of ``source`` through ``process_files`` chunk by chunk, each chunk's grouping
    in ``grouper`` (default: a grouping thread, ``InThread``) while the next chunk is transformed; one
    report, as for the whole batch. A grouping that failed stops the batch before its next chunk (its
    error raised)."""
    from pipeline.elastic.line_stats import add_stats, read_stats
    from pipeline.run.group_links import keep_written_shingles
    from pipeline.run.overlap import WRITTEN_SHINGLES_BYTES

    if grouper is None:  # the run's grouping process keeps the sets it wrote already (``overlap._init_grouper``)
        keep_written_shingles(WRITTEN_SHINGLES_BYTES)  # the chunks' pair checks read earlier chunks' sets from memory
    stats = read_stats(es, ctx.alias, source, run_id=ctx.run_id)  # one snapshot for the batch, as when it is not chunked
    learned: list[SourceStats] = []  # the chunks' counts, written once (one write per batch, as unchunked)
    reports: list[BatchReport] = []
    with InThread(es) if grouper is None else nullcontext(grouper) as chunks_grouper:
        for start, end in chunk_bounds(len(paths), ctx.run.group_chunk_docs):
            for done in (r for r in reports if r.pending is not None and r.pending.done()):
                done.settled()  # a grouping's error is raised now, not after the whole batch
            reports.append(process_files(source, paths[start:end], ctx, es, defer=chunks_grouper, line_stats=stats,
                                         keep_learned=learned, ahead=ahead))
        started = time.perf_counter()  # the counts go in while the last chunks are grouped, as unchunked
        retries = (add_stats(es, ctx.alias, source, _summed(learned), support=ctx.support_sizes, run_id=ctx.run_id)
                   if learned else 0)
        seconds = time.perf_counter() - started
        settled = [report.settled() for report in reports]
    report = merged(settled)
    if learned:
        report.counters["line_stats/retries"] = report.counters.get("line_stats/retries", 0) + retries
        report.timings["line_stats"] = round(report.timings.get("line_stats", 0.0) + seconds, 4)
    report.counters["dedup/grouped-chunks"] = len(settled)  # chunks grouped apart (the grouping thread, or the run's grouping process)
    return report


def _summed(counts: Iterable[SourceStats]) -> SourceStats:
    total = SourceStats()
    for part in counts:
        total.merge(part)
    return total


TAIL_SHARE = 5  # the last chunk holds 1/TAIL_SHARE of a chunk: its grouping is the part the batch waits for


def chunk_bounds(files: int, size: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the chunks of ``files`` files: ``size`` each, the last one cut in two so
    that a small tail (``size // TAIL_SHARE``) comes last: 200 files, size 50 -> 50, 50, 50, 40, 10."""
    bounds = [(start, min(start + size, files)) for start in range(0, files, size)]
    tail = max(1, size // TAIL_SHARE)
    start, end = bounds[-1] if bounds else (0, 0)
    if len(bounds) > 1 and end - start > tail:
        bounds[-1:] = [(start, end - tail), (end - tail, end)]
    return bounds


_SNAPSHOT_COUNTERS = frozenset({"line_stats/known"})  # the same snapshot in every chunk: counted once


def merged(reports: Sequence[BatchReport]) -> BatchReport:
    """Chunks' reports as one batch's: outcomes in source order, counters and seconds added."""
    out = BatchReport()
    for report in reports:
        out.documents.extend(report.documents)
        for name, seconds in report.timings.items():
            out.timings[name] = round(out.timings.get(name, 0.0) + seconds, 4)
        for name, value in report.counters.items():
            out.counters[name] = (max(out.counters.get(name, 0), value) if name in _SNAPSHOT_COUNTERS
                                  else out.counters.get(name, 0) + value)
    out.documents.sort(key=lambda o: o.source)
    return out
