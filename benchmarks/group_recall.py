"""What a finished run's near-duplicate groups miss against its own pair rule checked on every pair.

    ES_URL=http://127.0.0.1:9200 python benchmarks/group_recall.py --alias ALIAS [--compare ALIAS2] [--all-pairs]

A run links a document only to store candidates it asked for: its LSH bands and the first
``max_passage_keys`` passage fingerprints (``config/dedup.yaml``), the best ``max_candidates`` of them by
shared keys, and of those only the ones whose shared keys make them ``worth_checking``. That sampling is what
keeps grouping cheap (issue 27); this script says what it costs. It reads every article of ``ALIAS`` (body,
language, date, ``duplicate_group``), fingerprints them again with the pipeline's own code and settings, and
builds the **reference**: the connected components of every pair that passes the pair check itself
(``compare``: the shorter body's shingles contained in the longer's, ``min_containment``), among the pairs
that share at least one key (band or passage fingerprint), or among all pairs with ``--all-pairs``
(quadratic: a few thousand documents). Neither the key thresholds nor the candidate limit apply to it.
``max_group_size`` is not applied either.

Prints the reference's groups against the run's: pair precision and recall of "in the same group", the
documents whose group differs, the reference groups the run split, and for each document the run left alone
although the reference groups it, why: no copy it shares enough keys with to be checked
(``worth_checking``: the sampling's cost), or such a copy that its candidate question did not return (another
document took the place: the ranking's cost; asked now, on the finished store, as a run's batch asks). ``--compare ALIAS2``, a run of the same files into another
alias: the documents whose group differs between the two runs (a run's grouping depends on which stored
documents tie for the last candidate places). Nothing is asserted; ``docs/performance.md`` reads it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

MAX_KEY_OWNERS = 1000  # a key shared by more documents is boilerplate: its pairs are not enumerated


class Components:
    """Union-find over document ids."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.parent = {i: i for i in ids}

    def root(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        self.parent[self.root(a)] = self.root(b)

    def groups(self) -> dict[str, frozenset[str]]:
        members: dict[str, set[str]] = defaultdict(set)
        for i in self.parent:
            members[self.root(i)].add(i)
        return {i: frozenset(members[self.root(i)]) for i in self.parent}


def read_articles(es: Any, alias: str) -> dict[str, dict[str, Any]]:
    from elasticsearch import helpers

    fields = ["source_relpath", "body", "language", "published_at", "duplicate_group"]
    return {h["_id"]: h["_source"] for h in helpers.scan(es, index=alias, query={"query": {"match_all": {}}},
                                                           _source=fields, size=500)}


def candidate_pairs(fps: dict[str, Any], all_pairs: bool) -> Iterable[tuple[str, str]]:
    ids = sorted(fps)
    if all_pairs:
        return ((a, b) for n, a in enumerate(ids) for b in ids[n + 1:])
    owners: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        for key in set(fps[i].band_keys):
            owners[key].append(i)
    pairs: set[tuple[str, str]] = set()
    for held in owners.values():
        if len(held) <= MAX_KEY_OWNERS:
            pairs.update((a, b) for n, a in enumerate(held) for b in held[n + 1:])
    return sorted(pairs)


def reference(fps: dict[str, Any], cfg: Any, all_pairs: bool) -> tuple[dict[str, frozenset[str]], int, int]:
    """(each id's reference group, pairs looked at, pairs checked) -- a pair already in one component is
    not checked again."""
    from pipeline.stages.dedup import compare

    comps = Components(fps)
    looked = checked = 0
    for a, b in candidate_pairs(fps, all_pairs):
        looked += 1
        if comps.root(a) == comps.root(b):
            continue
        sa, sb = fps[a].shingles, fps[b].shingles
        if len(sa) < cfg.min_shingles or len(sb) < cfg.min_shingles:
            continue
        checked += 1
        if compare(sa, sb, cfg).duplicate:
            comps.join(a, b)
    return comps.groups(), looked, checked


def run_groups(articles: dict[str, dict[str, Any]]) -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for i, a in articles.items():
        members[str(a.get("duplicate_group") or i)].add(i)
    return {i: frozenset(members[str(a.get("duplicate_group") or i)]) for i, a in articles.items()}


def pair_scores(got: dict[str, frozenset[str]], want: dict[str, frozenset[str]]) -> tuple[float, float]:
    tp = fp = fn = 0
    for i in want:
        a, b = got[i] - {i}, want[i] - {i}
        tp, fp, fn = tp + len(a & b), fp + len(a - b), fn + len(b - a)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def why_alone(es: Any, alias: str, lone: list[str], want: dict[str, frozenset[str]], fps: dict[str, Any],
              cfg: Any) -> dict[str, list[str]]:
    """The documents the run left alone that the reference groups, by reason (module doc)."""
    from pipeline.run.group_candidates import store_candidates
    from pipeline.stages.dedup import compare, worth_checking

    found = store_candidates(es, alias, [fps[i] for i in lone], cfg, Counter())  # as a run's batch asks
    out: dict[str, list[str]] = defaultdict(list)
    for i in lone:
        mine = fps[i]
        direct = [m for m in want[i] - {i} if compare(mine.shingles, fps[m].shingles, cfg).duplicate]
        worth = [m for m in direct if worth_checking(len(set(mine.lsh_keys) & set(fps[m].lsh_keys)),
                                                     len(set(mine.passage_keys) & set(fps[m].passage_keys)),
                                                     mine.passage_count, fps[m].passage_count, cfg)]
        returned = {h["doc_id"] for h in found.get(i, [])}
        if not direct:
            out["only through others (no copy of its own passes the check)"].append(i)
        elif not worth:
            out["no copy shares enough keys to be checked (the keys' sampling)"].append(i)
        elif not returned & set(worth):
            out["a copy worth checking, not among the candidates returned (the ranking)"].append(i)
        else:
            out["a copy worth checking among the candidates now (store state at its question differed)"].append(i)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--alias", required=True, help="a finished run's alias")
    ap.add_argument("--compare", help="another run of the same files: documents grouped differently")
    ap.add_argument("--all-pairs", action="store_true", help="check every pair, not only those sharing a key")
    ap.add_argument("--show", type=int, default=5, help="documents listed per reason")
    args = ap.parse_args(argv)

    from pipeline.config import load_settings
    from pipeline.elastic.client import make_client
    from pipeline.stages.dedup import GroupingInput, fingerprint

    settings = load_settings()
    cfg = settings.dedup
    es = make_client(settings.es)
    articles = read_articles(es, args.alias)
    if not articles:
        print(f"{args.alias}: no articles", file=sys.stderr)
        return 2
    fps = {i: fingerprint(GroupingInput(i, a.get("body") or "", a.get("language"), a.get("published_at")), cfg)
           for i, a in articles.items()}
    want, looked, checked = reference(fps, cfg, args.all_pairs)
    got = run_groups(articles)
    precision, recall = pair_scores(got, want)

    def sizes(groups: dict[str, frozenset[str]]) -> tuple[int, int]:
        distinct = set(groups.values())
        return sum(1 for g in distinct if len(g) > 1), sum(1 for g in distinct if len(g) == 1)

    print(f"{args.alias}: {len(articles)} articles; reference from {looked} pairs "
          f"({'every pair' if args.all_pairs else 'sharing a key'}), {checked} checked")
    for name, groups in (("reference", want), ("run", got)):
        multi, alone = sizes(groups)
        print(f"  {name:9s} groups of 2 or more {multi:6d}   documents alone {alone:6d}")
    print(f"  pair precision {precision:.4f}  pair recall {recall:.4f}  (same group in the run / in the reference)")
    differ = [i for i in want if got[i] != want[i]]
    split = {g for i, g in want.items() if len(g) > 1 and len({got[m] for m in g}) > 1}
    print(f"  documents whose group differs from the reference {len(differ)}; reference groups split by the run "
          f"{len(split)}")
    lone = sorted(i for i in want if len(got[i]) == 1 and len(want[i]) > 1)
    print(f"  documents alone in the run that the reference groups: {len(lone)}")
    for reason, ids in sorted(why_alone(es, args.alias, lone, want, fps, cfg).items()):
        shown = ", ".join(str(articles[i].get("source_relpath") or i) for i in ids[:args.show])
        print(f"    {len(ids):5d}  {reason}: {shown}")
    if args.compare:
        other = run_groups(read_articles(es, args.compare))
        common = sorted(set(other) & set(got))
        moved = [i for i in common if got[i] != other[i]]
        within = frozenset(common)
        p, r = pair_scores({i: got[i] & within for i in common}, {i: other[i] & within for i in common})
        print(f"  against {args.compare}: {len(moved)} of {len(common)} documents in another group "
              f"(pair precision / recall of {args.alias} against it {p:.4f}/{r:.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
