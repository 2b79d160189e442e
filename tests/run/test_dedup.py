"""Near-duplicate grouping against the real local Elasticsearch, through the real run path."""

from __future__ import annotations

import random
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import ConfigError, load_settings
from pipeline.elastic.dedup_store import dedup_index, fetch_bodies, fetch_shingles, shingles_index
from pipeline.elastic.search import search
from pipeline.run import group_links, run_ingest
from pipeline.stages.dedup import (
    band_keys,
    compare,
    load_dedup_config,
    shingle_set,
    signature,
)
from pipeline.stages.enrich import document_id

# Plain English words: the generated stories read as English to the language detector.
WORDS = ("the council said on monday that new rules for water supply would start next year after "
         "long talks with farmers and city leaders who had asked for more money to repair old pipes "
         "across the region while some residents warned that prices could rise sharply during the "
         "dry summer months and local schools might close early if the plan failed to win support "
         "from national ministers in the capital where officials have promised to publish a full "
         "report before the end of march").split()
BACKGROUND = ("The region has faced repeated droughts over the past decade, and reservoirs have fallen "
              "to their lowest levels since records began, according to figures from the national "
              "water agency published last year.")


def story(seed: int, paragraphs: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(28, 40))).capitalize() + "."
            for _ in range(paragraphs)]


def page(title: str, paragraphs: list[str], published: str, outlet: str) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title} | {outlet}</title>"
            f'<meta property="article:published_time" content="{published}"></head><body>'
            f'<nav><a href="/">{outlet} home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
            f"<article><h1>{title}</h1>\n{body}</article>"
            f"<footer>Copyright {outlet}. All rights reserved.</footer></body></html>")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(es, source: Path, alias: str, tmp_path: Path, **kwargs):
    return run_ingest(load_settings(), es=es, source_dir=source, alias=alias, runs_dir=tmp_path / "runs",
                        **kwargs)


def fields(es, alias: str) -> dict[str, dict]:
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=100, source_includes=["source", "duplicate_group", "is_canonical",
                                                             "duplicate_count"])["hits"]["hits"]
    return {h["_source"]["source"]: h["_source"] for h in hits}


def syndicate(folder: Path, seed: int, prefix: str) -> dict[str, str]:
    """An original and four syndicated copies of one story (+ the kinds of edits outlets make)."""
    paras = story(seed)
    edited_lead = [paras[0].replace("the", "a", 3) + " Officials confirmed it."] + paras[1:]
    files = {
        f"{prefix}/original.html": page("Water rules to start next year", paras, "2025-03-03T08:00:00Z", "Wire"),
        f"{prefix}/rewritten.html": page("Region agrees new water plan", edited_lead[:4] + edited_lead[5:],
                                         "2025-03-03T10:00:00Z", "Daily Post"),
        f"{prefix}/excerpt.html": page("Water plan: what we know", paras[:3], "2025-03-03T11:00:00Z", "Metro"),
        f"{prefix}/truncated.html": page("New water rules", paras[:5], "2025-03-03T12:00:00Z", "Evening News"),
    }
    for name, text in files.items():
        write(folder, name, text)
    return files


@pytest.mark.es
def test_copies_excerpt_and_truncation_group_and_a_hard_negative_stays_apart(es_client, alias, tmp_path):
    src = tmp_path / "src"
    syndicate(src, 1, "story")
    # a different story that reuses the same background paragraph
    write(src, "other/negative.html", page("Farmers protest prices", story(2)[:3] + [BACKGROUND],
                                           "2025-03-01T08:00:00Z", "Wire"))
    write(src, "other/negative2.html", page("Schools close early", story(3)[:4] + [BACKGROUND],
                                            "2025-03-02T08:00:00Z", "Daily Post"))
    report = run(es_client, src, alias, tmp_path)
    assert report.indexed == 6
    docs = fields(es_client, alias)
    groups = {docs[f"story/{n}.html"]["duplicate_group"] for n in ("original", "rewritten", "excerpt", "truncated")}
    assert len(groups) == 1
    assert all(docs[f"story/{n}.html"]["duplicate_count"] == 4 for n in ("original", "rewritten", "excerpt"))
    canonical = [s for s, d in docs.items() if s.startswith("story/") and d["is_canonical"]]
    assert canonical == ["story/original.html"]  # earliest published
    for name in ("other/negative.html", "other/negative2.html"):
        assert docs[name]["duplicate_count"] == 1 and docs[name]["is_canonical"]
        assert docs[name]["duplicate_group"] == document_id(src.name, name)
    assert report.counters["dedup/copies"] == 4 and report.counters["dedup/new_groups"] == 1
    assert "duplicates: new_groups=1, groups=1, copies=4" in report.render_text()


