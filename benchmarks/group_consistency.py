"""Near-duplicate groups under random sequences of runs, against a real Elasticsearch.

Several sources (different ``source_id``) on one alias hold syndicated copies of the same
stories with small edits (a dropped paragraph, a few words changed, a truncation, a line
added). Each sequence starts on a fresh alias and applies random operations:

- ``ingest S``: the source's new and changed files;
- ``refresh S``: ``--full-refresh`` of the source;
- ``edit S``: files of the source removed, edited (a new variant of its story, or of another
  story) or added on disk, then an ingest with ``--sync-deletes``;
- ``reindex``: every source rebuilt into a new index and the alias swapped;
- ``die``: one of those, with the k-th bulk request of the run raising (an exception where a
  crash would stop it: during the load, the grouping's store writes, a settle, the deletes);
- ``kill`` (``--kill-every``): ``python -m pipeline run`` in a real process, SIGKILLed after a
  random delay.

After every operation the articles are read back and checked: every group (``duplicate_group``)
has exactly one canonical copy, every member carries ``duplicate_count`` = the group's size,
each story is in exactly one group and no group holds two stories. The story of an article is
known from its file's bytes (``file_sha256``), which the generator records.

After a run that died, the next run (any source, any kind) repairs what it left half-done
(``pipeline/run/group_recovery.py``); the state right after the death is counted separately
(``after a death``), the target is on every other state.

    python benchmarks/group_consistency.py --sequences 200 [--ops 6] [--seed 1] [--kill-every 0]

Needs ES_URL (or the local node of config/pipeline.yaml).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

VOCABULARY = ("water council farmers city river bridge school teacher budget minister hospital doctor "
              "nurse police court judge village harbour train station airport pilot storm flood winter "
              "summer market price bread coffee factory worker union strike election vote party leader "
              "museum painting festival music concert theatre football match coach player stadium road "
              "traffic bicycle forest fire mountain valley island ferry fisherman boat company profit "
              "bank loan tax report study scientist climate energy solar wind power grid phone network "
              "library book author garden park children family neighbour street shop baker butcher "
              "mayor plan project delay cost money rain drought harvest wheat apple orchard honey bees").split()
LINKS = "the a of and to in on with for after before during while as said reported confirmed".split()


class Injected(Exception):
    """The fault a ``die`` operation injects (what a crash would be at that point)."""


def story_text(story: int, paragraphs: int = 6) -> list[str]:
    rng = random.Random(1000 + story)
    out = []
    for _ in range(paragraphs):
        words = [rng.choice(VOCABULARY) if rng.random() < 0.7 else rng.choice(LINKS) for _ in range(rng.randint(30, 40))]
        out.append(" ".join(words).capitalize() + ".")
    return out


def variant(story: int, rng: random.Random) -> str:
    """A syndicated copy of ``story`` with one or two small edits outlets make."""
    paras = story_text(story)
    for edit in rng.sample(["drop", "words", "truncate", "line", "none"], 2):
        if edit == "drop" and len(paras) > 4:
            paras.pop(rng.randrange(1, len(paras)))
        elif edit == "words":
            i = rng.randrange(len(paras))
            words = paras[i].split()
            for _ in range(3):
                words[rng.randrange(len(words))] = rng.choice(VOCABULARY)
            paras[i] = " ".join(words)
        elif edit == "truncate":
            paras = paras[:max(4, len(paras) - 2)]
        elif edit == "line":
            paras.append(f"Reporting by {rng.choice(['Ana', 'Ben', 'Chen', 'Dara'])} for the {rng.choice(VOCABULARY)} desk.")
    title = f"Story {story}: {' '.join(story_text(story)[0].split()[:6])}"
    return title + "\n\n" + "\n\n".join(paras) + "\n"


@dataclass
class World:
    """The sources on disk and what the generator knows about their files."""

    root: Path
    stories: int
    sources: list[str]
    story_of_sha: dict[str, int] = field(default_factory=dict)
    serial: int = 0

    def folder(self, source: str) -> Path:
        return self.root / source

    def write(self, source: str, rel: str, story: int, rng: random.Random) -> None:
        text = variant(story, rng)
        self.serial += 1
        data = text.encode()
        path = self.folder(source) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.story_of_sha[hashlib.sha256(data).hexdigest()] = story

    def populate(self, rng: random.Random) -> None:
        for source in self.sources:
            self.folder(source).mkdir(parents=True, exist_ok=True)
            for story in range(self.stories):
                if rng.random() < 0.7:
                    self.write(source, f"s{story}_{rng.randrange(10**6)}.txt", story, rng)

    def edit(self, source: str, rng: random.Random) -> str:
        files = sorted(p.name for p in self.folder(source).glob("*.txt"))
        done = []
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(["remove", "edit", "add"]) if files else "add"
            if kind == "remove":
                name = files.pop(rng.randrange(len(files)))
                (self.folder(source) / name).unlink()
            elif kind == "edit":
                name = rng.choice(files)
                self.write(source, name, rng.randrange(self.stories), rng)
            else:
                name = f"s_new_{rng.randrange(10**6)}.txt"
                self.write(source, name, rng.randrange(self.stories), rng)
                files.append(name)
            done.append(f"{kind} {name}")
        return ", ".join(done)


def check(es: Any, alias: str, world: World) -> dict[str, int]:
    """Inconsistencies in the alias now (see the module doc), by kind; ``groups`` = groups seen."""
    if not es.indices.exists(index=alias):  # the first run died before it made the index
        return {"groups": 0, "inconsistent": 0}
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, size=10000, source_includes=[
        "file_sha256", "duplicate_group", "is_canonical", "duplicate_count"])["hits"]["hits"]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for hit in hits:
        groups[hit["_source"].get("duplicate_group")].append(hit["_source"])
    out: Counter[str] = Counter(groups=len(groups))
    story_groups: dict[int, set[str]] = defaultdict(set)
    for group, members in groups.items():
        if sum(1 for m in members if m.get("is_canonical")) != 1:
            out["canonical"] += 1
        if any(m.get("duplicate_count") != len(members) for m in members):
            out["count"] += 1
        stories = {world.story_of_sha.get(m.get("file_sha256", ""), -1) for m in members}
        if len(stories) > 1:
            out["mixed"] += 1
        for story in stories:
            story_groups[story].add(group)
    out["split"] = sum(len(g) - 1 for g in story_groups.values())
    out["inconsistent"] = out["canonical"] + out["count"] + out["mixed"] + out["split"]
    return dict(out)


@contextmanager
def fault_after(k: int) -> Iterator[None]:
    """The ``k``-th bulk request from now raises ``Injected`` (every write of a run goes through one)."""
    import pipeline.elastic.bulk as bulk
    import pipeline.elastic.dedup_store as store
    import pipeline.run.load as load

    real = bulk.send_bulk
    calls = [0]

    def faulty(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == k:
            raise Injected(f"fault injected at bulk request {k}")
        return real(*args, **kwargs)

    patched = [m for m in (bulk, store, load) if getattr(m, "send_bulk", None) is real]
    for module in patched:
        setattr(module, "send_bulk", faulty)
    try:
        yield
    finally:
        for module in patched:
            setattr(module, "send_bulk", real)


class Runner:
    """Runs operations on one alias in this process, the way a DAG runs the steps of a flow."""

    def __init__(self, es: Any, alias: str, world: World, runs: Path, es_url: str | None = None) -> None:
        from pipeline.config import load_settings

        settings = load_settings()
        self.settings = replace(settings, runs_dir=runs, run=replace(settings.run, batch_size=3))
        self.es, self.alias, self.world, self.es_url = es, alias, world, es_url

    def run(self, kind: str, source: str) -> None:
        from pipeline.run.flow import Ingest, Reindex, RunRequest

        flow = Reindex(self.settings) if kind == "reindex" else Ingest(self.settings)
        request = RunRequest(source_dir=str(self.world.folder(source)), index_alias=self.alias, source_id=source,
                             full_refresh=kind == "refresh", sync_deletes=kind == "edit")
        ctx = flow.start(self.es, request, in_process=True)
        try:
            with flow.holding(ctx, self.es):
                reports = (flow.process(batch, ctx, self.es) for batch in flow.plan(ctx))
                flow.finish(ctx, reports, self.es)
        finally:
            flow.release(ctx, self.es, best_effort=True)

    def kill(self, source: str, rng: random.Random) -> None:
        """``python -m pipeline run`` of ``source`` in its own process, SIGKILLed after a random delay."""
        env = {**os.environ, "ES_URL": self.es_url or os.environ.get("ES_URL", ""),
               "ETL_BATCH_SIZE": "3"}
        cmd = [sys.executable, "-m", "pipeline", "run", "--source-dir", str(self.world.folder(source)),
               "--index-alias", self.alias, "--source-id", source, "--full-refresh",
               "--runs-dir", str(self.settings.runs_dir)]
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(3.0, 9.0))  # the interpreter and the rules load in ~3 s: then it works
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def random_op(rng: random.Random, world: World, kill_every: int) -> tuple[str, str, int | None]:
    """``(kind, source, fault)``: ``fault`` = the bulk request that raises (``die``), 0 = a real kill."""
    source = rng.choice(world.sources)
    if kill_every and rng.randrange(kill_every) == 0:
        return "ingest", source, 0
    kind = rng.choices(["ingest", "refresh", "edit", "reindex"], weights=[3, 2, 3, 1])[0]
    fault = rng.randint(1, 12) if rng.random() < 0.3 else None
    return kind, source, fault


def run_sequence(es: Any, alias: str, seed: int, *, ops: int, root: Path, es_url: str | None = None,
                 kill_every: int = 0, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """One random sequence on a fresh ``alias``; the inconsistencies after each operation."""
    rng = random.Random(seed)
    world = World(root / f"seq{seed}", stories=rng.randint(2, 4), sources=[f"src{i}" for i in range(rng.randint(2, 3))])
    world.populate(rng)
    runner = Runner(es, alias, world, root / f"runs{seed}", es_url)
    result: dict[str, Any] = {"ops": 0, "deaths": 0, "inconsistent": 0, "after_death": 0, "states": [], "kinds": Counter()}
    plan = [("ingest", rng.choice(world.sources), None)] + [random_op(rng, world, kill_every) for _ in range(ops - 1)]
    for kind, source, fault in plan:
        what = world.edit(source, rng) if kind == "edit" else ""
        died = False
        if fault == 0:
            runner.kill(source, rng)
            died = True
        else:
            try:
                with fault_after(fault) if fault else _nothing():
                    runner.run(kind, source)
            except Injected:
                died = True
        state = check(es, alias, world)
        result["ops"] += 1
        result["kinds"][("killed " if fault == 0 else "died in " if died else "") + kind] += 1
        if died:
            result["deaths"] += 1
            result["after_death"] += state["inconsistent"]
        else:
            result["inconsistent"] += state["inconsistent"]
        result["states"].append((kind, source, fault, died, what, state))
        log(f"  {'DIED ' if died else ''}{kind} {source}{f' (fault {fault})' if fault else ''} {what}: {state}")
    return result


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def main(argv: list[str] | None = None) -> int:
    from pipeline.config import load_settings
    from pipeline.elastic.client import make_client

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sequences", type=int, default=200)
    parser.add_argument("--ops", type=int, default=5, help="operations per sequence (the first is an ingest)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kill-every", type=int, default=0, help="about one operation in N is a real SIGKILLed process")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.ERROR)
    settings = load_settings()
    from devtools.es_local import ensure_cluster

    url = ensure_cluster(settings)
    es = make_client(replace(settings.es, url=url))
    totals: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    bad_sequences = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="groups-") as tmp:
        for n in range(args.sequences):
            seed = args.seed * 100000 + n
            alias = f"groupcheck-{os.getpid()}-{seed}"
            try:
                result = run_sequence(es, alias, seed, ops=args.ops, root=Path(tmp), es_url=url,
                                      kill_every=args.kill_every, log=print if args.verbose else lambda _: None)
            finally:
                _drop(es, alias)
                shutil.rmtree(Path(tmp) / f"seq{seed}", ignore_errors=True)
            for key in ("ops", "deaths", "inconsistent", "after_death"):
                totals[key] += result[key]
            kinds.update(result["kinds"])
            if result["inconsistent"]:
                bad_sequences.append(seed)
                for state in result["states"]:
                    print(f"  seed {seed}: {state}")
            if (n + 1) % 10 == 0:
                print(f"{n + 1} sequences, {totals['ops']} operations, {totals['inconsistent']} inconsistent "
                      f"groups so far ({time.monotonic() - started:.0f} s)", flush=True)
    print(f"sequences: {args.sequences}  operations: {totals['ops']} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(f"runs that died: {totals['deaths']}  inconsistent groups right after a death: {totals['after_death']}")
    print(f"inconsistent groups after every other operation: {totals['inconsistent']} "
          f"(sequences with one: {len(bad_sequences)}{': ' + ', '.join(map(str, bad_sequences[:10])) if bad_sequences else ''})")
    print(f"time: {time.monotonic() - started:.0f} s")
    return 1 if totals["inconsistent"] else 0


def _drop(es: Any, alias: str) -> None:
    """Every index of the sequence's alias (articles, store, line statistics), its index template
    and its records of sources (a reindex would look for their folders)."""
    from elasticsearch import helpers

    from pipeline.elastic.sources import SOURCES_INDEX

    names = sorted(es.indices.get(index=f"{alias}*", expand_wildcards="all").body)
    if names:
        es.indices.delete(index=",".join(names), ignore_unavailable=True)
    es.options(ignore_status=404).indices.delete_index_template(name=alias)
    if es.indices.exists(index=SOURCES_INDEX):
        ids = [h["_id"] for h in helpers.scan(es, index=SOURCES_INDEX, query={"query": {"term": {"alias": alias}}})]
        for doc_id in ids:
            es.delete(index=SOURCES_INDEX, id=doc_id, refresh=True)


if __name__ == "__main__":
    sys.exit(main())
