"""Pages from the wild: the clean stage (HTML mode) vs trafilatura 2.3.1 on trafilatura's own evaluation set.

Reads ``<repo>/../shared/benchmarks/trafilatura-eval`` (never copied into the repo; ``--data DIR``):
990 pages with ``with`` / ``without`` snippets and, on some, the author and the date a reader sees.
Both systems run page by page in the same process on the same HTML, without the page URL.

Scoring as trafilatura's ``tests/eval_common.py`` does it (see the data's README): per page each
``with`` snippet found in the output (whitespace-normalised substring) is a true positive, else a false
negative; each ``without`` snippet found is a false positive, else a true negative; precision, recall
and F1 over all snippet counts. Author: a hit when the normalised gold and output contain one another
(any of several output authors). Date: a hit when the output's ``YYYY-MM-DD`` equals the gold's, over the
pages whose gold date parses.

Split: ``md5(url)`` decides, once and for all, whether a page is in the development part (rules may be
written from what goes wrong there; ``--show`` lists only those pages) or the measured-only part
(``HELD_OUT_SHARE``; figures only, printed on their own line, never inspected).

    python benchmarks/trafilatura_eval.py [--data DIR] [--limit N] [--show snippets|authors|dates]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "benchmarks" / "trafilatura-eval"


def _default_data() -> Path:
    """``../shared`` beside the checkout; from a git worktree, beside the main checkout."""
    if DEFAULT_DATA.is_dir():
        return DEFAULT_DATA
    git = REPO_ROOT / ".git"
    if git.is_file():  # a worktree: "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(git.read_text(encoding="utf-8").split(":", 1)[1].strip())
        alt = gitdir.parent.parent.parent.parent / "shared" / "benchmarks" / "trafilatura-eval"
        if alt.is_dir():
            return alt
    return DEFAULT_DATA
HELD_OUT_SHARE = 3  # of 10 hash buckets: the measured-only part (~30 %)
TARGET_F1 = 0.935
TARGET_AUTHORS = 370
TARGET_DATES = 650
_WS = re.compile(r"\s+")


@dataclass
class EvalPage:
    url: str
    file: str
    html: str
    with_: list[str]
    without: list[str]
    author: str | list[str] | None
    date: str | None  # YYYY-MM-DD, or None when the page has none / it does not parse

    @property
    def held_out(self) -> bool:
        return int(hashlib.md5(self.url.encode("utf-8")).hexdigest(), 16) % 10 < HELD_OUT_SHARE


@dataclass
class Output:
    text: str
    authors: list[str]
    date: str | None


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    author_pages: int = 0
    author_hits: int = 0
    date_pages: int = 0
    date_hits: int = 0
    pages: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Tally) -> None:
        for k in ("tp", "fn", "fp", "tn", "author_pages", "author_hits", "date_pages", "date_hits", "pages"):
            setattr(self, k, getattr(self, k) + getattr(other, k))


def _gold_date(v: object) -> str | None:
    m = re.match(r"((?:19|20)\d\d)-(\d\d)-(\d\d)", str(v or "").strip())
    return f"{m[1]}-{m[2]}-{m[3]}" if m else None


def load(data: Path | None = None, limit: int | None = None) -> list[EvalPage]:
    path = data or _default_data()
    truth = json.loads((path / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, t in sorted(truth.items()):
        f = path / "pages" / f"{t['file']}.gz"
        if not f.is_file():
            continue
        raw = gzip.open(f, "rb").read()
        html = raw.decode("utf-8", errors="replace")
        pages.append(EvalPage(url, t["file"], html, list(t.get("with") or []), list(t.get("without") or []),
                              (t.get("author") or None), _gold_date(t.get("date"))))
        if limit and len(pages) >= limit:
            break
    return pages


# ------------------------------------------------------------------------------------------ systems
def ours(html: str, packs: object = None) -> Output:
    from pipeline.stages.clean import clean_html_string

    res = clean_html_string(html, packs)  # type: ignore[arg-type]
    authors = list(res.metadata.get("authors") or ([res.author] if res.author else []))
    return Output(res.body, authors, (res.published_at or "")[:10] or None)


@functools.lru_cache(maxsize=1)
def standfirst_packs() -> object:
    """The project's cleaning packs with ``html.standfirst_in_body: true`` (a copy in a temporary folder):
    the other convention for the block between headline and body, measured beside the default."""
    import tempfile

    from pipeline.stages.clean.packs import PACK_DIR, RulePacks

    tmp = Path(tempfile.mkdtemp(prefix="standfirst-packs-"))
    for f in PACK_DIR.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.stem == "common":
            text, n = re.subn(r"(?m)^(\s*standfirst_in_body:)\s*false\b", r"\1 true", text)
            assert n == 1, "common.yaml: html.standfirst_in_body not found"
        (tmp / f.name).write_text(text, encoding="utf-8")
    return RulePacks(tmp)


def ours_standfirst(html: str) -> Output:
    return ours(html, standfirst_packs())


def trafilatura_system(html: str) -> Output:
    """trafilatura 2.3.1 as its evaluation runs it: ``extract`` with fallbacks, no comments; its metadata."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    if doc is None:
        return Output("", [], None)
    author = getattr(doc, "author", None) or ""
    authors = [a.strip() for a in author.split(";") if a.strip()]
    return Output(getattr(doc, "text", None) or "", authors, (getattr(doc, "date", None) or "")[:10] or None)


SYSTEMS: dict[str, Callable[[str], Output]] = {"ours": ours, "trafilatura": trafilatura_system}
OPTIONAL: dict[str, Callable[[str], Output]] = {"ours, standfirst in body": ours_standfirst}