def partition(docs: dict[str, dict]) -> set[frozenset[str]]:
    by_group: dict[str, set[str]] = {}
    for source, d in docs.items():
        by_group.setdefault(d["duplicate_group"], set()).add(source)
    return {frozenset(members) for members in by_group.values()}


@pytest.mark.es
def test_batches_grouped_in_the_worker_process_give_the_groups_of_one_batch(es_client, alias, tmp_path):
    """A CLI run of several batches groups each batch in a worker process while the next one is
    transformed (pipeline/run/overlap.py), with one worker and with two (whose worker processes
    hand each batch's grouping back to that process); a batch grouped where it is loaded (as an
    Airflow task does) groups its chunks in a thread while the next chunk is transformed, and a CLI
    run's last batch, which has no next batch to overlap with, its chunks in the worker process. The
    groups, canonical copies and counts are those of the same files in one batch, grouped in place
    after its load."""
    src = tmp_path / "src"
    for seed in (21, 22, 23):
        syndicate(src, seed, f"story{seed}")
    write(src, "other/negative.html", page("Farmers protest prices", story(24)[:3] + [BACKGROUND],
                                           "2025-03-01T08:00:00Z", "Wire"))
    results = {}
    for name, batch_size, workers, chunk in (("one-batch", 100, 1, 0), ("batches", 3, 1, 0), ("workers", 3, 2, 0),
                                             ("chunks", 100, 1, 3), ("last-in-chunks", 5, 1, 2)):
        settings = load_settings().with_overrides(runs_dir=tmp_path / name, batch_size=batch_size,
                                                  group_chunk_docs=chunk)
        report = run_ingest(settings, es=es_client, source_dir=src, alias=f"{alias}-{name}", workers=workers)
        assert report.indexed == 13 and report.failed == 0
        assert report.counters["dedup/fingerprinted"] == 13  # the worker's counters reach the report
        assert "dedup" in report.timings
        results[name] = (fields(es_client, f"{alias}-{name}"), report.counters)
    single, single_counts = results["one-batch"]
    assert results["chunks"][1]["dedup/grouped-chunks"] == 5  # 13 files in chunks of 3
    assert results["last-in-chunks"][1]["dedup/grouped-chunks"] == 2  # batches of 5, 5, 3: the last one in 2 + 1
    assert "dedup/grouped-chunks" not in results["batches"][1]  # chunks of 0: every batch grouped whole
    # the chunks' grouping thread kept the sets it wrote: later chunks' pair checks read them from memory
    kept = group_links._WRITTEN
    assert kept is not None and kept.owner is not None and kept.owner[0] == f"{alias}-chunks"
    assert set(kept.sets) == {document_id(src.name, source) for source in results["chunks"][0]}
    for name in ("batches", "workers", "chunks", "last-in-chunks"):
        mapped, mapped_counts = results[name]
        assert mapped_counts.get("dedup/overlapping-batches", 0) == 0, name  # one process groups batches in order
        assert partition(mapped) == partition(single), name
        assert len(partition(mapped)) == 4  # three stories of four copies, and the negative alone
        for source, d in mapped.items():
            assert (d["is_canonical"], d["duplicate_count"]) == (single[source]["is_canonical"],
                                                                 single[source]["duplicate_count"]), (name, source)
        for key in ("dedup/copies", "dedup/groups", "dedup/new_groups"):
            assert mapped_counts[key] == single_counts[key], (name, key)


