"""Re-processing keeps the entries of documents whose grouping inputs did not change (issue 27: a rule change
re-processes the whole index; taking every copy out of its group and re-linking the rest, batch after
batch, made a full refresh of 2,000 throughput documents spend 175 s grouping against 14 s for the first run).
The groups, canonical copies and counts after the re-processing are those of the first run; a document whose
body changed still leaves its group and joins its copies anew; other grouping settings re-group everyone."""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.config import load_settings
from pipeline.run.flow import run_ingest
from tests.run.test_dedup import fields, page, story, syndicate, write


def _run(es, src, alias, tmp_path, settings=None, **kwargs):
    return run_ingest(settings or load_settings(), es=es, source_dir=src, alias=alias, runs_dir=tmp_path / "runs",
                      **kwargs)


def _corpus(src) -> None:
    syndicate(src, 1, "story")  # four copies of one story
    syndicate(src, 5, "other")  # four of another
    write(src, "alone/one.html", page("Farmers protest prices", story(2), "2025-03-01T08:00:00Z", "Wire"))


def _entries(es, alias) -> dict[str, dict]:
    es.indices.refresh(index=f"{alias}-dedup")
    hits = es.search(index=f"{alias}-dedup", size=100, query={"term": {"kind": "document"}},
                     source_includes=["group", "links", "inputs", "duplicate_count"])["hits"]["hits"]
    return {h["_id"]: h["_source"] for h in hits}


@pytest.mark.es
def test_a_full_refresh_keeps_the_groups_and_the_entries_of_unchanged_documents(es_client, alias, tmp_path):
    src = tmp_path / "src"
    _corpus(src)
    first = _run(es_client, src, alias, tmp_path)
    assert first.indexed == 9
    groups, entries = fields(es_client, alias), _entries(es_client, alias)
    assert len({f["duplicate_group"] for f in groups.values()}) == 3
    assert all(e["inputs"] for e in entries.values())  # every entry says what its links were decided on

    again = _run(es_client, src, alias, tmp_path, full_refresh=True, workers=2)
    assert again.indexed == 9
    assert again.counters.get("dedup/kept") == 9  # nobody left a group
    assert "kept=9" in again.render_text()
    assert fields(es_client, alias) == groups  # groups, canonical copies and counts written to the articles again
    after = _entries(es_client, alias)
    assert {d: (e["group"], e["links"], e["inputs"], e["duplicate_count"]) for d, e in after.items()} == \
        {d: (e["group"], e["links"], e["inputs"], e["duplicate_count"]) for d, e in entries.items()}


@pytest.mark.es
def test_a_changed_body_leaves_its_group_and_other_settings_regroup_everyone(es_client, alias, tmp_path):
    src = tmp_path / "src"
    _corpus(src)
    _run(es_client, src, alias, tmp_path)
    before = fields(es_client, alias)
    # one copy now carries another story: it leaves its group, which keeps its other three copies
    write(src, "story/excerpt.html", page("Farmers protest prices again", story(9), "2025-03-04T08:00:00Z", "Metro"))
    changed = _run(es_client, src, alias, tmp_path, full_refresh=True)
    assert changed.counters.get("dedup/kept") == 8
    now = fields(es_client, alias)
    assert now["story/excerpt.html"]["duplicate_count"] == 1
    assert {now[f"story/{n}.html"]["duplicate_count"] for n in ("original", "rewritten", "truncated")} == {3}
    assert {k: v for k, v in now.items() if not k.startswith("story/")} == \
        {k: v for k, v in before.items() if not k.startswith("story/")}
    # a stricter containment threshold: nothing is kept, everyone joins anew (same groups here)
    settings = load_settings()
    stricter = dataclasses.replace(settings, dedup=dataclasses.replace(settings.dedup,
                                                                       min_containment=settings.dedup.min_containment + 0.01))
    regrouped = _run(es_client, src, alias, tmp_path, settings=stricter, full_refresh=True)
    assert not regrouped.counters.get("dedup/kept")
    assert fields(es_client, alias) == now
