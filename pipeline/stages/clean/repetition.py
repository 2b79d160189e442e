"""Per-source learned line statistics (issue 24, part 3): the pure part.

Lines and line *openings* that recur across many documents of one source are that source's
boilerplate or labels, whatever their language: a share bar or a newsletter pitch repeated under
every article, a caption label (``Archivbild:``, ``【写真】``) that no lexicon lists. This is the
repeated-line idea of CCNet / datatrove's line deduplication, applied per source.

Here: what a document contributes (:func:`count_document`: its openings and short lines, each once),
the statistics of one source (:class:`SourceStats`, mergeable, plain dicts so any store can keep
them), and the decision from given statistics (:func:`mark_learned`). Counting and deciding take the
statistics as an argument; storing them (Elasticsearch, shared by every worker and later run) belongs
to ``pipeline/elastic/line_stats.py``. A source with fewer than ``learned_min_documents`` documents
counted (config/cleaning/common.yaml) decides nothing: its first small batch falls back to the packs
and the language-free signals.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.stages.clean.lines import Line, is_prose, split_lines
from pipeline.stages.clean.rules import TextRules

LEAD_CHARS = 200  # a longer prose paragraph is never a learned caption (a wire lead "(AGENCY) - ...")
SHORT_LINE = 80  # whole lines up to this long are counted (share bars, footers, pitches)
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


@dataclass
class SourceStats:
    documents: int = 0
    openings: Counter = field(default_factory=Counter)  # opening -> documents it opens a line of
    lines: Counter = field(default_factory=Counter)  # short line -> documents it appears in

    def add(self, text: str) -> None:
        openings, lines = count_document(text)
        self.documents += 1
        self.openings.update(openings)
        self.lines.update(lines)

    def merge(self, other: SourceStats) -> None:
        self.documents += other.documents
        self.openings.update(other.openings)
        self.lines.update(other.lines)

    def recurring(self, count: int, r: TextRules) -> bool:
        """``count`` documents of this source is enough to call a line or opening recurring (thresholds:
        ``learned_min_*`` of config/cleaning/common.yaml)."""
        return (self.documents >= r.learned_min_documents
                and count >= max(r.learned_min_count, r.learned_min_share * self.documents))

    def to_dict(self) -> dict:
        return {"documents": self.documents, "openings": dict(self.openings), "lines": dict(self.lines)}

    @classmethod
    def from_dict(cls, d: dict) -> SourceStats:
        return cls(int(d.get("documents", 0)), Counter(d.get("openings") or {}), Counter(d.get("lines") or {}))


def count_document(text: str) -> tuple[set[str], set[str]]:
    """The openings and short lines of one document (each once: counts are of documents)."""
    openings: set[str] = set()
    lines: set[str] = set()
    for ln in split_lines(text):
        o = opening_of(ln.text)
        if o:
            openings.add(o)
        k = line_key(ln.text)
        if k:
            lines.add(k)
    return openings, lines


def mark_learned(lines: list[Line], stats: SourceStats | None, r: TextRules, signals: Counter) -> None:
    """Lines whose opening recurs across the source are captions (short, at most two sentences);
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
                and stats.recurring(stats.openings.get(o, 0), r)):
            ln.kind = "caption"
            signals["caption_learned"] += 1
