"""The unchanged check of a run's next batch is asked while this batch runs (``unchanged.ask_ahead``), in
the real local Elasticsearch: every later batch takes that answer, it is what asking at the batch's
start gives, and an early question that failed or does not cover the batch is asked again."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.elastic.bulk import indexed_fingerprints
from pipeline.run import run_ingest
from pipeline.run.context import RunContext
from pipeline.run.unchanged import Asked, SkipUnchanged

pytestmark = pytest.mark.es


def write(folder: Path, names: range, text: str = "Council meets on plan {i}. The river town votes on the budget.") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in names:
        (folder / f"{i:03d}.txt").write_text(text.format(i=i) + "\n\nThe school road and the harbour bridge.\n",
                                             encoding="utf-8")


def test_every_later_batch_takes_the_answer_asked_ahead_and_it_is_the_index_s(es_client, alias, tmp_path,
                                                                              monkeypatch):
    src = tmp_path / "feed"
    write(src, range(9))
    settings = load_settings().with_overrides(batch_size=3)  # batches of 3: 0-2, 3-5, 6-8
    first = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=tmp_path / "runs")
    assert first.counts()["new"] == 9

    write(src, range(3, 4), "Changed: council meets on plan {i} again.")  # batch 2 holds a changed file
    write(src, range(9, 10))  # and batch 4 a new one
    taken: list[tuple[bool, dict, dict]] = []
    known = SkipUnchanged.known

    def spying(self: SkipUnchanged, ids: list[str]) -> dict:
        got = known(self, ids)
        es_client.indices.refresh(index=self.ctx.index)  # nothing was written in between: the same answer now
        taken.append((self.ahead is not None, got, indexed_fingerprints(es_client, self.ctx.index, ids)))
        return got

    monkeypatch.setattr(SkipUnchanged, "known", spying)
    second = run_ingest(settings, es=es_client, source_dir=src, alias=alias, runs_dir=tmp_path / "runs")
    assert [asked for asked, _, _ in taken] == [False, True, True, True]  # the first batch has nobody before it
    assert all(got == now for _, got, now in taken)
    assert sum(len(got) for _, got, _ in taken) == 9  # the new file is in no answer
    counts = second.counts()
    assert (counts["unchanged"], counts["changed"], counts["new"]) == (8, 1, 1)


def test_a_failed_or_partial_early_answer_is_asked_again(es_client, alias, tmp_path):
    src = tmp_path / "feed"
    write(src, range(4))
    run_ingest(load_settings(), es=es_client, source_dir=src, alias=alias, runs_dir=tmp_path / "runs")
    index = next(iter(es_client.indices.get_alias(name=alias)))
    es_client.indices.refresh(index=index)
    ids = [h["_id"] for h in es_client.search(index=index, size=10, source=False)["hits"]["hits"]]
    assert len(ids) == 4
    ctx = RunContext(run_id="r", source_dir=str(src), alias=alias, index=index, started_at="",
                     run=load_settings().run)
    failed: Future[Asked] = Future()
    failed.set_exception(ConnectionError("the early question failed"))
    partial: Future[Asked] = Future()
    partial.set_result((frozenset(ids[:2]), {}))  # asked about two ids only (it says neither is indexed)
    for ahead in (failed, partial):
        got = SkipUnchanged(es_client, ctx, src, ahead=ahead).known(ids)
        assert set(got) == set(ids) and got == indexed_fingerprints(es_client, index, ids)
