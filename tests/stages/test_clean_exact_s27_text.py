"""Text mode's shortcuts (s27) answer exactly as the code they replace."""

from __future__ import annotations

import random
import re
from pathlib import Path

from pipeline.stages.clean import alt_text, captions_by_form, lines, needles, rules, script, structure, text
from pipeline.stages.clean.lines import Line
from pipeline.stages.clean.packs import PACK_DIR, load_packs
from pipeline.stages.clean.text import clean_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
LANGUAGES = sorted(p.stem for p in PACK_DIR.glob("*.yaml"))


def _fixture_lines() -> list[str]:
    out: list[str] = []
    for p in sorted(FIXTURES.rglob("*.txt")):
        out.extend(ln.text for ln in lines.split_lines(p.read_text(encoding="utf-8")))
    return out


# end marks of every pack, their pieces, spaces and what stands before them
END_POOL = ["(end)", "[ ends ]", "( end  )", "-30-", "###", "***", "（完）", "（完", "【完】", "(hết)", "/.", "(ANTARA)",
            "(ant/bbn)", "(پایان)", "انتهای پیام", "انتهای", "پیام", "end", "ends", "(", ")", "[", "]", "（", "）", "【",
            "】", "完", " ", "  ", "\t", "\n", "\u3000", "\u00a0", ".", "!", "?", "。", "”", "\"", "'", "a", "Word", "x/y",
            "-", "#", "*", "İ", "ſ", "END", "Ends"]


def test_end_marks_searched_from_the_end_equal_the_search() -> None:
    packs = load_packs()
    rnd = random.Random(27)
    texts = _fixture_lines()
    texts += ["".join(rnd.choices(END_POOL, k=rnd.randint(0, 12))) for _ in range(30000)]
    texts += [t + rnd.choice(END_POOL) + rnd.choice(END_POOL) for t in _fixture_lines()[:3000]]
    found = tail = 0
    for lang in LANGUAGES:
        r = packs.for_language(lang).text
        nd = r.end_mark_needled
        assert isinstance(nd, needles.TailNeedled)
        for t in texts:
            got, want = nd.search(t), r.end_mark.search(t)
            assert (got and (got.span(), got.group(0))) == (want and (want.span(), want.group(0))), (lang, t)
            found += want is not None
            tail += nd.width is not None and "  " not in t and t.isprintable()
    assert found > 1000 and tail > 100000


def test_spaced_width_caps_each_space_run_once() -> None:
    assert needles.spaced_width(r"[(\[]\s*(?:end|ends)\s*[)\]]|-30-|###", re.I) == 8
    assert needles.spaced_width(r"a\s+b{2,3}", 0) == 5
    assert needles.spaced_width(r"a\s{3,}", 0) == 4  # (never matches a single-spaced line: any bound holds)
    assert needles.spaced_width(r"(?:\s*c)+", 0) is None
    assert needles.spaced_width(r"a.*", 0) is None
    assert needles.spaced_width(r"(a)\1", 0) is None
    assert needles.spaced_width(r"(?<=\s{0,3}x)y", 0) == 1
    # a pattern's own width, and its cached group widths, are left as they were
    assert re.compile(r"(\s*)x").match("   x") is not None


def _caption_form_before(t: str, lex: captions_by_form.Lexicon) -> int:
    """``structure.caption_form`` before the s27 shortcut."""
    cbf = captions_by_form
    if cbf.credit_line(t, lex):
        return structure.CREDIT
    short = cbf.short_enough(t)
    if short and cbf.opening_of_short(t, lex):
        return structure.OPENING
    if short and cbf.closing_of_short(t, lex):
        return structure.CLOSING
    if cbf.credit_by_shape(t):
        return structure.CREDIT_SHAPE
    if cbf.caption_by_shape(t):
        return structure.CAPTION_SHAPE
    return 0


FORM_POOL = ["Photo", "Foto", "写真", "사진", "Bild", "AP", "Reuters", "dpa", "John Smith", "the", "river", "in", "2024", "a",
             "ภาพ", "资料图", "Στη φωτογραφία", ":", "：", ",", "，", "、", "=", "＝", "|", "｜", "-", "–", "—", "/", ".", "!",
             "?", "。", " ", " ", " ", "(", ")", "[", "]", "【", "】", "（", "）", "「", "」", "«", "»", "<", ">", "［", "］", "〔",
             "〈", "《", "Archivbild", "Foto: dpa", "(Photo: AP/John Smith)", "\t", "\u3000"]