@pytest.mark.es
def test_copy_in_a_later_run_joins_and_deleting_the_canonical_promotes_another(es_client, alias, tmp_path):
    src = tmp_path / "src"
    paras = story(5)
    write(src, "a.html", page("Water rules", paras, "2025-03-03T08:00:00Z", "Wire"))
    write(src, "b.html", page("Water rules agreed", paras[:6], "2025-03-03T09:00:00Z", "Daily Post"))
    run(es_client, src, alias, tmp_path)
    before = fields(es_client, alias)
    assert before["a.html"]["duplicate_group"] == before["b.html"]["duplicate_group"]

    write(src, "later/c.html", page("Water: the plan", paras[1:], "2025-03-04T08:00:00Z", "Metro"))
    report = run(es_client, src, alias, tmp_path)
    docs = fields(es_client, alias)
    assert {d["duplicate_group"] for d in docs.values()} == {before["a.html"]["duplicate_group"]}
    assert [s for s, d in docs.items() if d["is_canonical"]] == ["a.html"]
    assert all(d["duplicate_count"] == 3 for d in docs.values())
    assert report.counters["dedup/copies"] == 1 and report.counters["dedup/new_groups"] == 0

    (src / "a.html").unlink()
    run(es_client, src, alias, tmp_path, delete_missing=True)
    docs = fields(es_client, alias)
    assert set(docs) == {"b.html", "later/c.html"}
    assert [s for s, d in docs.items() if d["is_canonical"]] == ["b.html"]  # next earliest
    assert all(d["duplicate_count"] == 2 for d in docs.values())
    assert len({d["duplicate_group"] for d in docs.values()}) == 1
    assert not es_client.exists(index=dedup_index(alias), id=document_id(src.name, "a.html"))
    assert not es_client.exists(index=shingles_index(alias), id=document_id(src.name, "a.html"))


@pytest.mark.es
def test_a_document_loaded_but_never_grouped_is_grouped_by_the_next_run(es_client, alias, tmp_path):
    """A run that dies between a batch's load and its grouping leaves articles without a store
    entry. The next run must not skip them as unchanged: they are processed again and grouped."""
    src = tmp_path / "src"
    paras = story(9)
    write(src, "a.html", page("Water rules", paras, "2025-03-03T08:00:00Z", "Wire"))
    write(src, "b.html", page("Water rules agreed", paras[:6], "2025-03-03T09:00:00Z", "Daily Post"))
    write(src, "c.html", page("Council budget", story(10), "2025-03-03T10:00:00Z", "Wire"))
    run(es_client, src, alias, tmp_path)
    lost = document_id(src.name, "b.html")
    es_client.delete(index=dedup_index(alias), id=lost, refresh=True)  # its grouping never happened

    report = run(es_client, src, alias, tmp_path)
    assert report.counters["dedup/ungrouped"] == 1
    outcomes = {d.source: d for d in report.documents}
    assert outcomes["b.html"].status == "indexed" and outcomes["b.html"].change == "reprocessed"
    assert outcomes["a.html"].status == outcomes["c.html"].status == "unchanged"
    assert es_client.exists(index=dedup_index(alias), id=lost)
    docs = fields(es_client, alias)
    assert docs["a.html"]["duplicate_group"] == docs["b.html"]["duplicate_group"]
    assert docs["a.html"]["duplicate_count"] == docs["b.html"]["duplicate_count"] == 2
    assert run(es_client, src, alias, tmp_path).counters.get("dedup/ungrouped", 0) == 0  # settled for good


class HeldAtCandidates:
    """The real client, except that the first dedup candidate query of each batch waits until both
    batches have reached theirs: both look before either writes, the race the end-of-run
    reconciliation exists for (nothing is faked: Elasticsearch answers every request)."""

    def __init__(self, es, barrier: threading.Barrier) -> None:
        self._es, self._barrier, self._held = es, barrier, False

    def msearch(self, **kwargs):
        if not self._held:
            self._held = True
            self._barrier.wait(timeout=60)
        return self._es.msearch(**kwargs)

    def __getattr__(self, name):
        return getattr(self._es, name)


