"""Two checkouts' per-document stages taking turns on the same documents: how far a change moved the cost, and
whether it left the output as it was.

    python benchmarks/stage_ab.py --b OTHER_CHECKOUT [--a CHECKOUT] [--corpus-dir DIR] [--every N] [--limit N]
                                  [--rounds R]

Each checkout (``--a``, default this one; ``--b``, e.g. a ``git worktree`` of the commit to compare) runs in its
own warm process, with its own ``pipeline`` first on ``sys.path``: the stages of a run
(``pipeline.run.batch.document_stages``: extract, clean, language, enrich, places) after the stage worker's
warm-up (``isolated_child.warm_up``). For every ``N``-th file of a throughput corpus (``benchmarks/corpus.py``),
round by round, both processes get the same document, one after the other, the first side alternating, and
each answers the stages' CPU seconds (``time.process_time``) and a hash of the finished document (its
``to_dict()`` without the clock's ``ingested_at``). Taking turns document by document puts both sides in the
same moment of a machine whose speed moves within the hour, so the ratio holds where a figure alone does not.
Each process keeps its memos from round to round (the clean's line answers, the language first pass's answers,
which wire copies make worth keeping): with ``--rounds`` above 1 the later rounds see documents they have seen,
so a change to those memos is measured with ``--rounds 1`` over a corpus, every document once, as a run sees it.

Prints ms a document for each side by format (``html``, ``html.gz``, ``txt``) and over the mix, the ratio
b / a, and how many documents came out different (their ids). ``--b`` the same checkout as ``--a`` gives the
A/A ratio: the noise. Nothing is asserted; ``docs/performance.md`` reads it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from itertools import zip_longest
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.stage_costs import corpus_files, fmt  # noqa: E402

# Run in each checkout's process: reads "path" lines, answers "cpu_seconds hash" lines.
CHILD = r"""
import hashlib, json, sys, time
from pathlib import Path
root = Path(sys.argv[1])
from pipeline.config import load_settings
from pipeline.run.batch import document_stages, new_document
from pipeline.run.isolated_child import warm_up
stages = document_stages(load_settings().run, fingerprint="ab", source_root=root)
warm_up(stages)
print("ready", flush=True)
for line in sys.stdin:
    rel = line.rstrip("\n")
    doc = new_document(root, "ab", rel)
    started = time.process_time()
    for stage in stages:
        doc = stage(doc)
    spent = time.process_time() - started
    record = doc.to_dict()
    record.pop("ingested_at", None)
    digest = hashlib.sha256(json.dumps(record, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()
    print(f"{spent!r} {digest}", flush=True)
"""


class Side:
    """One checkout's warm process."""

    def __init__(self, checkout: Path, root: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        self.checkout = checkout
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root)], cwd=checkout, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        if self.stdout.readline().strip() != "ready":
            raise SystemExit(f"{checkout}: the stages did not start (see above)")

    def run(self, rel: str) -> tuple[float, str]:
        self.stdin.write(rel + "\n")
        self.stdin.flush()
        spent, digest = self.stdout.readline().split()
        return float(spent), digest

    def close(self) -> None:
        self.stdin.close()
        self.proc.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", type=Path, default=REPO, help="a checkout (default: this one)")
    ap.add_argument("--b", type=Path, required=True, help="the checkout compared with it")
    ap.add_argument("--corpus-dir", type=Path, default=Path("/tmp/news-etl-throughput/docs-2000"))
    ap.add_argument("--every", type=int, default=3, help="every N-th file of the corpus")
    ap.add_argument("--limit", type=int, default=None, help="at most this many files")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)

    root = args.corpus_dir.resolve()
    by_kind: dict[str, list[str]] = {}
    for path in corpus_files(root, args.every, None):
        by_kind.setdefault(fmt(path, root), []).append(str(path.relative_to(root)))
    # the kinds in turn, so that a --limit takes some of each
    rels = [rel for group in zip_longest(*by_kind.values()) for rel in group if rel is not None][:args.limit]
    if not rels:
        raise SystemExit(f"{root}: no files (build a corpus with benchmarks/corpus.py)")
    kinds = {rel: rel.split("/")[0] for rel in rels}
    sides = {"a": Side(args.a.resolve(), root), "b": Side(args.b.resolve(), root)}
    spent: dict[str, dict[str, float]] = {"a": {}, "b": {}}
    differ: set[str] = set()
    try:
        for r in range(args.rounds):
            for k, rel in enumerate(rels):
                order = ("a", "b") if (k + r) % 2 == 0 else ("b", "a")
                got = {name: sides[name].run(rel) for name in order}
                for name, (seconds, _) in got.items():
                    spent[name][kinds[rel]] = spent[name].get(kinds[rel], 0.0) + seconds
                if got["a"][1] != got["b"][1]:
                    differ.add(rel)
    finally:
        for side in sides.values():
            side.close()
    count = Counter(kinds.values())
    print(f"a: {args.a.resolve()}\nb: {args.b.resolve()}\n{len(rels)} documents of {root} (every {args.every}), "
          f"{args.rounds} rounds, ms a document of the stages' CPU")
    for kind in sorted(count):
        a, b = (1000 * spent[s].get(kind, 0.0) / (count[kind] * args.rounds) for s in ("a", "b"))
        print(f"  {kind:8s} {count[kind]:5d} docs   a {a:7.2f}   b {b:7.2f}   b / a {b / a:.3f}")
    a_all, b_all = (1000 * sum(spent[s].values()) / (len(rels) * args.rounds) for s in ("a", "b"))
    print(f"  {'all':8s} {len(rels):5d} docs   a {a_all:7.2f}   b {b_all:7.2f}   b / a {b_all / a_all:.3f}")
    print(f"documents whose output differs: {len(differ)} of {len(rels)}"
          + (f" (e.g. {json.dumps(sorted(differ)[:5])})" if differ else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
