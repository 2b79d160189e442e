"""Per-source learned line statistics (issue 24, part 3): the pure part.

Lines and line *openings* that recur across many documents of one source are that source's
boilerplate or labels, whatever their language: a share bar or a newsletter pitch repeated under
every article, a caption label (``Archivbild:``, ``【写真】``) that no lexicon lists. This is the
repeated-line idea of CCNet / datatrove's line deduplication, applied per source.

Here: what a document contributes (:func:`count_lines`: its openings and short lines, each once),
the statistics of one source (:class:`SourceStats`, mergeable, plain dicts so any store can keep
them), and the decision from given statistics (:func:`mark_learned`). Counting and deciding take the
statistics as an argument; storing them (Elasticsearch, shared by every worker and later run) belongs
to ``pipeline/elastic/line_stats.py``. A source with fewer than ``learned_min_documents`` documents
counted (config/cleaning/common.yaml) decides nothing: its first small batch falls back to the packs
and the language-free signals.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.stages.clean.lines import Line, is_prose, split_lines
from pipeline.stages.clean.rules import TextRules

LEAD_CHARS = 200  # a longer prose paragraph is never a learned caption (a wire lead "(AGENCY) - ...")
SHORT_LINE = 80  # whole lines up to this long are counted (share bars, footers, pitches)
MAX_VARIANTS = 8  # distinct continuations kept per opening (the smallest hashes: merging is order-free)
VARIANT_WORDS, VARIANT_CHARS = 3, 8  # what follows an opening, told apart (see variant_of)
# "<label>: …", "<label>：…", "<label>=…", "<label> | …", "[<label>] …", "【<label>】…": up to 3 words
OPENING = re.compile(r"^(?:[\[(【（「〔<《]\s*(?P<b>[^\])】）」〕>》]{1,20}?)\s*[\])】）」〕>》]"
                     r"|(?P<w>[^\s:：=＝|｜\[\](){}]{1,20}(?:\s[^\s:：=＝|｜\[\](){}]{1,20}){0,2})\s*[:：=＝|｜])\s*\S")
_NORM = re.compile(r"\s+")


def opening_of(t: str) -> str | None:
    m = OPENING.match(t)
    if not m:
        return None
    return _NORM.sub(" ", (m.group("b") or m.group("w") or "").casefold()).strip() or None


def line_key(t: str) -> str | None:
    return _NORM.sub(" ", t.casefold()).strip() if len(t) <= SHORT_LINE else None


def variant_of(t: str) -> str:
    """A short hash of what follows a line's opening (its first ``VARIANT_WORDS`` words, or the first
    ``VARIANT_CHARS`` characters in scripts without spaces): after a label the text changes from line
    to line; a paragraph that recurs across the source (whole or cut at another length) starts the
    same way every time."""
    return _variant(t, OPENING.match(t))


def _variant(t: str, m: re.Match[str] | None) -> str:
    """``variant_of(t)`` given ``OPENING.match(t)``."""
    rest = _NORM.sub(" ", t[m.end() - 1:].casefold()).strip() if m else ""
    words = rest.split(" ")
    head = " ".join(words[:VARIANT_WORDS]) if len(words) > VARIANT_WORDS else rest[:VARIANT_CHARS]
    return hashlib.blake2b(head.encode(), digest_size=5).hexdigest()


def _keep_variants(a: list[str], b: list[str] | set[str]) -> list[str]:
    return sorted(set(a) | set(b))[:MAX_VARIANTS]


@dataclass
class SourceStats:
    documents: int = 0
    openings: Counter = field(default_factory=Counter)  # opening -> documents it opens a line of
    lines: Counter = field(default_factory=Counter)  # short line -> documents it appears in
    # opening -> hashes of the distinct continuations of the lines it opens (up to MAX_VARIANTS): a label opens many
    # different lines; a paragraph that recurs whole across the source opens the same one every time
    variants: dict = field(default_factory=dict)

    def add(self, text: str) -> None:
        self.add_lines([ln.text for ln in split_lines(text)])

    def add_lines(self, texts: Iterable[str]) -> None:
        """``add`` of the document whose ``split_lines`` texts these are (``clean_text`` has them already)."""
        openings, lines = count_lines(texts)
        self.documents += 1
        self.openings.update(openings.keys())
        self.lines.update(lines)
        for o, hashes in openings.items():
            self.variants[o] = _keep_variants(self.variants.get(o, []), hashes)

    def merge(self, other: SourceStats) -> None:
        self.documents += other.documents
        self.openings.update(other.openings)
        self.lines.update(other.lines)
        for o, hashes in other.variants.items():
            self.variants[o] = _keep_variants(self.variants.get(o, []), hashes)

    def recurring(self, count: int, r: TextRules) -> bool:
        """``count`` documents of this source is enough to call a line or opening recurring (thresholds:
        ``learned_min_*`` of config/cleaning/common.yaml)."""
        return (self.documents >= r.learned_min_documents
                and count >= max(r.learned_min_count, r.learned_min_share * self.documents))

    def to_dict(self) -> dict:
        return {"documents": self.documents, "openings": dict(self.openings), "lines": dict(self.lines),
                "variants": {o: list(v) for o, v in self.variants.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> SourceStats:
        return cls(int(d.get("documents", 0)), Counter(d.get("openings") or {}), Counter(d.get("lines") or {}),
                   {o: list(v) for o, v in (d.get("variants") or {}).items()})

    def label_like(self, opening: str, r: TextRules) -> bool:
        """``opening`` recurs across the source *and* opens different lines (a label, not a paragraph
        that recurs whole: a quoted passage, a date-led notice repeated in several articles)."""
        return (self.recurring(self.openings.get(opening, 0), r)
                and len(self.variants.get(opening, ())) >= r.learned_min_count)


def count_lines(texts: Iterable[str]) -> tuple[dict[str, set[str]], set[str]]:
    """The openings (each with the hashes of the lines it opens) and short lines of the document whose
    ``split_lines`` texts these are, each once (counts are of documents): ``opening_of``, ``variant_of`` and
    ``line_key`` of each line, the opening matched once for both of the first two."""
    openings: dict[str, set[str]] = {}
    lines: set[str] = set()
    for t in texts:
        m = OPENING.match(t)
        if m:
            o = _NORM.sub(" ", (m.group("b") or m.group("w") or "").casefold()).strip()
            if o:
                openings.setdefault(o, set()).add(_variant(t, m))
        if len(t) <= SHORT_LINE:
            k = _NORM.sub(" ", t.casefold()).strip()
            if k:
                lines.add(k)
    return openings, lines


def mark_learned(lines: list[Line], stats: SourceStats | None, r: TextRules, signals: Counter) -> None:
    """Lines whose opening recurs across the source, opening different lines, are captions (short,
    at most two sentences, not a long prose paragraph);
    short non-prose lines that recur across the source are boilerplate. Counted per signal."""
    if stats is None or stats.documents < r.learned_min_documents:
        return
    for ln in lines:
        if ln.kind:
            continue
        t = ln.text
        k = line_key(t)
        if k and not is_prose(t, r) and stats.recurring(stats.lines.get(k, 0), r):
            ln.kind = "boiler"
            signals["lines_learned"] += 1
            continue
        o = opening_of(t)
        if (o and len(t) <= r.caption_max and not (is_prose(t, r) and len(t) > LEAD_CHARS)
                and stats.label_like(o, r)):
            ln.kind = "caption"
            signals["caption_learned"] += 1