# ------------------------------------------------------------------------------------------ scoring
def norm_author(name: str) -> str:
    s = unicodedata.normalize("NFKD", name.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return _WS.sub(" ", re.sub(r"[\W_]+", " ", s)).strip()


def author_hit(found: list[str], gold: str | list[str]) -> bool:
    """Gold and output contain one another (a gold list: any of its names)."""
    golds = [norm_author(g) for g in ([gold] if isinstance(gold, str) else gold)]
    joined = norm_author(" ; ".join(found))
    if not joined:
        return False
    return any(g and (g in joined or any(norm_author(a) and norm_author(a) in g for a in found)) for g in golds)


def score_page(page: EvalPage, out: Output) -> Tally:
    t = Tally(pages=1)
    text = _WS.sub(" ", out.text or "")
    for s in page.with_:
        if _WS.sub(" ", s).strip() in text:
            t.tp += 1
        else:
            t.fn += 1
            t.misses.append(f"missing: {s[:80]!r}")
    for s in page.without:
        if _WS.sub(" ", s).strip() in text:
            t.fp += 1
            t.misses.append(f"unwanted: {s[:80]!r}")
        else:
            t.tn += 1
    if page.author:
        t.author_pages = 1
        t.author_hits = int(author_hit(out.authors, page.author))
    if page.date:
        t.date_pages = 1
        t.date_hits = int(out.date == page.date)
    return t


def run(pages: list[EvalPage], show: str | None = None,
        systems: dict[str, Callable[[str], Output]] | None = None) -> dict[str, dict[str, Tally]]:
    """{system: {"all" | "development" | "measured-only": Tally}}; ``show`` prints development pages only."""
    systems = systems or SYSTEMS
    out: dict[str, dict[str, Tally]] = {s: {k: Tally() for k in ("all", "development", "measured-only")}
                                        for s in systems}
    for p in pages:
        part = "measured-only" if p.held_out else "development"
        per: dict[str, tuple[Tally, Output]] = {}
        for name, fn in systems.items():
            try:
                o = fn(p.html)
            except Exception as exc:  # noqa: BLE001 - a system failing on a page scores as "nothing found"
                o = Output("", [], None)
                print(f"# {name} failed on {p.file}: {exc!r}", file=sys.stderr)
            t = score_page(p, o)
            per[name] = (t, o)
            out[name]["all"].add(t)
            out[name][part].add(t)
        if show and part == "development":
            _show(p, per, show)
    return out


def _show(p: EvalPage, per: dict[str, tuple[Tally, Output]], what: str) -> None:
    (to, oo), (tt, ot) = per["ours"], per["trafilatura"]
    if what == "snippets" and (to.fn + to.fp) > (tt.fn + tt.fp):
        print(f"- {p.file} ours {to.misses} | trafilatura {tt.misses}")
    elif what == "authors" and p.author and not to.author_hits:
        print(f"- {p.file} gold {p.author!r} ours {oo.authors[:3]} trafilatura {ot.authors[:3]}")
    elif what == "dates" and p.date and not to.date_hits:
        print(f"- {p.file} gold {p.date} ours {oo.date} trafilatura {ot.date}")


def report(res: dict[str, dict[str, Tally]]) -> list[str]:
    lines = []
    for part in ("all", "development", "measured-only"):
        o, t = res["ours"][part], res["trafilatura"][part]
        lines.append(f"\n## {part} ({o.pages} pages)")
        lines.append("| system | snippet F1 | precision | recall | authors found | dates found |")
        lines.append("|---|---|---|---|---|---|")
        for name, s in res.items():
            x = s[part]
            lines.append(f"| {name} | {x.f1:.3f} | {x.precision:.3f} | {x.recall:.3f} | "
                         f"{x.author_hits}/{x.author_pages} | {x.date_hits}/{x.date_pages} |")
    o, t = res["ours"]["all"], res["trafilatura"]["all"]
    h, ht = res["ours"]["measured-only"], res["trafilatura"]["measured-only"]
    lines.append("\n## targets")
    for what, a, b, target, fmt in (("snippet F1", o.f1, t.f1, TARGET_F1, "{:.3f}"),
                                    ("authors found", o.author_hits, t.author_hits, TARGET_AUTHORS, "{}"),
                                    ("dates found", o.date_hits, t.date_hits, TARGET_DATES, "{}")):
        ok = a >= target and a >= b
        lines.append(f"whole set: {what} {fmt.format(a)} >= {fmt.format(target)} and >= trafilatura "
                     f"{fmt.format(b)} ... {'met' if ok else 'NOT MET'}")
    lines.append(f"MEASURED-ONLY PART ({h.pages} pages): snippet F1 {h.f1:.3f} vs trafilatura {ht.f1:.3f}; "
                 f"authors {h.author_hits}/{h.author_pages} vs {ht.author_hits}; dates {h.date_hits}/{h.date_pages} "
                 f"vs {ht.date_hits} ... "
                 f"{'met' if (h.f1 >= ht.f1 and h.author_hits >= ht.author_hits and h.date_hits >= ht.date_hits) else 'NOT MET'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--show", choices=["snippets", "authors", "dates"],
                    help="list the development pages where ours misses (snippets: does worse than trafilatura)")
    ap.add_argument("--standfirst-in-body", action="store_true",
                    help="also score ours with html.standfirst_in_body on (snippet figures; a row of its own)")
    args = ap.parse_args(argv)
    pages = load(args.data, args.limit)
    systems = {**SYSTEMS, **(OPTIONAL if args.standfirst_in_body else {})}
    print("\n".join(report(run(pages, args.show, systems))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
