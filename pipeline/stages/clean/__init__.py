"""The clean stage: ``clean(doc) -> doc``.

HTML (``doc.content_type == "html"``) goes through :mod:`pipeline.clean_html` (metadata from the markup,
boilerplate pruned by markup role, main body found by trafilatura, caption/boilerplate line filters);
plain text goes through :mod:`pipeline.clean_text` (line rules + main-region selection). Both fill
``title``, ``body`` (paragraphs separated by a blank line), ``captions``, ``author``, ``source_name``,
``dateline``, ``published_at`` and ``metadata``. Rules live in ``config/cleaning.yaml`` and are loaded
once per process. Pure: no network, no Elasticsearch. Never raises: problems become ``doc.errors``.
"""

from __future__ import annotations

import re

from pipeline.document import Document
from pipeline.stages.clean.html import MalformedHTML, clean_html
from pipeline.stages.clean.text import CleanResult, clean_text, rules

__all__ = ["clean", "clean_text", "clean_html_string", "CleanResult"]

STAGE = "clean"


def clean_html_string(html: str) -> CleanResult:
    """HTML mode on a string; falls back to text mode on the visible text if the body comes out empty."""
    res = clean_html(html)
    if not res.body.strip():
        from pipeline.stages.clean.html import parse_html

        tree = parse_html(html)
        for bad in tree.xpath("//script|//style|//noscript|//template"):
            bad.drop_tree()
        fallback = clean_text("\n".join(t for t in tree.itertext()))
        res.body = fallback.body
        res.captions.extend(c for c in fallback.captions if c not in res.captions)
        res.metadata["extraction"] = "text-fallback"
    return res


# Tag-shaped text: markup that survived as text (escaped in HTML, or a plain-text dump of a
# page). Last line of defence so that no field we index ever carries markup.
_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![A-Za-z][^<>]*>|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>",
                     re.DOTALL)
_SCRIPT_BLOCK = re.compile(r"<(script|style)\b[^<>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)


def strip_markup(text: str | None) -> str | None:
    """Remove anything tag-shaped (and whole script/style blocks) from extracted text."""
    if not text or "<" not in text:
        return text
    return _MARKUP.sub("", _SCRIPT_BLOCK.sub("", text)).strip()


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
    doc.metadata = md


def clean(doc: Document) -> Document:
    raw = doc.raw_text if isinstance(doc.raw_text, str) else ""
    if not raw.strip():
        doc.body = ""
        doc.fail(STAGE, "empty", "empty document")
        return doc
    try:
        rules()  # a broken config/cleaning.yaml is a startup problem; surface it once per doc, not a crash
    except Exception as exc:  # noqa: BLE001
        doc.fail(STAGE, "rules", f"cleaning rules unavailable: {exc}")
        return doc
    try:
        if (doc.content_type or "text").lower() == "html":
            try:
                res = clean_html_string(raw)
            except MalformedHTML as exc:
                doc.fail(STAGE, "malformed-html", f"malformed HTML: {exc}")
                return doc
        else:
            res = clean_text(raw)
    except RecursionError:
        doc.fail(STAGE, "too-deep", "malformed input: nesting too deep")
        return doc
    except Exception as exc:  # noqa: BLE001 - one bad document must never stop a batch
        doc.fail(STAGE, "unexpected", f"{type(exc).__name__}: {exc}")
        return doc
    _apply(doc, res)
    if not doc.body.strip():
        doc.fail(STAGE, "no-text", "no text content")
    return doc
