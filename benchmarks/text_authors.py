"""Text-mode authors on real page dumps: precision and recall of ``clean_text``'s author on the visible
text (BeautifulSoup ``get_text("\\n")``, menus and footers included) of trafilatura's evaluation pages.

The pages, their annotations and the development / measured-only split are those of
:mod:`benchmarks.trafilatura_eval` (``md5(url)``, ``HELD_OUT_SHARE`` of 10 buckets measured-only; rules are
written from development failures only, ``--show`` lists development pages only). Per part, a page is:

* ``right``: annotated with a non-empty author (a name or a list of names) and ours matches it
  (``trafilatura_eval.author_hit``, that benchmark's own match: folded, one contains the other, any of
  the annotated names);
* ``false``: annotated with a non-empty author and ours is a different one, or annotated as empty (``""``,
  the page shows no author) and ours gives one;
* ``missed``: annotated with a non-empty author, ours none;
* ``unknown``: not annotated, ours gives one (not scored).

precision = right / (right + false); recall = right / annotated (non-empty).

A second set: the shared article-extraction pages. Their ``ground-truth.json`` carries no author
(``articleBody`` and ``url`` only); the author truth written by hand for :mod:`benchmarks.metadata`
(``benchmarks/data/metadata-truth.json``, 65 of the pages; a page showing no byline counts as annotated
empty) is used instead, all of it as one part (not used to write rules).

    python benchmarks/text_authors.py [--data DIR] [--limit N] [--show false|missed|unknown]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import trafilatura_eval as te  # noqa: E402

SHARED_TRUTH = REPO_ROOT.parent / "shared" / "benchmarks" / "article-extraction" / "ground-truth.json"


@dataclass
class Part:
    right: int = 0
    false: int = 0
    missed: int = 0
    unknown: int = 0
    annotated: int = 0
    pages: int = 0
    shown: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.false) if self.right + self.false else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.annotated if self.annotated else 0.0

    def line(self, name: str) -> str:
        return (f"{name:14} pages {self.pages:4}  annotated {self.annotated:4}  right {self.right:3}  "
                f"false {self.false:3}  missed {self.missed:3}  unknown {self.unknown:3}  "
                f"precision {self.precision:.3f}  recall {self.recall:.3f}")


def dump(html: str) -> str:
    import warnings

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)  # a few eval pages are XHTML

    return BeautifulSoup(html, "lxml").get_text("\n")


def score(author: str | None, gold: object, part: Part) -> str | None:
    """Counts one page; the outcome's name (None when not counted)."""
    part.pages += 1
    annotated = gold is not None and gold != "" and gold != []
    if annotated:
        part.annotated += 1
    if gold is None:
        if author:
            part.unknown += 1
            return "unknown"
        return None
    if not annotated:
        if author:
            part.false += 1
            return "false"
        return None
    if not author:
        part.missed += 1
        return "missed"
    if te.author_hit([author], gold):  # type: ignore[arg-type]
        part.right += 1
        return "right"
    part.false += 1
    return "false"


def run(data: Path | None, limit: int | None, show: str | None) -> dict[str, Part]:
    from pipeline.stages.clean import load_packs
    from pipeline.stages.clean.text import clean_text

    packs = load_packs()
    path = data or te._default_data()
    raw = json.loads((path / "evaldata.json").read_text(encoding="utf-8"))  # "" kept (load() folds it to None)
    parts = {"development": Part(), "measured-only": Part()}
    for p in te.load(data, limit):
        gold = raw.get(p.url, {}).get("author")
        res = clean_text(dump(p.html), packs)
        part = "measured-only" if p.held_out else "development"
        outcome = score(res.author, gold, parts[part])
        if show and outcome == show and part == "development":
            parts[part].shown.append(f"{p.file}\tours={res.author!r}\tgold={gold!r}")
    return parts


def shared_set(data: Path | None = None) -> str:
    """The shared article-extraction pages: their ``ground-truth.json`` has no author; the hand-written
    author truth of :mod:`benchmarks.metadata` (``benchmarks/data/metadata-truth.json``, names separated
    by ``"; "``, null where the page shows no byline) covers some of them: scored as one part."""
    from benchmarks import metadata as md
    from pipeline.stages.clean import load_packs
    from pipeline.stages.clean.text import clean_text

    truth_dir = data or SHARED_TRUTH.parent
    keys: set[str] = set()
    if (truth_dir / "ground-truth.json").is_file():
        truth = json.loads((truth_dir / "ground-truth.json").read_text(encoding="utf-8"))
        keys = {k for v in truth.values() if isinstance(v, dict) for k in v}
    packs = load_packs()
    part = Part()
    for page in md.load_shared(truth_dir):
        gold: object = [n.strip() for n in page.author.split(";") if n.strip()] if page.author else ""
        score(clean_text(dump(page.html), packs).author, gold, part)
    return (f"ground-truth.json fields {sorted(keys)} (no author); metadata-truth.json authors:\n"
            + part.line("shared"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--show", choices=("false", "missed", "unknown", "right"), default=None,
                    help="list development pages with this outcome")
    a = ap.parse_args(argv)
    parts = run(a.data, a.limit, a.show)
    for name, part in parts.items():
        for s in part.shown:
            print(s)
    for name, part in parts.items():
        print(part.line(name))
    print(shared_set())
    return 0


if __name__ == "__main__":
    sys.exit(main())
