"""``settle`` leaves out its confirming re-read only when the store's sequence numbers prove nothing else
wrote (``dedup_groups.settle_proven``), and the end-of-run ``reconcile`` then counts the groups from what it
read and wrote instead of a refresh and a second read (``grouping._unchanged_since``). Checked against what
the re-read (the code before) would find: nothing left to write, the same sizes; and with a write of
another slipped in between, the re-read is made as before."""

from __future__ import annotations

import pytest

from pipeline.config import load_settings
from pipeline.elastic import dedup_groups
from pipeline.elastic import dedup_store as store
from tests.run.test_dedup import run, syndicate


def _left_to_write(es, alias: str, index: str, seeds: set[str], max_size: int) -> tuple[dict, dict]:
    """What the confirming round of the code before would write now: (entries, articles) that differ."""
    store.refresh(es, alias)
    comps = dedup_groups.components(es, alias, seeds, max_size)
    wanted = {d: (c.group, d == c.canonical, len(c.members)) for c in comps for d in c.members}
    entries = {d: (e.get("group"), e.get("is_canonical"), e.get("duplicate_count"))
               for c in comps for d, e in c.members.items()}
    held = dedup_groups.article_fields(es, index, wanted)
    return ({i: w for i, w in wanted.items() if entries[i] != w},
            {i: w for i, w in wanted.items() if i in held and held[i] != w})


def _unsettle(es, alias: str, index: str, ids: list[str]) -> None:
    """The group fields as a batch leaves them (entries: no count; articles: alone)."""
    for i in ids:
        es.update(index=store.dedup_index(alias), id=i, doc={"is_canonical": None, "duplicate_count": None})
        es.update(index=index, id=i, doc={"duplicate_group": i, "is_canonical": True, "duplicate_count": 1})


def _grouped_and_unsettled(es, alias: str, tmp_path, seeds: tuple[int, ...]) -> tuple[str, list[str]]:
    """A run over syndicated stories (one per seed), then its groups unsettled: (articles index, entry ids)."""
    src = tmp_path / "src"
    for seed in seeds:
        syndicate(src, seed, f"story{seed}")
    run(es, src, alias, tmp_path)
    index = next(iter(es.indices.get_alias(name=alias).body))
    ids = sorted(store.entry_ids(es, alias, [h["_id"] for h in es.search(
        index=alias, size=100, source=False)["hits"]["hits"]]))
    _unsettle(es, alias, index, ids)
    return index, ids


@pytest.mark.es
def test_a_proven_settle_leaves_nothing_for_a_re_read(es_client, alias, tmp_path):
    src = tmp_path / "src"
    for seed in (31, 32):
        syndicate(src, seed, f"story{seed}")
    run(es_client, src, alias, tmp_path)
    cfg = load_settings().dedup
    index = next(iter(es_client.indices.get_alias(name=alias).body))
    store.refresh(es_client, alias)
    ids = sorted(store.group_sizes(es_client, alias, store.entry_ids(
        es_client, alias, [h["_id"] for h in es_client.search(index=alias, size=100, source=False)["hits"]["hits"]])))
    _unsettle(es_client, alias, index, ids)
    settled = dedup_groups.settle_proven(es_client, alias, index, set(ids), max_size=cfg.max_group_size)
    assert settled.read_at is not None  # nothing else wrote: proven, no re-read
    assert _left_to_write(es_client, alias, index, set(ids), cfg.max_group_size) == ({}, {})
    sizes = store.group_sizes(es_client, alias, ids)
    assert {d: (c.group, len(c.members)) for c in settled.components for d in c.members} == sizes
    assert sorted(n for _, n in sizes.values()) == [4] * 8


