"""Metadata benchmark: author and published date, the project vs trafilatura's own metadata extraction.

Two hand-annotated sets (truth written from what a reader sees on the page, not from any extractor):

* ``benchmarks/data/metadata-truth.json``: author and date of pages of the shared article-extraction set;
* ``benchmarks/data/metadata-pages/``: pages in other languages written for this benchmark (various markup
  styles: meta only, JSON-LD, byline div, text-only byline, URL date, none) with ``truth.json``.

Per set and system: author found / correct (of pages that name one), date found / correct (of pages that
show one), and wrong guesses on pages that show none. Neither system gets the page URL (the pipeline reads
files). Also the clean-time ratio of the full cleaner vs the cleaner with structured metadata only, page by
page in the same process. Used by ``benchmarks/extraction.py`` (section "metadata").
"""

from __future__ import annotations

import gzip
import json
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
TRUTH_SHARED = DATA / "metadata-truth.json"
PAGES_DIR = DATA / "metadata-pages"
TARGET_TIME_RATIO = 1.05


@dataclass
class MetaPage:
    id: str
    html: str
    author: str | None  # names separated by "; "
    date: str | None  # YYYY-MM-DD


@dataclass
class MetaScore:
    author_pages: int = 0
    author_found: int = 0
    author_correct: int = 0
    author_spurious: int = 0  # a name on a page that shows none
    date_pages: int = 0
    date_found: int = 0
    date_correct: int = 0
    date_spurious: int = 0


def load_shared(data: Path) -> list[MetaPage]:
    truth = json.loads(TRUTH_SHARED.read_text(encoding="utf-8"))["pages"]
    out = []
    for pid, t in sorted(truth.items()):
        f = data / "html" / f"{pid}.html.gz"
        if f.is_file():
            with gzip.open(f, "rt", encoding="utf-8", errors="replace") as fh:
                out.append(MetaPage(pid, fh.read(), t.get("author"), t.get("date")))
    return out


def load_written() -> list[MetaPage]:
    truth = json.loads((PAGES_DIR / "truth.json").read_text(encoding="utf-8"))["pages"]
    return [MetaPage(pid, (PAGES_DIR / pid).read_text(encoding="utf-8"), t.get("author"), t.get("date"))
            for pid, t in sorted(truth.items())]


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", name.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", s).strip()


def author_matches(pred: str | None, truth: str | None) -> bool:
    if not pred or not truth:
        return False
    p = _norm(pred)
    for t in (_norm(x) for x in truth.split(";")):
        if t and (t == p or (len(t) >= 4 and t in p) or (len(p) >= 4 and p in t and len(p.split()) >= len(t.split()) - 1)):
            return True
    return False


def ours(html: str) -> tuple[str | None, str | None]:
    from pipeline.stages.clean.html import extract_metadata, parse_html

    md = extract_metadata(parse_html(html))
    authors = md.get("authors") or [None]
    return authors[0], md.get("published_at")


def trafilatura_meta(html: str) -> tuple[str | None, str | None]:
    import trafilatura

    m = trafilatura.extract_metadata(html)
    return (m.author, m.date) if m is not None else (None, None)


SYSTEMS: dict[str, Callable[[str], tuple[str | None, str | None]]] = {"ours": ours, "trafilatura": trafilatura_meta}


def score(pages: list[MetaPage], fn: Callable[[str], tuple[str | None, str | None]]) -> MetaScore:
    s = MetaScore()
    for p in pages:
        try:
            author, date = fn(p.html)
        except Exception:  # noqa: BLE001 - a system failing on a page scores as "nothing found"
            author, date = None, None
        if p.author:
            s.author_pages += 1
            s.author_found += bool(author)
            s.author_correct += author_matches(author, p.author)
        elif author:
            s.author_spurious += 1
        if p.date:
            s.date_pages += 1
            s.date_found += bool(date)
            s.date_correct += bool(date) and str(date)[:10] == p.date
        elif date:
            s.date_spurious += 1
    return s


def clean_time_ratio(htmls: list[str]) -> tuple[float, float, float]:
    """(full seconds, structured-only seconds, ratio) of HTML cleaning, interleaved page by page, after one
    untimed pass over the pages with the fallbacks on: their imports and tables (htmldate, the local-date
    month tables of each language, the packs) load on first use, once per process, and a worker cleans
    thousands of pages after that. Before this warm-up the ratio read 1.17-1.20, most of it first use."""
    import pipeline.stages.clean.html as H
    from pipeline.stages.clean import clean_html_string
    from pipeline.stages.clean.metadata import extract_metadata, structured_metadata

    for h in htmls:
        try:
            clean_html_string(h)
        except Exception:  # noqa: BLE001
            pass
    full = base = 0.0
    for i, h in enumerate(htmls):
        for variant in ((0, 1) if i % 2 else (1, 0)):  # alternate the order so drift hits both alike
            H.extract_metadata = extract_metadata if variant else structured_metadata  # type: ignore[assignment]
            t0 = time.perf_counter()
            try:
                clean_html_string(h)
            except Exception:  # noqa: BLE001
                pass
            dt = time.perf_counter() - t0
            if variant:
                full += dt
            else:
                base += dt
    H.extract_metadata = extract_metadata  # type: ignore[assignment]
    return full, base, (full / base if base else float("inf"))


def report(data: Path, all_htmls: list[str] | None = None) -> list[str]:
    """The metadata section's lines (markdown tables + target lines)."""
    lines: list[str] = []
    sets: dict[str, list[MetaPage]] = {}
    if TRUTH_SHARED.is_file():
        sets["shared pages (annotated)"] = load_shared(data)
    if (PAGES_DIR / "truth.json").is_file():
        sets["written pages, other languages"] = load_written()
    results: dict[str, dict[str, MetaScore]] = {}
    for name, pages in sets.items():
        results[name] = {sysname: score(pages, fn) for sysname, fn in SYSTEMS.items()}
        lines.append(f"\n## metadata: {name} ({len(pages)} pages)")
        lines.append("| system | author found | author correct | author wrong-on-none | date found | date correct | date wrong-on-none |")
        lines.append("|---|---|---|---|---|---|---|")
        for sysname, s in results[name].items():
            lines.append(f"| {sysname} | {s.author_found}/{s.author_pages} | {s.author_correct}/{s.author_pages} | "
                         f"{s.author_spurious} | {s.date_found}/{s.date_pages} | {s.date_correct}/{s.date_pages} | "
                         f"{s.date_spurious} |")
    lines.append("\n## metadata targets")
    for name, res in results.items():
        o, t = res["ours"], res["trafilatura"]
        for what, a, b in (("author found", o.author_found, t.author_found),
                           ("author correct", o.author_correct, t.author_correct),
                           ("date found", o.date_found, t.date_found),
                           ("date correct", o.date_correct, t.date_correct)):
            lines.append(f"{name}: {what} {a} >= trafilatura {b} ... {'met' if a >= b else 'NOT MET'}")
    if all_htmls:
        full, base, ratio = clean_time_ratio(all_htmls)
        n = len(all_htmls)
        lines.append(f"HTML clean time/page with metadata fallbacks {full / n * 1000:.1f} ms = {ratio:.3f} x "
                     f"structured-only ({base / n * 1000:.1f} ms) <= {TARGET_TIME_RATIO} x ... "
                     f"{'met' if ratio <= TARGET_TIME_RATIO else 'NOT MET'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.extraction import find_data, load_pages

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data")
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args(argv)
    data = find_data(args.data)
    htmls = None if args.no_timing else [p.html for p in load_pages(data)]
    print("\n".join(report(data, htmls)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
