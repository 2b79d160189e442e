"""Property-based tests (Hypothesis): the transform stages never raise, never emit markup,
are idempotent where they should be, and give stable identities."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import Document
from pipeline.run.single import clean, detect_language, transform
from pipeline.stages.clean import clean_text
from pipeline.stages.enrich import document_id, enrich
from pipeline.stages.language import detect_text

TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(\s[^<>]*)?/?>")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like articles: words, punctuation, blank lines, captions, bylines, unicode.
words = st.sampled_from(["Reuters", "Moscow", "The", "picture", "shows", "Data", "map:", "By", "John", "Smith",
                         "Related", "Posts", "Share", "Subscribe", "cookie", "président", "市场", "Москва",
                         "said", "on", "Monday", "—", "2024", "(AP)", "\u200b", "&amp;", "<b>", "</b>"])
lines = st.lists(words, min_size=0, max_size=25).map(" ".join)
texts = st.one_of(st.text(max_size=400), st.lists(lines, max_size=30).map("\n".join))
tags = st.sampled_from(["p", "div", "span", "script", "style", "iframe", "a", "figure", "figcaption", "nav",
                        "h1", "h2", "title", "article", "b", "svg", "table", "td"])


@st.composite
def html_documents(draw) -> str:
    parts = ["<html><head><title>", draw(lines), "</title></head><body>"]
    for _ in range(draw(st.integers(0, 25))):
        tag = draw(tags)
        attrs = draw(st.sampled_from(["", ' class="related"', ' onclick="alert(1)"', ' href="javascript:evil()"',
                                      ' src="x" onerror="alert(2)"', ' style="display:none"']))
        closing = draw(st.booleans())
        parts.append(f"<{tag}{attrs}>{draw(lines)}" + (f"</{tag}>" if closing else ""))
    parts.append(draw(st.sampled_from(["</body></html>", "", "</div></div>", "<p>"])))
    return "".join(parts)


def make(raw: str, content_type: str) -> Document:
    return Document(source="x", source_path="/src/x", raw_text=raw, content_type=content_type)


@FAST
@given(texts)
def test_text_pipeline_never_raises_and_never_emits_markup(text):
    doc = transform(make(text, "text"))
    assert isinstance(doc.errors, list)
    for field in (doc.body, doc.title or "", *doc.captions):
        assert not TAG.search(field), field


@FAST
@given(html_documents())
def test_html_pipeline_never_raises_and_never_emits_markup(html):
    doc = transform(make(html, "html"))
    for field in (doc.body, doc.title or "", *doc.captions):
        assert not TAG.search(field), field
        assert "alert(" not in field and "javascript:" not in field


@FAST
@given(st.lists(lines, min_size=1, max_size=30).map("\n\n".join))
def test_text_cleaning_is_idempotent(text):
    once = clean_text(text).body
    assert clean_text(once).body == once


@FAST
@given(st.text(max_size=300))
def test_language_detection_never_raises_and_stays_in_range(text):
    detection = detect_text(text)
    assert detection.language == "und" or re.fullmatch(r"[a-z]{2,3}", detection.language)
    assert 0.0 <= detection.confidence <= 1.0
    doc = detect_language(Document(source="x", source_path="/x", body=text, title=text[:40]))
    assert abs(sum(doc.languages.values()) - 1.0) < 1e-6 or doc.languages == {}


@FAST
@given(st.text(min_size=1, max_size=200), texts)
def test_ids_are_stable_and_depend_only_on_the_path(path, body):
    a = enrich(Document(source="a", source_path=path, body=body))
    b = enrich(Document(source="b", source_path=path, body=body + " changed"))
    assert a.id == b.id == document_id("", path)
    assert re.fullmatch(r"[0-9a-f]{64}", a.id)


@FAST
@given(texts)
def test_clean_never_raises_on_any_text(text):
    doc = clean(make(text, "text"))
    assert doc.errors == [] or all(str(e).startswith("clean: ") for e in doc.errors)
