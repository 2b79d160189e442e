"""The multilingual probe itself (benchmarks/multilingual*.py): generator, ground truth, metric, splits.

These tests check the measuring instrument, never the cleaner's quality (that is what the benchmark
prints). Documents are built from the shared language-id sentences beside the checkout.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import multilingual as M
from benchmarks.multilingual_gen import FORMS, LANGUAGES, VOCAB_FIELDS, generate, load_pool, sentences_dir

REPO = Path(__file__).resolve().parents[2]

try:
    sentences_dir()
    HAVE_DATA = True
except FileNotFoundError:
    HAVE_DATA = False
needs_data = pytest.mark.skipif(not HAVE_DATA, reason="shared language-id sentences not found")


def _visible(html: str) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "lxml").get_text("\n")


# ------------------------------------------------------------------------------------ generator
@needs_data
@pytest.mark.parametrize("ctype", ["text", "html"])
def test_generator_is_deterministic_for_a_seed(ctype: str) -> None:
    a = generate("vi", "dev", 3, seed=7, content_type=ctype)
    b = generate("vi", "dev", 3, seed=7, content_type=ctype)
    c = generate("vi", "dev", 3, seed=8, content_type=ctype)
    assert a.raw == b.raw and a.truth == b.truth
    assert a.raw != c.raw


@needs_data
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("split", ["dev", "kept"])
def test_truth_is_consistent_with_the_text_dump(lang: str, split: str) -> None:
    for i in range(3):
        s = generate(lang, split, i, seed=11)
        t, lines = s.truth, s.raw.split("\n")
        assert t.paragraphs and all(p in s.raw for p in t.paragraphs)
        assert t.paragraphs[0] in lines[[k for k, ln in enumerate(lines) if t.paragraphs[0] in ln][0]]
        assert all(line in lines for line in t.boilerplate), "every inserted junk line is a line of the dump"
        assert t.inline and set(t.inline) <= set(t.boilerplate)
        assert all(cap in lines for cap in t.captions)
        assert all(core in cap for core, cap in zip(t.caption_cores, t.captions))
        assert t.title in lines and M.norm(t.author) in M.norm(s.raw)
        assert M.norm(t.place) in M.norm(s.raw) and M.norm(t.agency) in M.norm(s.raw)
        # the body itself carries no junk line, caption or title (they are scored apart)
        body = "\n".join(t.paragraphs)
        assert t.title not in t.paragraphs and all(core not in body for core in t.caption_cores)


@needs_data
@pytest.mark.parametrize("lang", ["zh", "ar", "de", "th"])
def test_truth_is_consistent_with_the_html_page(lang: str) -> None:
    s = generate(lang, "kept", 0, seed=5, content_type="html")
    text = _visible(s.raw)
    assert s.raw.startswith("<!DOCTYPE html>") and "<figcaption>" in s.raw and "<aside" in s.raw
    assert all(p in text for p in s.truth.paragraphs)
    assert all(b in text for b in s.truth.boilerplate)
    assert all(c in text for c in s.truth.captions)
    assert M.norm(s.truth.author) in M.norm(text) and M.norm(s.truth.place) in M.norm(text)


def test_every_dateline_template_names_place_and_agency() -> None:
    for lang in LANGUAGES:
        for half in FORMS[lang]["dateline"]:
            for tpl in half:
                low = tpl.lower()
                assert "{place}" in low and "{agency}" in low, (lang, tpl)


def test_every_language_block_says_where_its_forms_come_from() -> None:
    assert set(LANGUAGES) <= set(FORMS)
    for lang in LANGUAGES:
        assert len(FORMS[lang]["about"]) > 60, lang


# ---------------------------------------------------------------------------------------- splits
def test_the_two_splits_share_no_vocabulary() -> None:
    for lang in LANGUAGES:
        for name in VOCAB_FIELDS:
            dev, kept = FORMS[lang][name]
            assert not set(dev) & set(kept) - {""}, (lang, name, set(dev) & set(kept))
        # names and places are held out as whole words too (not only as list entries)
        for name in ("given", "family", "places", "agencies", "sites"):
            dev, kept = FORMS[lang][name]
            assert not {d.casefold() for d in dev} & {k.casefold() for k in kept}, (lang, name)


@needs_data
def test_kept_documents_draw_no_dev_only_name() -> None:
    for lang in ["zh", "ru", "es", "vi"]:
        dev_names = {*FORMS[lang]["agencies"][0], *FORMS[lang]["places"][0]}
        for i in range(5):
            t = generate(lang, "kept", i, seed=1402).truth
            assert t.agency not in dev_names and t.place not in dev_names


@needs_data
def test_sentence_halves_are_disjoint() -> None:
    for lang in ["en", "zh", "ja", "ar"]:
        dev, kept = load_pool(lang, "dev"), load_pool(lang, "kept")
        assert dev and kept and not set(dev) & set(kept)


# ---------------------------------------------------------------------------------------- metric
def test_metric_perfect_and_empty() -> None:
    text = "The quick brown fox jumps over the lazy dog near the river bank today."
    assert M.doc_pr(text, text, "en") == (1.0, 1.0)
    assert M.f1_of([M.doc_pr(text, text, "en")]) == 1.0
    assert M.f1_of([M.doc_pr("", text, "en")]) == 0.0
    assert M.f1_of([]) == 0.0


def test_metric_half_recall_and_junk_precision() -> None:
    words = [f"w{i}" for i in range(20)]
    truth = " ".join(words)
    p, r = M.doc_pr(" ".join(words[:10]), truth, "en")  # 7 of the 17 shingles, all correct
    assert p == 1.0 and r == pytest.approx(7 / 17)
    p, r = M.doc_pr(truth + " " + " ".join(f"junk{i}" for i in range(20)), truth, "en")
    assert r == 1.0 and p == pytest.approx(17 / 37)


def test_metric_counts_characters_for_scripts_without_spaces() -> None:
    zh = "中新社北京三月十九日电今天天气很好"
    assert len(M.tokens(zh, "zh")) == len(zh)
    assert M.tokens(zh, "vi") == [zh]  # a word language keeps \w+ runs
    p, r = M.doc_pr(zh[:9], zh, "zh")
    assert p == 1.0 and 0 < r < 1


def test_found_rules() -> None:
    from benchmarks.multilingual_gen import Truth

    t = Truth("zh", "dev", "x", "text", "标题", ["正文第一段内容很长很长。"], ["图为会议现场。中新社记者 王伟 摄"],
              ["会议现场"], "王秀军", "北京", "2026-03-19", "中新社", ["分享到：", "相关新闻"])
    s = M.LangScore("zh")
    M.score_doc(s, t, body="正文第一段内容很长很长。\n相关新闻", captions=["图为会议现场。中新社记者 王伟 摄"],
                author="记者 王秀军", dateline="北京, 3月19日", source_name="中新社", baseline="")
    row = s.row()
    assert row["f1"] < 1.0 and row["captions_found"] == 1.0 and row["captions_leaked"] == 0.0
    assert row["author"] == row["dateline"] == row["agency"] == 1.0
    assert row["boilerplate_left"] == 0.5
    s2 = M.LangScore("zh")
    M.score_doc(s2, t, body="图为会议现场。正文第一段内容很长很长。", captions=["会"], author=None,
                dateline="上海", source_name="新华社", baseline="")
    row2 = s2.row()
    assert row2["captions_found"] == 0.0 and row2["captions_leaked"] == 1.0
    assert row2["author"] == row2["dateline"] == row2["agency"] == 0.0
    assert row["author_wrong"] == row2["author_wrong"] == 0.0  # found, and none given: neither is wrong
    s4 = M.LangScore("zh")  # an author given that is not the article's ("分享到微信" read as a name)
    M.score_doc(s4, t, body="", captions=[], author="分享到微信", dateline=None, source_name=None, baseline="")
    assert s4.row()["author"] == 0.0 and s4.row()["author_wrong"] == 1.0
    s3 = M.LangScore("zh")  # an HTML page: the site is its source, the dateline's agency is in metadata
    M.score_doc(s3, t, body="", captions=[], author=None, dateline=None, source_name="南方日报", baseline="",
                agency="中新社")
    assert s3.row()["agency"] == 1.0


# ------------------------------------------------------------------------------------------ smoke
@needs_data
@pytest.mark.slow  # runs the benchmark end to end
def test_benchmark_smoke_run_prints_the_table() -> None:
    cmd = [sys.executable, str(REPO / "benchmarks" / "multilingual.py"), "--languages", "en,zh",
           "--docs-per-language", "2", "--html-per-language", "1"]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "| zh | 2 |" in out.stdout and "| en (control) | 2 |" in out.stdout
    assert re.search(r"body F1 mean \d\.\d{3} >= 0\.97 \.\.\. (met|NOT MET)", out.stdout)
    js = subprocess.run(cmd + ["--split", "kept", "--json"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert js.returncode == 0, js.stderr
    data = json.loads(js.stdout)
    assert data["split"] == "kept" and data["seed"] == 1402
    assert set(data["text"]["rows"]) == {"en", "zh"} and data["text"]["rows"]["zh"]["docs"] == 2
    assert {t["name"] for t in data["text"]["summary"]["targets"]} >= {"body F1 mean", "author found"}
