"""The clean stage: raw HTML or text -> title, body, captions and byline metadata.

HTML (``doc.content_type == "html"``) goes through :mod:`pipeline.stages.clean.html`
(metadata from the markup, boilerplate pruned by markup role, main body found by
trafilatura, caption/boilerplate line filters); plain text goes through
:mod:`pipeline.stages.clean.text` (line rules + main-region selection). Language first, then rules:
the language of the raw text (of the extracted body for HTML) picks a pack,
``config/cleaning/<iso>.yaml``, applied on top of ``config/cleaning/common.yaml``
(:mod:`pipeline.stages.clean.packs`: each compiled once per process, on first use).
Pure: no network, no Elasticsearch. Bounded: a time and a size limit per document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.document import Change, Document
from pipeline.stages.base import Stage
from pipeline.stages.clean.packs import RulePacks, load_packs, load_rules
from pipeline.stages.clean.repetition import SourceStats
from pipeline.stages.clean.rules import CleaningRules, CleanResult

if TYPE_CHECKING:
    from pipeline.stages.clean.html import parse_html
    from pipeline.stages.clean.text import clean_text

# The extractors (trafilatura, lxml, the caption lexicons) load on first use, not with the package: a
# process that builds the stages only for their counters (a run's parent process; a run with nothing
# changed) never pays for them. ``from pipeline.stages.clean import clean_text`` still works.
_LAZY = {"clean_html": "html", "parse_html": "html", "MalformedHTML": "html", "clean_text": "text"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["Clean", "CleanConfig", "CleanResult", "clean_html_string", "clean_text", "strip_markup"]

@dataclass(frozen=True)
class CleanConfig:
    rules: RulePacks | CleaningRules  # packs: chosen per document by language; rules: fixed
    time_limit_seconds: float  # per document; over it the document fails as clean/timeout
    max_input_chars: int  # bigger decoded inputs fail as clean/too-large instead of being cut
    # the learned line statistics of the batch's source as the run read them at batch start
    # (pipeline/elastic/line_stats.py); None: nothing learned yet (the packs alone decide)
    line_stats: SourceStats | None = None
    # count what each new plain-text document contributes to its source's statistics (``Clean.learned``,
    # added to the stored ones after the batch by the run); off where documents are not new (reindex)
    learn: bool = False


def clean_html_string(html: str, rules: RulePacks | CleaningRules | None = None) -> CleanResult:
    """HTML mode on a string; falls back to text mode on the visible text if the body comes out empty.

    The fallback takes the page's visible text the way BeautifulSoup gives it (the same dump the
    text-mode benchmark feeds in), so a page trafilatura finds nothing in is still read."""
    from pipeline.stages.clean.html import clean_html
    from pipeline.stages.clean.text import clean_text

    res = clean_html(html, rules)
    if not res.body.strip():
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(html, "lxml")
        for bad in soup(["script", "style", "noscript", "template"]):
            bad.decompose()
        fallback = clean_text(soup.get_text("\n"), rules)
        res.body = fallback.body
        res.captions.extend(c for c in fallback.captions if c not in res.captions)
        for key in ("rules_language", "cuts", "cut_chars", "signals", "end_mark"):
            if key in fallback.metadata:
                res.metadata[key] = fallback.metadata[key]
        res.metadata["extraction"] = "text-fallback"
    return res


# Tag-shaped text: markup that survived as text (escaped in HTML, or a plain-text dump of a
# page). Last line of defence so that no field we index ever carries markup.
_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![A-Za-z][^<>]*>|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>",
                     re.DOTALL)
_SCRIPT_BLOCK = re.compile(r"<(script|style)\b[^<>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
# what opens a comment, CDATA section or XML declaration that never closes (tag soup): no prose writes them
_STRAY_OPENER = re.compile(r"<!--|<!\[CDATA\[|<\?xml", re.IGNORECASE)
# a tag with attributes whose ">" never comes (tag soup): `<div style="url(javascript:...)" text ...`
_OPEN_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s+[A-Za-z_:][-\w:.]*\s*=\s*(?:\"[^\"<>]*\"?|'[^'<>]*'?|[^\s\"'<>]+))+")


def strip_markup(text: str | None) -> str | None:
    """Remove anything tag-shaped (and whole script/style blocks) from extracted text.

    Until nothing changes: removing ``<b>`` from ``<pThe A <b> C>`` (tag soup) makes a new tag of what
    was around it (found by the fuzzing campaign, benchmarks/fuzz.py)."""
    if not text or "<" not in text:
        return text
    text = _SCRIPT_BLOCK.sub("", text)
    while True:  # removing a stray opener or an unclosed tag can join what is left into a new tag too
        stripped = _OPEN_TAG.sub("", _STRAY_OPENER.sub("", _MARKUP.sub("", text)))
        if stripped == text:
            return stripped.strip()
        text = stripped


def _apply(doc: Document, res: CleanResult) -> None:
    doc.title = strip_markup(res.title) or strip_markup(doc.title)
    doc.body = strip_markup(res.body) or ""
    doc.captions = [c for c in (strip_markup(c) for c in res.captions) if c]
    doc.author = strip_markup(res.author)
    doc.source_name = strip_markup(res.source_name)
    doc.dateline = strip_markup(res.dateline)
    doc.published_at = res.published_at
    md = dict(doc.metadata or {})
    md.update({k: v for k, v in res.metadata.items() if v not in (None, "", [], {})})
    # provenance: HTML metadata says where each value came from; text mode only has text patterns
    doc.author_source = md.pop("author_source", None) or ("text" if doc.author else None)
    doc.published_at_source = md.pop("published_at_source", None) or ("text" if doc.published_at else None)
    doc.modified_at = md.pop("modified_at", None)
    doc.modified_at_source = md.pop("modified_at_source", None) if doc.modified_at else None
    md.pop("modified_at_source", None)
    for w in md.pop("warnings", None) or []:  # "clean/pruned-majority: <what was kept>"
        key, _, message = str(w).partition(":")
        doc.warn(Clean.name, key.split("/", 1)[-1], message.strip())
    doc.metadata = md


class Clean(Stage):
    """Raw text or markup -> title, body, captions and what the boilerplate carried (metadata)."""

    name = "clean"

    def __init__(self, config: CleanConfig) -> None:
        super().__init__(time_limit_seconds=config.time_limit_seconds)
        self.config = config
        self.learned = SourceStats()  # this batch's contribution to the source's statistics

    @property
    def stats_known(self) -> int:
        """Documents of the source counted in the statistics this stage was given."""
        return self.config.line_stats.documents if self.config.line_stats else 0

    def process(self, doc: Document) -> Document:
        raw = doc.raw_text if isinstance(doc.raw_text, str) else ""
        if not raw or raw.isspace():  # ``not raw.strip()`` without a copy of the page (tests/stages/test_extract_exact.py)
            doc.body = ""
            doc.fail(self.name, "empty", "empty document")
            return doc
        if len(raw) > self.config.max_input_chars:
            doc.fail(self.name, "too-large", f"{len(raw)} characters after decoding > limit {self.config.max_input_chars}")
            return doc
        from pipeline.stages.clean.html import MalformedHTML
        from pipeline.stages.clean.text import clean_text

        try:
            if (doc.content_type or "text").lower() == "html":
                res = clean_html_string(raw, self.config.rules)
            else:
                learn = self.learned if self.config.learn and doc.change is Change.NEW else None
                res = clean_text(raw, self.config.rules, self.config.line_stats, learn)
        except MalformedHTML as exc:
            doc.fail(self.name, "malformed-html", f"malformed HTML: {exc}")
            return doc
        _apply(doc, res)
        self._count(res)
        if not doc.body.strip():
            doc.fail(self.name, "no-text", "no text content")
        return doc


    def _count(self, res: CleanResult) -> None:
        """Rule pack used, and every cut of a closing block (count and characters) for the run report."""
        self.counters[f"rules_{res.metadata.get('rules_language', 'common')}"] += 1
        for signal, n in (res.metadata.get("signals") or {}).items():  # language-free signals (structure.py)
            self.counters[signal] += int(n)
        for w in res.metadata.get("warnings") or []:
            self.counters[str(w).split(":", 1)[0].replace("clean/", "").replace("-", "_")] += 1
        cuts = res.metadata.get("cuts") or []
        if cuts:
            self.counters["cuts"] += len(cuts)
            self.counters["cut_chars"] += int(res.metadata.get("cut_chars", 0))
            self.counters["cut_documents"] += 1


__all__ += ["parse_html", "load_rules", "load_packs", "RulePacks"]
