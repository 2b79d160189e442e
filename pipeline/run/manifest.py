"""Batch manifests and outcomes in the run folder, so XCom carries references only.

The plan streams the listing into ``<run folder>/batches/<n>.jsonl`` (first line: the source,
then one JSON-encoded relative path per line) and returns the batch numbers, shared out among the
mapped batch tasks (``task_slices``): about 6 bytes of XCom per batch, whatever the corpus. A batch
task reads the manifests of its batches, and writes each batch's outcomes to
``<run folder>/outcomes/<n>.json``, returning a small summary per batch with that reference. The run
folder (``runs_dir``) must therefore be shared by the workers (it already holds the reports).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.run.context import RunContext
from pipeline.run.report import BatchReport

BATCHES = "batches"
OUTCOMES = "outcomes"


def _folder(ctx: RunContext, kind: str) -> Path:
    folder = ctx.run_folder
    if folder is None:
        raise ValueError("a run needs a runs_dir for its batch manifests")
    path = folder / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def _name(number: int, suffix: str) -> str:
    return f"{number:06d}{suffix}"


def _write_atomic(path: Path, text: str) -> None:
    """Write-then-rename: a retried task never reads a half-written file."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_manifests(ctx: RunContext, listings: Iterable[tuple[str, Iterable[str]]], batch_size: int) -> list[int]:
    """Stream ``(source name, relative paths)`` listings into manifests of ``batch_size`` paths
    (a batch never mixes sources); returns the batch numbers. Memory: one batch."""
    folder = _folder(ctx, BATCHES)
    numbers: list[int] = []
    for source, paths in listings:
        chunk: list[str] = []
        for rel in paths:
            chunk.append(rel)
            if len(chunk) >= batch_size:
                numbers.append(_flush(folder, len(numbers), source, chunk))
                chunk = []
        if chunk:
            numbers.append(_flush(folder, len(numbers), source, chunk))
    return numbers


def _flush(folder: Path, number: int, source: str, paths: list[str]) -> int:
    lines = [json.dumps({"source": source, "count": len(paths)})] + [json.dumps(p) for p in paths]
    _write_atomic(folder / _name(number, ".jsonl"), "\n".join(lines) + "\n")
    return number


def task_slices(batches: Sequence[int], per_task: int, min_tasks: int) -> list[list[int]]:
    """The batches shared out among the mapped batch tasks: consecutive batches, at most ``per_task``
    in a task, but in at least ``min_tasks`` tasks (the DAG run's concurrency) when there are that many
    batches; sizes differ by one at most. 10 batches, 5 a task, 4 tasks at least -> 3, 3, 2, 2."""
    tasks = max(-(-len(batches) // max(1, per_task)), min(len(batches), max(1, min_tasks)))
    size, extra = divmod(len(batches), tasks) if tasks else (0, 0)
    out: list[list[int]] = []
    start = 0
    for i in range(tasks):
        end = start + size + (1 if i < extra else 0)
        out.append(list(batches[start:end]))
        start = end
    return out


def read_manifest(ctx: RunContext, number: int) -> tuple[str, list[str]]:
    """``(source name, relative paths)`` of batch ``number``."""
    path = _folder(ctx, BATCHES) / _name(number, ".jsonl")
    with open(path, encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        paths = [json.loads(line) for line in fh if line.strip()]
    if len(paths) != header["count"]:
        raise ValueError(f"{path}: {len(paths)} paths, header says {header['count']}")
    return str(header["source"]), paths


def manifest_paths(ctx: RunContext, numbers: Iterable[int]) -> Iterator[tuple[str, str]]:
    """Every ``(source, relative path)`` of the given batches, streamed."""
    for number in numbers:
        source, paths = read_manifest(ctx, number)
        for rel in paths:
            yield source, rel


def save_outcomes(ctx: RunContext, number: int, report: BatchReport) -> dict[str, Any]:
    """Write a batch's outcomes to the run folder; the small summary a batch task returns."""
    name = _name(number, ".json")
    _write_atomic(_folder(ctx, OUTCOMES) / name, json.dumps(report.to_dict(), ensure_ascii=False))
    statuses: dict[str, int] = {}
    for outcome in report.documents:
        statuses[str(outcome.status)] = statuses.get(str(outcome.status), 0) + 1
    return {"batch": number, "outcomes": f"{OUTCOMES}/{name}", "documents": len(report.documents), **statuses}


def load_outcomes(ctx: RunContext, summary: dict[str, Any]) -> BatchReport:
    """The batch report a summary refers to."""
    folder = ctx.run_folder
    assert folder is not None
    with open(folder / summary["outcomes"], encoding="utf-8") as fh:
        return BatchReport.from_dict(json.load(fh))
