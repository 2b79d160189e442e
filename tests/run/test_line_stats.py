"""Learned per-source line statistics in the real local Elasticsearch: a batch's counts are added
after it, the next batches / runs / workers read them, concurrent writers' counts add up."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.elastic.line_stats import add_stats, read_stats
from pipeline.run import run_ingest
from pipeline.stages.clean.repetition import SourceStats

pytestmark = pytest.mark.es

WORDS = "river town council water plan budget school road bridge harbour station market library".split()
BOILER = "Kvällsbladet Plus · Annons"  # in no pack: only the source's own statistics can find it


def article(i: int) -> str:
    rng = random.Random(i)
    paras = [" ".join(rng.choice(WORDS) for _ in range(30)).capitalize() + ". "
             + " ".join(rng.choice(WORDS) for _ in range(20)) + "." for _ in range(4)]
    return f"Council meets on plan number {i}\n\n{paras[0]}\n\n{paras[1]}\n\n{BOILER}\n\n{paras[2]}\n\n{paras[3]}\n"


def write(folder: Path, numbers: range) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in numbers:
        (folder / f"{i:03d}.txt").write_text(article(i), encoding="utf-8")


def bodies(es, alias) -> dict[str, str]:
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=100, query={"match_all": {}})["hits"]["hits"]
    return {Path(h["_source"]["source_path"]).name: h["_source"]["body"] for h in hits}


@pytest.mark.parametrize("chunk", [0, 3], ids=["whole-batch", "in-chunks"])
def test_a_later_run_reads_what_an_earlier_run_learned(es_client, alias, tmp_path, chunk):
    """Also when a batch is transformed and grouped in chunks (as an Airflow task does): the chunks
    share the batch's snapshot and their counts are written once, as one batch's."""
    src = tmp_path / "feed"
    write(src, range(10))
    settings = load_settings().with_overrides(group_chunk_docs=chunk)
    first = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=tmp_path / "runs")
    assert first.counters.get("dedup/grouped-chunks", 0) == (4 if chunk else 0)  # 10 files: 3, 3, 3, 1
    stored = es_client.get(index="etl-line-stats", id=f"{alias}/feed")
    assert stored["_version"] == 1  # one write for the run's one batch, chunks or not
    assert first.counters.get("line_stats/added") == 10
    assert first.counters.get("line_stats/known", 0) == 0  # the source's first batch: the packs alone
    assert first.counters.get("clean/lines_learned", 0) == 0
    assert all(BOILER in body for body in bodies(es_client, alias).values())
    stats = read_stats(es_client, alias, "feed")
    assert stats is not None and stats.documents == 10
    assert stats.lines[BOILER.casefold()] == 10

    write(src, range(10, 14))  # the next run: only the new files are cleaned, with what the first learned
    second = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=tmp_path / "runs")
    assert second.counts()["new"] == 4 and second.counts()["unchanged"] == 10
    assert second.counters.get("line_stats/known") == 10
    assert second.counters.get("clean/lines_learned") == 4
    found = bodies(es_client, alias)
    assert all(BOILER not in found[f"{i:03d}.txt"] for i in range(10, 14))
    assert read_stats(es_client, alias, "feed").documents == 14  # type: ignore[union-attr]
    # a third run with nothing new adds nothing (unchanged documents are never counted twice)
    third = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=tmp_path / "runs")
    assert third.counters.get("line_stats/added", 0) == 0
    assert read_stats(es_client, alias, "feed").documents == 14  # type: ignore[union-attr]


def test_two_workers_batches_add_up_and_the_next_run_sees_them(es_client, alias, tmp_path):
    src = tmp_path / "wire"
    write(src / "a", range(0, 6))
    write(src / "b", range(6, 12))
    settings = load_settings().with_overrides(batch_size=6)
    report = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=tmp_path / "runs", workers=2)
    assert report.counters.get("line_stats/added") == 12
    stats = read_stats(es_client, alias, "wire")
    assert stats is not None and stats.documents == 12 and stats.lines[BOILER.casefold()] == 12

    write(src / "c", range(12, 15))
    later = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=tmp_path / "runs", workers=2)
    assert later.counters.get("clean/lines_learned") == 3
    assert all(BOILER not in bodies(es_client, alias)[f"{i:03d}.txt"] for i in range(12, 15))


def test_concurrent_writers_never_lose_counts(es_client, alias):
    """Eight writers (two threads, each its own client) add to one source at once: every count lands."""
    from pipeline.elastic.client import make_client

    one = SourceStats()
    one.add(article(1))
    errors: list[BaseException] = []
    retries: list[int] = []

    def writer() -> None:
        es = make_client(load_settings().es)
        try:
            for _ in range(4):
                retries.append(add_stats(es, alias, "busy", one, support=load_settings().support_indices))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    stats = read_stats(es_client, alias, "busy")
    assert stats is not None and stats.documents == 8
    assert stats.lines[BOILER.casefold()] == 8
    assert all(n == 8 for n in stats.openings.values()) and stats.openings == Counter(
        {k: 8 for k in one.openings})


def test_a_run_keeps_its_snapshot_until_someone_else_writes(es_client, alias):
    """What a run wrote or read last is its snapshot while the stored document keeps its sequence
    number, primary term and version: the same statistics a read gives. Another writer's counts, or
    the document's removal, are seen at the next read."""
    support = load_settings().support_indices
    one, two = SourceStats(), SourceStats()
    one.add(article(1))
    two.add(article(2))
    add_stats(es_client, alias, "kept", one, support=support, run_id="run-a")
    kept = read_stats(es_client, alias, "kept", run_id="run-a")
    assert kept is not None and kept.documents == 1
    assert read_stats(es_client, alias, "kept", run_id="run-a") is kept  # nothing changed: no re-read
    assert read_stats(es_client, alias, "kept") == kept  # and it is what a read without a snapshot gives

    add_stats(es_client, alias, "kept", two, support=support)  # another run's counts
    seen = read_stats(es_client, alias, "kept", run_id="run-a")
    assert seen is not kept and seen is not None and seen.documents == 2
    assert seen == read_stats(es_client, alias, "kept") and seen.lines[BOILER.casefold()] == 2

    es_client.delete(index="etl-line-stats", id=f"{alias}/kept", refresh=True)
    assert read_stats(es_client, alias, "kept", run_id="run-a") is None
