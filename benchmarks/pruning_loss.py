"""No page loses most of its article text to a pruning rule (issue 25): the clean stage's pruning (class/id
tokens, hidden elements, media blocks; ``pipeline/stages/clean/prune.py``, guards included) measured against
the annotated article text of the shared pages and of trafilatura's evaluation set.

Per page: the article text a reader sees in the page before pruning (the shared pages: the ``articleBody``'s
4-token shingles; the evaluation set: its ``with`` snippets), and how much of it is still in the tree after
the project's pruning. A page *loses* the share that pruning took. Extraction is not involved: what the
extractor leaves out is scored by ``extraction.py`` and ``trafilatura_eval.py``.

    python benchmarks/pruning_loss.py [--worst N]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import extraction, trafilatura_eval  # noqa: E402

MAX_LOSS = 0.5  # the target: no page loses more than half of its article text to pruning
_WS = re.compile(r"\s+")


def _texts(html: str) -> tuple[str, str]:
    """(visible text before pruning, after), whitespace-normalised."""
    from pipeline.stages.clean.html import parse_html, visible_text
    from pipeline.stages.clean.packs import load_packs
    from pipeline.stages.clean.prune import prune, prune_media

    tree = parse_html(html)
    body = tree.find("body") if tree.find("body") is not None else tree
    before = _WS.sub(" ", visible_text(body))
    prune(tree, load_packs().for_language(None).html)
    prune_media(tree.find("body") if tree.find("body") is not None else tree)
    body = tree.find("body") if tree.find("body") is not None else tree
    return before, _WS.sub(" ", visible_text(body))


def shared_losses() -> Iterator[tuple[str, str, float, int]]:
    """(set, page, share lost, article units seen before pruning) for the shared pages."""
    for p in extraction.load_pages():
        before, after = _texts(p.html)
        truth = set(extraction.shingles(p.truth))
        seen = truth & set(extraction.shingles(before))
        kept = seen & set(extraction.shingles(after))
        yield "shared", p.id[:12], (1 - len(kept) / len(seen)) if seen else 0.0, len(seen)


def eval_losses() -> Iterator[tuple[str, str, float, int]]:
    for p in trafilatura_eval.load():
        before, after = _texts(p.html)
        snippets = [_WS.sub(" ", s).strip() for s in p.with_]
        seen = [s for s in snippets if s and s in before]
        kept = [s for s in seen if s in after]
        part = "trafilatura-eval measured-only" if p.held_out else "trafilatura-eval development"
        name = "(measured-only page)" if p.held_out else p.file
        yield part, name, (1 - len(kept) / len(seen)) if seen else 0.0, len(seen)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--worst", type=int, default=5, help="list the N pages that lose most (measured-only: no name)")
    args = ap.parse_args(argv)
    rows = [*shared_losses(), *eval_losses()]
    ok = True
    print("| set | pages | pages losing any article text | pages losing > half | mean share lost |")
    print("|---|---|---|---|---|")
    for part in dict.fromkeys(r[0] for r in rows):
        mine = [r for r in rows if r[0] == part and r[3]]
        over = [r for r in mine if r[2] > MAX_LOSS]
        ok = ok and not over
        mean = sum(r[2] for r in mine) / len(mine) if mine else 0.0
        print(f"| {part} | {len(mine)} | {sum(1 for r in mine if r[2] > 0)} | {len(over)} | {mean:.4f} |")
    print(f"\nworst {args.worst}:")
    for part, name, lost, n in sorted(rows, key=lambda r: -r[2])[: args.worst]:
        print(f"  {part}: {name} lost {lost:.2f} of {n}")
    print(f"\nno page loses more than half of its article text to pruning ... {'met' if ok else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
