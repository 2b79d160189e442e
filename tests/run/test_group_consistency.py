"""Near-duplicate groups stay consistent whatever runs in what order, against the real local
Elasticsearch: random sequences of ingests, full refreshes, delete syncs after files were removed
or edited, reindexes and runs that die part-way, over several sources on one alias
(``benchmarks/group_consistency.py`` runs the same sequences by the hundred)."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from collections import Counter

from benchmarks.group_consistency import Injected, Runner, World, check, fault_after, run_sequence
from tests.conftest import SEEDS

# Seeded sequences: ~13 s each on a quiet machine. GROUP_SEQUENCE_SEED varies them (CI keeps 0).
SEQUENCES = 10
FIRST_SEED = int(os.environ.get("GROUP_SEQUENCE_SEED", "0")) * 1000


def test_random_sequences_keep_one_canonical_one_count_and_one_group_per_story(es_client, index_prefix, tmp_path):
    kinds: Counter[str] = Counter()
    failures = []
    for n in range(SEQUENCES):
        seed = FIRST_SEED + n
        lines: list[str] = []
        result = run_sequence(es_client, f"{index_prefix}-s{n}", seed, ops=5, root=tmp_path, log=lines.append)
        kinds.update(result["kinds"])
        if result["inconsistent"]:
            failures.append(f"seed {seed}:\n" + "\n".join(lines))
    assert not failures, "\n".join(failures)
    # the sequences did exercise what the property is about
    assert {"ingest", "refresh", "edit", "reindex"} <= {k.split()[-1] for k in kinds}
    assert sum(v for k, v in kinds.items() if k.startswith("died")) >= 3, kinds


def test_full_refresh_of_copies_keeps_the_groups_they_share_with_another_source(es_client, alias, tmp_path):
    """The case of issue 26: seeds, then a folder of their copies (another source_id), then the
    copies with --full-refresh, then the seeds with --full-refresh: one group per story throughout,
    one canonical, the same count on every member."""
    copies = tmp_path / "copies"
    copies.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        paragraphs = text.split("\n\n")
        (copies / f"{path.stem}_same.txt").write_text(text, encoding="utf-8")
        (copies / f"{path.stem}_cut.txt").write_text("\n\n".join(paragraphs[:-2]), encoding="utf-8")
        (copies / f"{path.stem}_edited.txt").write_text(text.replace(" the ", " a ", 3), encoding="utf-8")
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    world = World(tmp_path, stories=2, sources=["seeds", "copies"])
    for folder in (seeds, copies):  # the story of every file: the seed it was made from
        for path in folder.glob("*.txt"):
            world.story_of_sha[hashlib.sha256(path.read_bytes()).hexdigest()] = 0 if path.name.startswith("000") else 2
    runner = Runner(es_client, alias, world, tmp_path / "runs")
    states = []
    for kind, source in [("ingest", "seeds"), ("ingest", "copies"), ("refresh", "copies"), ("refresh", "seeds")]:
        runner.run(kind, source)
        states.append((kind, source, check(es_client, alias, world)))
    assert all(state["inconsistent"] == 0 and state["groups"] == 2 for _, _, state in states), states
    es_client.indices.refresh(index=alias)
    counts = {h["_source"]["duplicate_count"] for h in es_client.search(
        index=alias, size=20, source_includes=["duplicate_count"])["hits"]["hits"]}
    assert counts == {4}


def test_the_run_after_a_death_repairs_a_group_left_half_written(es_client, alias, tmp_path):
    """A full refresh dies at each of its first bulk requests in turn (the load, the store's
    unlinking and re-linking, the settle): the next run, of the other source, leaves the groups whole."""
    world = World(tmp_path, stories=2, sources=["a", "b"])
    rng = random.Random(4)
    for source in world.sources:
        for story in range(2):
            for k in range(2):
                world.write(source, f"s{story}_{k}.txt", story, rng)
    runner = Runner(es_client, alias, world, tmp_path / "runs")
    runner.run("ingest", "a")
    runner.run("ingest", "b")
    assert check(es_client, alias, world)["inconsistent"] == 0
    died = 0
    for k in range(1, 8):
        try:
            with fault_after(k):
                runner.run("refresh", "a")
        except Injected:
            died += 1
        runner.run("ingest", "b")  # nothing changed in b: the run only repairs
        state = check(es_client, alias, world)
        assert state["inconsistent"] == 0 and state["groups"] == 2, (k, state)
    assert died >= 4