@pytest.mark.es
def test_a_write_of_another_between_read_and_writes_brings_the_re_read_back(es_client, alias, tmp_path, monkeypatch):
    cfg = load_settings().dedup
    index, ids = _grouped_and_unsettled(es_client, alias, tmp_path, (33,))
    real, rounds = dedup_groups._article_fields, []

    def and_another_writer(es, idx, wanted):
        rounds.append(1)
        if len(rounds) == 1:  # another writer's entry edit lands between this round's read and its writes
            # (this round's entry fixes are being written meanwhile: it retries on their version, as writers do)
            es.update(index=store.dedup_index(alias), id=ids[0], doc={"updated_at": store._now()}, retry_on_conflict=5)
        yield from real(es, idx, wanted)

    monkeypatch.setattr(dedup_groups, "_article_fields", and_another_writer)
    settled = dedup_groups.settle_proven(es_client, alias, index, set(ids), max_size=cfg.max_group_size)
    assert len(rounds) == 2  # the re-read came back (and found nothing left to write)
    monkeypatch.setattr(dedup_groups, "_article_fields", real)
    assert _left_to_write(es_client, alias, index, set(ids), cfg.max_group_size) == ({}, {})
    assert settled.read_at is not None and settled.read_at == store.seq_nos(es_client, alias)[1]


@pytest.mark.es
def test_reconcile_counts_as_a_refresh_and_a_re_read_would(es_client, alias, tmp_path, monkeypatch):
    """The run's counters from what settle read and wrote equal those from a fresh read of the store."""
    from pipeline.run import grouping

    src = tmp_path / "src"
    for seed in (34, 35):
        syndicate(src, seed, f"story{seed}")
    fallbacks = []
    real = grouping._unchanged_since
    monkeypatch.setattr(grouping, "_unchanged_since", lambda *a: fallbacks.append(not real(*a)) or not fallbacks[-1])
    report = run(es_client, src, alias, tmp_path)
    assert fallbacks == [False]  # proven: no second read
    store.refresh(es_client, alias)
    sizes = store.group_sizes(es_client, alias, [d.id for d in report.documents])
    grouped = {d: g for d, (g, n) in sizes.items() if n is not None and n > 1}
    assert report.counters["dedup/copies"] == len(grouped) == 8
    assert report.counters["dedup/groups"] == len(set(grouped.values())) == 2


@pytest.mark.es
def test_articles_written_as_their_fields_are_read_and_a_failed_read_ends_every_stream(es_client, alias, tmp_path,
                                                                                        monkeypatch):
    """settle writes an article that differs while it still reads the others' fields (two streams fed as it
    reads); when a read fails, the streams end, what was fed is written and the error comes out, no thread is
    left waiting for more; the next settle mends the rest."""
    import threading

    from pipeline.elastic.client import ClusterUnavailable

    cfg = load_settings().dedup
    index, ids = _grouped_and_unsettled(es_client, alias, tmp_path, (41, 42))
    real = dedup_groups._article_fields

    def fails_after(es, idx, wanted, *, after: int):
        for n, item in enumerate(real(es, idx, wanted)):
            if n == after:
                raise ClusterUnavailable("the node went away mid-read")
            yield item

    monkeypatch.setattr(dedup_groups, "_article_fields", lambda es, idx, wanted: fails_after(es, idx, wanted, after=3))
    outcome: list[BaseException | None] = []

    def settle() -> None:
        try:
            dedup_groups.settle_proven(es_client, alias, index, set(ids), max_size=cfg.max_group_size)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            outcome.append(exc)

    worker = threading.Thread(target=settle, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "settle hung after a failed read"
    assert isinstance(outcome[0], ClusterUnavailable)
    monkeypatch.setattr(dedup_groups, "_article_fields", real)
    held = dedup_groups.article_fields(es_client, index, ids)
    assert sum(1 for i in ids if held[i][2] == 4) == 3  # the three read before the failure were written
    dedup_groups.settle_proven(es_client, alias, index, set(ids), max_size=cfg.max_group_size)
    assert _left_to_write(es_client, alias, index, set(ids), cfg.max_group_size) == ({}, {})