@pytest.mark.es
def test_two_concurrent_batches_on_overlapping_new_copies_end_in_one_group(es_client, alias, tmp_path, monkeypatch):
    """Two batches of one run (mapped tasks, or CLI workers) group at the same time. Two *runs* into one
    alias cannot overlap any more (the writer lease, tests/e2e/test_integrity.py), so the race lives here.
    Two threads of one process stand for two task processes: they ask the store (a process keeping its run's
    keys, ``group_memory``, would answer the second thread with the first's entries, as two processes don't)."""
    from pipeline.run import group_memory
    from pipeline.run.flow import Ingest, RunRequest

    monkeypatch.setattr(group_memory, "_KEYS", None)

    paras = story(7)
    src = tmp_path / "src"
    one, two = src / "one", src / "two"
    for i in range(4):  # each batch brings its own copies of the same new story
        write(one, f"a{i}.html", page("Water rules", paras[i % 2:7 - i % 3], f"2025-03-0{i + 1}T08:00:00Z",
                                      f"Outlet {i}"))
        write(two, f"b{i}.html", page("Water plan", paras[(i + 1) % 2:], f"2025-03-0{i + 5}T08:00:00Z",
                                      f"Paper {i}"))
    flow = Ingest(load_settings().with_overrides(runs_dir=tmp_path / "runs", batch_size=4))
    ctx = flow.start(es_client, RunRequest(source_dir=str(src), index_alias=alias), in_process=True)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    reports: list = []

    def go(batch: int) -> None:
        from pipeline.elastic.client import make_client

        try:
            es = HeldAtCandidates(make_client(load_settings().es), barrier)
            reports.append(flow.process(batch, ctx, es))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            errors.append(exc)

    try:
        batches = flow.plan(ctx)
        assert batches == [0, 1]  # one/ and two/ in batches of their own
        threads = [threading.Thread(target=go, args=(b,)) for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        report = flow.finish(ctx, reports, es_client)
    finally:
        flow.release(ctx, es_client)
    # neither batch saw the other's copies while grouping; the end-of-run reconciliation joined them
    assert not report.counters.get("dedup/answered-in-memory")
    assert report.counters.get("dedup/reconciled", 0) >= 1
    assert report.counters.get("dedup/overlapping-batches", 0) == 1
    docs = fields(es_client, alias)
    assert len(docs) == 8
    assert len({d["duplicate_group"] for d in docs.values()}) == 1
    assert all(d["duplicate_count"] == 8 for d in docs.values())
    assert sum(d["is_canonical"] for d in docs.values()) == 1
    canonical = next(s for s, d in docs.items() if d["is_canonical"])
    assert canonical == "one/a0.html"  # published 2025-03-01, the earliest


@pytest.mark.es
def test_collapsed_search_shows_each_story_once_with_its_count(es_client, alias, tmp_path):
    src = tmp_path / "src"
    syndicate(src, 11, "story")
    write(src, "single.html", page("Council budget", story(12), "2025-03-05T08:00:00Z", "Wire"))
    run(es_client, src, alias, tmp_path)
    flat = search(es_client, "council water", alias=alias, size=20)
    hits = search(es_client, "council water", alias=alias, size=20, collapse=True)
    assert len(flat) == 5
    assert len(hits) == 2
    assert sorted(h.duplicate_count for h in hits) == [1, 4]
    assert len({h.duplicate_group for h in hits}) == 2


@pytest.mark.es
def test_chinese_copies_use_character_shingles(es_client, alias, tmp_path):
    cfg = load_dedup_config()
    text = ("国家气象中心今天发布暴雨预警，预计未来三天南方多地将出现强降雨天气。"
            "有关部门提醒公众注意防范山洪和城市内涝，尽量减少外出。"
            "专家表示，今年汛期来得比往年更早，降雨总量也明显偏多。"
            "各地已经启动应急响应，组织人员对重点区域进行巡查。")
    assert len(shingle_set(text, "zh", cfg)) > 3 * len(shingle_set(text, "en", cfg))  # words would be sentences
    src = tmp_path / "src"
    write(src, "a.html", page("暴雨预警", [text[:34], text[34:62], text[62:91], text[91:]],
                              "2025-06-01T08:00:00Z", "新闻网"))
    write(src, "b.html", page("南方暴雨", [text[:34], text[34:62], text[62:91]], "2025-06-01T09:00:00Z", "日报"))
    write(src, "c.html", page("城市建设", ["市政府今天召开会议，讨论明年城市道路和公园建设计划，参会代表提出了多项建议。",
                                      "会议决定在年底前完成新的地铁线路规划，并向市民公开征求意见。"],
                              "2025-06-01T10:00:00Z", "日报"))
    run(es_client, src, alias, tmp_path)
    docs = fields(es_client, alias)
    assert docs["a.html"]["duplicate_group"] == docs["b.html"]["duplicate_group"]
    assert docs["a.html"]["duplicate_count"] == 2 and docs["c.html"]["duplicate_count"] == 1


def test_containment_rule_and_stable_signatures():
    cfg = load_dedup_config()
    paras = story(21)
    full = shingle_set("\n\n".join(paras), "en", cfg)
    excerpt = shingle_set("\n\n".join(paras[:2]), "en", cfg)
    negative = shingle_set("\n\n".join(story(22)[:3] + [BACKGROUND]), "en", cfg)
    other = shingle_set("\n\n".join(story(23)[:4] + [BACKGROUND]), "en", cfg)
    assert compare(full, excerpt, cfg).duplicate and compare(full, excerpt, cfg).jaccard < 0.5
    assert not compare(negative, other, cfg).duplicate
    sig = signature(full, cfg)
    assert band_keys(sig, cfg) == band_keys(signature(full.copy(), cfg), cfg)
    assert len(band_keys(sig, cfg)) == cfg.bands


def test_unknown_config_key_names_file_and_key(tmp_path):
    path = tmp_path / "dedup.yaml"
    good = (Path(__file__).resolve().parents[2] / "config" / "dedup.yaml").read_text()
    path.write_text(good + "min_containmnet: 0.5\n")
    with pytest.raises(ConfigError, match=r"dedup\.yaml: unknown key 'min_containmnet'"):
        load_dedup_config(path)

    path.write_text(re.sub(r"(?m)^bands: \d+", "bands: 7", good))
    with pytest.raises(ConfigError, match=r"dedup\.yaml: 'bands' must divide 'num_perm'"):
        load_dedup_config(path)


def test_dedup_settings_are_part_of_settings_and_read_once(monkeypatch):
    """One source: ``Settings.dedup`` from config/dedup.yaml, read once per process (never per batch);
    ``ETL_DEDUP_ENABLED`` is applied where every other variable is."""
    import pipeline.config

    settings = load_settings()
    assert settings.dedup == load_dedup_config() and settings.dedup.bands == 32
    reads: list[str] = []
    real = pipeline.config.read_yaml
    monkeypatch.setattr(pipeline.config, "read_yaml", lambda path: reads.append(str(path)) or real(path))
    for word, enabled in (("off", False), ("yes", True), ("0", False)):
        monkeypatch.setenv("ETL_DEDUP_ENABLED", word)
        assert load_settings().dedup.enabled is enabled and load_dedup_config().enabled is enabled
    assert reads == []
    monkeypatch.setenv("ETL_DEDUP_ENABLED", "sometimes")
    with pytest.raises(ConfigError, match="ETL_DEDUP_ENABLED"):
        load_settings()


@pytest.mark.es
def test_shingle_sets_are_kept_apart_from_the_entries_and_an_older_entrys_own_still_read(es_client, alias, tmp_path):
    """The pair check's shingle sets live in ``<alias>-dedup-shingles``, not in the entries that
    runs search, settle and merge; an entry an older release wrote with its set inside is read too."""
    import base64

    src = tmp_path / "src"
    paras = story(11)
    write(src, "a.html", page("Water rules", paras, "2025-03-03T08:00:00Z", "Wire"))
    write(src, "b.html", page("Water rules agreed", paras[:6], "2025-03-03T09:00:00Z", "Daily Post"))
    run(es_client, src, alias, tmp_path)
    a = document_id(src.name, "a.html")
    entry = es_client.get(index=dedup_index(alias), id=a)["_source"]
    assert "shingles" not in entry and entry["band_keys"] and entry["duplicate_count"] == 2
    kept = fetch_shingles(es_client, alias, [a])[a]
    body, language = fetch_bodies(es_client, alias, [a])[a]
    assert np.array_equal(kept, shingle_set(body, language, load_settings().dedup))  # the article's own set

    es_client.delete(index=shingles_index(alias), id=a, refresh=True)
    es_client.update(index=dedup_index(alias), id=a, refresh=True,
                     doc={"shingles": base64.b64encode(kept.astype(np.uint32).tobytes()).decode()})
    assert np.array_equal(fetch_shingles(es_client, alias, [a])[a], kept)


@pytest.mark.es
def test_the_store_keeps_few_segments_and_an_older_store_is_given_the_policy(es_client, alias):
    """The store's merge policy (config/dedup_template.json) is set at creation, and on a store an
    older release created, by the first ``ensure_store`` of a process."""
    from pipeline.elastic.dedup_store import ensure_store
    from pipeline.elastic.indices import _ENSURED

    def policy() -> str | None:
        got = es_client.indices.get_settings(index=dedup_index(alias), name="index.merge.policy.segments_per_tier")
        settings = next(iter(got.body.values()), {}).get("settings", {})  # {} when the index has none
        return settings.get("index", {}).get("merge", {}).get("policy", {}).get("segments_per_tier")

    support = load_settings().support_indices
    ensure_store(es_client, alias, support)
    assert policy() == "4"
    es_client.indices.delete(index=[dedup_index(alias), shingles_index(alias)])
    es_client.indices.create(index=dedup_index(alias))  # as an older release made it: no policy
    _ENSURED.discard((id(es_client), dedup_index(alias)))  # a new process
    assert policy() is None
    ensure_store(es_client, alias, support)
    assert policy() == "4" and es_client.indices.exists(index=shingles_index(alias))
