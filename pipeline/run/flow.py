"""The one orchestration path: a run is ``start -> plan -> process (per batch) -> finish``.

``Ingest`` and ``Reindex`` are the two kinds of run. The CLI executes the steps in-process
(``run_flow``); the DAGs map each step to a task (``dags/etl_common.py``), so both paths run
the same code with the same ``RunSettings`` (batch size, workers / mapped-task concurrency,
failure ratio, time limits) and produce the same report for the same input.

A run that cannot start (missing or unsafe folder, bad alias) still leaves a failed
``etl-runs`` record with its reason, and raises a ``PermanentError`` that no retry repeats.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pipeline.config import ESConnection, Settings, check_encoding, check_source_dir, resolve_path
from pipeline.errors import BadParameter, PermanentError
from pipeline.run.batch import document_stages, in_thread, process_batch
from pipeline.run.context import RunContext, new_run_id, safe_run_id
from pipeline.run.isolated import prestart_stage_worker
from pipeline.run.lifecycle import enforce_failure_ratio, finish_run, plan_batches, start_run, sync_deletes
from pipeline.run.overlap import overlapped
from pipeline.run.params import canonical_params, params_of
from pipeline.run.reindex import ReindexResult, begin_reindex, complete_reindex
from pipeline.run.report import BatchReport, RunReport, write_report

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunRequest:
    """What one run was asked to do: CLI flags or DAG parameters (``pipeline.run.params``), JSON-safe."""

    source_dir: str | None = None  # default: settings.source_dir
    index_alias: str | None = None  # default: settings.index_alias
    full_refresh: bool = False
    sync_deletes: bool = False
    run_id: str | None = None
    check_allowed_roots: bool = False  # manual DAG triggers may only name folders under allowed roots
    encoding: str | None = None  # charset hint for legacy files (CLI --encoding, DAG param ``encoding``)
    source_id: str | None = None  # default: settings.source_name for settings.source_dir, else the folder name
    allow_shrink: bool = False  # reindex: swap even when the new index holds fewer documents than the old

    @classmethod
    def from_params(cls, params: Mapping[str, Any], *, flow: str = "ingest", run_id: str | None = None,
                    check_allowed_roots: bool = True) -> "RunRequest":
        """From a DAG run's params: the declared parameters of ``flow``, empty ones at their default."""
        known = canonical_params(dict(params), flow, log.warning)
        if "encoding" in known:
            try:
                known["encoding"] = check_encoding(str(known["encoding"]))
            except ValueError:  # as it was given: ``Flow.start`` fails on it, with a failed run recorded
                known["encoding"] = str(known["encoding"])
        return cls(**known, run_id=run_id, check_allowed_roots=check_allowed_roots)

    @classmethod
    def from_flags(cls, args: Any, flow: str) -> "RunRequest":
        """From the CLI's flags (``params.add_cli_flags``), checked as a DAG's params are."""
        values: dict[str, Any] = {}
        for param in params_of(flow):
            values[param.name] = getattr(args, param.name)
            values.update({old: getattr(args, old) for old in param.deprecated_names})
        return cls.from_params(values, flow=flow, check_allowed_roots=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Flow(ABC):
    """The steps of one kind of run. Every step takes and returns JSON-safe values."""

    kind: ClassVar[str]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def start(self, es: Elasticsearch, request: RunRequest, *, in_process: bool = False) -> RunContext:
        """Check the request, take the alias's writer lease (waiting up to ``run.lease_wait_seconds``),
        prepare the target index, name the run; a failure is recorded (and the lease released), then raised.
        ``in_process``: the whole run happens in this process (the CLI), so the lease is freed as soon
        as the process is gone; under Airflow it spans tasks and only expires."""
        from pipeline.elastic import lease

        run_id = safe_run_id(request.run_id) if request.run_id else f"{self.kind}-{new_run_id()}"
        alias = request.index_alias or self.settings.index_alias
        held = False
        try:
            source = resolve_path(request.source_dir) if request.source_dir else self.settings.source_dir
            if request.check_allowed_roots:
                source = check_source_dir(source, self.settings.allowed_source_roots)
            alias = request.index_alias or self.settings.index_alias
            if request.encoding:
                try:
                    check_encoding(request.encoding)
                except ValueError as exc:
                    raise BadParameter(str(exc)) from exc
            from pipeline.elastic.indices import validate_index_name

            try:
                validate_index_name(alias)
            except ValueError as exc:
                raise BadParameter(str(exc)) from exc
            run = self.settings.run
            lease.acquire(es, alias, run_id, ttl=run.lease_ttl_seconds, wait=run.lease_wait_seconds,
                          support=self.settings.support_indices, process_bound=in_process)
            held = True
            ctx = self._start(es, request, run_id, Path(source), alias)
            ctx.flow = self.kind
            return ctx
        except PermanentError as exc:
            if held:
                release_lease(es, alias, run_id, best_effort=True)
            record_failed_start(es, self.settings, request, run_id, exc)
            raise
        except BaseException:
            if held:
                release_lease(es, alias, run_id, best_effort=True)
            raise

    @contextmanager
    def holding(self, ctx: RunContext, es: Elasticsearch) -> Iterator[None]:
        """Run a step under the run's lease: checked (``LeaseLost`` if another run took it), kept
        alive by a heartbeat thread while the step works. Every task of a DAG run uses it."""
        from pipeline.elastic.lease import holding

        with holding(es, ctx.alias, ctx.run_id, ctx.run.lease_ttl_seconds):
            yield

    def release(self, ctx: RunContext, es: Elasticsearch, *, best_effort: bool = False) -> bool:
        """Give the alias's lease back (idempotent: the CLI's ``finally``, the DAG's teardown task).
        ``best_effort``: a cluster that cannot be reached (often why the run is failing) is logged, not
        raised, so it does not hide the run's own error; the lease then expires (or, held by a
        process-bound run, is free once this run is over)."""
        return release_lease(es, ctx.alias, ctx.run_id, best_effort=best_effort)

    @abstractmethod
    def _start(self, es: Elasticsearch, request: RunRequest, run_id: str, source: Path, alias: str) -> RunContext:
        ...

    def plan(self, ctx: RunContext) -> list[int]:
        """Batch manifests in the run folder; the batch numbers (all that XCom carries)."""
        return plan_batches(ctx)

    def process(self, batch: int, ctx: RunContext, es: Elasticsearch, *, defer: Executor | None = None,
                last: bool = False, following: int | None = None) -> BatchReport:
        return process_batch(batch, ctx, es, defer=defer, last=last, following=following)

    def process_task(self, batches: Sequence[int], ctx: RunContext,
                     es: Elasticsearch) -> Generator[BatchReport, None, None]:
        """A mapped task's consecutive batches, in batch order: each one's grouping in a thread of this
        process while the next is transformed, and its unchanged check asked while the one before it runs
        (``batch.in_thread``, ``unchanged.ask_ahead``). Close it when done (a task must not return with
        grouping running)."""
        following = dict(zip(batches, batches[1:]))
        return in_thread(lambda batch, worker, last: self.process(batch, ctx, es, defer=worker, last=last,
                                                                  following=following.get(batch)), batches, es)

    @abstractmethod
    def finish(self, ctx: RunContext, reports: Iterable[BatchReport], es: Elasticsearch) -> RunReport:
        """Add the batch reports up and record the run (``check`` then says whether it failed)."""

    def check(self, report: RunReport) -> None:
        """Raise ``RunFailed`` when more documents failed than ``max_failure_ratio`` allows."""
        enforce_failure_ratio(report, report.max_failure_ratio)


class Ingest(Flow):
    """New and changed files of a folder into the live index behind the alias."""

    kind = "ingest"

    def _start(self, es: Elasticsearch, request: RunRequest, run_id: str, source: Path, alias: str) -> RunContext:
        return start_run(es, self.settings, source_dir=source, alias=alias, full_refresh=request.full_refresh,
                         run_id=run_id, sync_deletes=request.sync_deletes, encoding=request.encoding,
                         source_name=request.source_id)

    def finish(self, ctx: RunContext, reports: Iterable[BatchReport], es: Elasticsearch) -> RunReport:
        def with_deletes() -> Iterator[BatchReport]:
            yield from reports
            if ctx.sync_deletes:
                yield sync_deletes(es, ctx)

        return finish_run(ctx, with_deletes(), es)


class Reindex(Flow):
    """Rebuild the alias into a new physical index, verify it, swap atomically (zero downtime)."""

    kind = "reindex"

    def _start(self, es: Elasticsearch, request: RunRequest, run_id: str, source: Path, alias: str) -> RunContext:
        return begin_reindex(es, self.settings, source_dir=source if request.source_dir else None, alias=alias,
                             run_id=run_id, source_name=request.source_id, allow_shrink=request.allow_shrink)

    def finish(self, ctx: RunContext, reports: Iterable[BatchReport], es: Elasticsearch) -> RunReport:
        result = complete_reindex(es, ctx, list(reports))
        log.info("alias %s: %s -> %s (%d documents); pruned %s", result.alias, result.previous_index,
                 result.new_index, result.actual, result.pruned or "nothing")
        return result.report


FLOWS: dict[str, type[Flow]] = {"ingest": Ingest, "reindex": Reindex}


def release_lease(es: Elasticsearch, alias: str, run_id: str, *, best_effort: bool = False) -> bool:
    """Give the alias's writer lease back. ``best_effort`` (while failing, or in a ``finally``): an
    unreachable cluster is logged, not raised, so it does not hide the run's own error; the lease then
    expires (or, held by a process-bound run, is free once this run is over)."""
    from pipeline.elastic.lease import release

    try:
        return release(es, alias, run_id)
    except Exception as exc:  # noqa: BLE001 - see above
        if not best_effort:
            raise
        log.warning("could not release the lease on %s for %s: %s", alias, run_id, exc)
        return False


def record_failed_start(es: Elasticsearch, settings: Settings, request: RunRequest, run_id: str, error: Exception) -> None:
    """An ``etl-runs`` record (and report.json) for a run that could not start, so failure views show it."""
    from pipeline.elastic.client import RetryPolicy, retrying
    from pipeline.elastic.indices import RUNS_INDEX, ensure_support_indices

    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    alias = request.index_alias or settings.index_alias
    report = RunReport(run_id=run_id, source_dir=str(request.source_dir or settings.source_dir), alias=alias,
                       index="", started_at=now, finished_at=now, error=f"{type(error).__name__}: {error}")
    write_report(report, Path(settings.runs_dir) / run_id)
    try:
        ensure_support_indices(es, settings.index_alias, settings.support_indices)
        record = report.to_run_record()
        retrying(lambda: es.index(index=RUNS_INDEX, id=run_id, document=record, refresh="wait_for"),
                 "recording the failed run", retry=RetryPolicy(attempts=3))
    except Exception as exc:  # noqa: BLE001 - the cluster may be what failed; report.json has it
        log.warning("could not record the failed run %s in %s: %s", run_id, RUNS_INDEX, exc)


def run_flow(flow: Flow, es: Elasticsearch, request: RunRequest, *, workers: int | None = None,
             es_connection: ESConnection | None = None) -> RunReport:
    """Every step of ``flow`` in this process; batches in ``workers`` processes when > 1.
    The caller decides what a failed run means (``flow.check(report)``)."""
    if (workers or flow.settings.run.workers) <= 1:  # batches run here: the stage worker warms up meanwhile
        prestart_stage_worker(partial(document_stages, flow.settings.run))
    ctx = flow.start(es, request, in_process=True)
    try:
        with flow.holding(ctx, es):
            batches = flow.plan(ctx)
            workers = workers or ctx.run.workers
            conn = es_connection if es_connection is not None else flow.settings.es  # for worker processes
            if workers > 1 and len(batches) > 1:
                from pipeline.run.parallel import process_batches_parallel

                reports: Generator[BatchReport, None, None] = process_batches_parallel(batches, ctx, conn, workers)
            else:  # one batch's grouping runs while the next is transformed (pipeline/run/overlap.py)
                following = dict(zip(batches, batches[1:]))  # its unchanged check is asked while this batch runs
                reports = overlapped(lambda batch, worker, last: flow.process(batch, ctx, es, defer=worker, last=last,
                                                                              following=following.get(batch)),
                                     batches, conn)
            with closing(reports):  # stops the workers / waits for the grouping in flight on failure
                return flow.finish(ctx, reports, es)
    finally:
        flow.release(ctx, es, best_effort=True)


def run_ingest(settings: Settings, *, es: Elasticsearch, source_dir: Path | None = None, alias: str | None = None,
               runs_dir: Path | None = None, full_refresh: bool = False, delete_missing: bool = False,
               workers: int = 1, es_connection: ESConnection | None = None,
               encoding: str | None = None) -> RunReport:
    """A whole ingest run in-process: what the ingest DAG does, without Airflow.

    ``workers`` > 1 processes batches in that many worker processes (each with its own
    Elasticsearch client, from ``es_connection``, default ``settings.es``); batch reports
    stream into the run report as they finish, with a bounded number of batches in flight.
    """
    if runs_dir is not None:
        settings = replace(settings, runs_dir=Path(runs_dir))
    request = RunRequest(source_dir=str(source_dir) if source_dir else None, index_alias=alias,
                         full_refresh=full_refresh, sync_deletes=delete_missing, encoding=encoding)
    return run_flow(Ingest(settings), es, request, workers=workers, es_connection=es_connection)


def run_reindex(es: Elasticsearch, settings: Settings, *, source_dir: Path | None = None, alias: str | None = None,
                runs_dir: Path | None = None, source_id: str | None = None,
                allow_shrink: bool = False) -> ReindexResult:
    """A whole reindex run in-process (what ``reindex_articles`` does): every recorded source
    of the alias rebuilt into a new index, verified, swapped."""
    if runs_dir is not None:
        settings = replace(settings, runs_dir=Path(runs_dir))
    flow = Reindex(settings)
    ctx = flow.start(es, RunRequest(source_dir=str(source_dir) if source_dir else None, index_alias=alias,
                                    source_id=source_id, allow_shrink=allow_shrink), in_process=True)
    try:
        with flow.holding(ctx, es):
            reports = [flow.process(batch, ctx, es) for batch in flow.plan(ctx)]
            return complete_reindex(es, ctx, reports)
    finally:
        flow.release(ctx, es, best_effort=True)