def test_caption_forms_with_the_character_check_equal_asking_every_form() -> None:
    assert structure._FORM_SHORTCUT, "captions_by_form changed: re-check structure._FORM_CHAR, then the fingerprint"
    lex = captions_by_form.load_lexicon()
    rnd = random.Random(271)
    texts = _fixture_lines() + ["", "(", "Photo", "Photo: AP", "【写真】東京", "x" * 500]
    texts += ["".join(rnd.choices(FORM_POOL, k=rnd.randint(0, 16))) for _ in range(40000)]
    shortcut = 0
    for t in texts:
        assert structure.caption_form(t, lex) == _caption_form_before(t, lex), repr(t)
        shortcut += t[:1] not in captions_by_form._OPEN and not structure._FORM_CHAR.search(t)
    assert shortcut > 1000


def test_more_word_chars_of_ascii_lines_counts_their_word_characters() -> None:
    rnd = random.Random(272)
    ascii_chars = [chr(c) for c in range(128)]
    texts = [t for t in _fixture_lines() if t.isascii()] + ascii_chars
    texts += ["".join(rnd.choices(ascii_chars, k=rnd.randint(0, 300))) for _ in range(20000)]
    texts += [" ".join(rnd.choices(["Share", "this", "a", "_", "1,200", "U.S.", "--", "(c)"], k=rnd.randint(0, 60)))
              for _ in range(5000)]
    for t in texts:
        chars = sum(len(w) for w in re.findall(r"\w+", t))
        key = " ".join(script.tokens.__wrapped__(t))
        for n in (0, 1, 5, 17, 40, 120, 240):
            more = alt_text.more_word_chars(t, n)
            assert more == (chars > n), (t, n)
            assert not more or len(key) > n, (t, n)


def test_repeat_keys_of_ascii_lines_equal_the_joined_tokens() -> None:
    rnd = random.Random(273)
    ascii_chars = [chr(c) for c in range(128)]
    texts = _fixture_lines() + ascii_chars + ["\x1c a\x1fb\x0bc", "  Share  this\t", ""]
    texts += ["".join(rnd.choices(ascii_chars, k=rnd.randint(0, 120))) for _ in range(20000)]
    for t in texts:
        assert alt_text.repeat_key.__wrapped__(t) == " ".join(script.tokens.__wrapped__(t)), repr(t)


def _select_region_before(lines_: list[Line], r: rules.TextRules, cuts: list[dict[str, object]]) -> None:
    """``text._select_region`` before s27 (its first loop: ``weight``, the rules' attributes, every gap)."""
    live = [i for i, ln in enumerate(lines_) if not ln.kind]
    if len(live) < 3:
        return
    scores: list[float] = []
    prose_weight: list[float | None] = []
    prev = -1
    for i in live:
        ln = lines_[i]
        t = ln.text
        pw: float | None = None
        if lines.is_prose(t, r):
            s = pw = lines.weight(t)
        elif len(t) >= r.short_chars and script.SENT_PUNCT.search(t):
            s = lines.weight(t) * r.medium_factor
        elif script.URLISH.search(t):
            s = -r.url_penalty
        else:
            s = -r.short_penalty
        prose_weight.append(pw)
        if prev < 0:
            dist = 0
        elif prev + 1 == i:
            dist = ln.gap
        else:
            dist = sum(lines_[k].gap + (lines_[k].kind != "caption") for k in range(prev + 1, i)) + ln.gap
        s -= r.gap_penalty * min(max(dist - r.gap_free, 0), r.gap_cap)
        scores.append(s)
        prev = i
    text._region_from_scores(lines_, live, scores, prose_weight, r, cuts)


def _docs() -> list[str]:
    docs = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]
    rnd = random.Random(274)
    pool = _fixture_lines()
    for _ in range(400):  # documents of fixture lines in another order, blank lines of several widths between
        docs.append("".join(rnd.choice(pool) + "\n" * rnd.choice([1, 1, 2, 2, 3, 5, 9]) for _ in range(rnd.randint(3, 80))))
    return docs


def test_region_selection_as_before(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    packs = load_packs()
    docs = _docs()
    new = [clean_text(d, packs) for d in docs]
    monkeypatch.setattr(text, "_select_region", _select_region_before)
    old = [clean_text(d, packs) for d in docs]
    assert [(x.body, x.title, x.metadata) for x in new] == [(x.body, x.title, x.metadata) for x in old]


def test_lines_shorter_than_the_prose_floor_are_never_prose() -> None:
    """The loops that skip ``is_prose`` below ``r.prose_floor`` (region score, repeats, end of article, layout)."""
    packs = load_packs()
    texts = _fixture_lines() + [w * k for w in ("Ab. ", "中文。", "ไทย ") for k in range(1, 40)]
    for lang in LANGUAGES:
        r = packs.for_language(lang).text
        for t in texts:
            if len(t) < r.prose_floor:
                assert not lines.is_prose(t, r) and not lines.is_prose.__wrapped__(t, r), (lang, t)
