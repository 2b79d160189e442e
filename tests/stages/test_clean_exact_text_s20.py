"""Text mode's shortcuts (s20) answer exactly as the code they replace: the repeat keys of prose and long
lines not made when they are too long to be a repeated one, the pack's three line patterns asked through
one remembered verdict, ``is_prose`` refusing lines shorter than both prose minimums without the cache,
and ``split_lines`` with ``norm_space`` inline."""

from __future__ import annotations

import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from pipeline.stages.clean import alt_text, lines, needles, rules, script, structure, text
from pipeline.stages.clean.lines import Line
from pipeline.stages.clean.packs import load_packs, load_rules
from pipeline.stages.words import count_words, find_words

# the str.translate table script.tokens / word_count used on ASCII lines before the bytes table
ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not re.fullmatch(r"\w", chr(c))})

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clean"
WORDS = ["Photo", "Reuters", "Share", "this", "article", "İstanbul", "ΟΔΟΣ", "ΣΟΦΙΑ's", "café", "naïve", "北京市",
         "上海", "ภาษาไทย", "der", "Straße", "ǅemal", "ﬁnal", "—", "«", "»", "’", "1,200", "U.S.", "é\u0301",
         "\u0301a", "_", "Москва", "سلام", "नमस्ते", "한국어"]


def _texts() -> list[str]:
    out: list[str] = []
    for p in sorted(FIXTURES.rglob("*.txt")):
        out.extend(ln.text for ln in lines.split_lines(p.read_text(encoding="utf-8")))
    rnd = random.Random(20)
    for _ in range(3000):
        out.append(" ".join(rnd.choices(WORDS, k=rnd.randint(1, 60))) + rnd.choice(["", ".", "!", ":", "…"]))
    return out


def test_every_word_character_lowers_to_at_least_one() -> None:
    word = re.compile(r"\w")
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        low = ch.lower()
        assert len(low) >= 1
        if word.match(ch):
            assert word.search(low), hex(c)


def test_more_word_chars_than_a_key_means_a_longer_key() -> None:
    for t in _texts():
        fresh = " ".join(script.tokens.__wrapped__(t))
        assert fresh == alt_text.repeat_key(t)
        chars = sum(len(w) for w in script.WORD.findall(t))
        for n in (0, 1, 5, 17, 40, 120, 240):
            more = alt_text.more_word_chars(t, n)
            if more:
                assert len(fresh) > n, (t, n)
            if not t.isascii():
                assert more == (chars > n), (t, n)


def _mark_repeats_before(lines_: list[Line], r: rules.TextRules, captions: list[str]) -> None:
    counts: dict[str, int] = {}
    asked: list[str | None] = []
    for ln in lines_:
        t = ln.text
        if len(t) <= r.repeat_max and not lines._is_prose(t, r):
            k = alt_text.repeat_key(t)
            if k:
                counts[k] = counts.get(k, 0) + 1
            asked.append(k)
        else:
            asked.append(None)
    repeated = {k for k, c in counts.items() if c >= r.repeat_min}
    if not repeated:
        return
    keys = [alt_text.repeat_key(ln.text) if k is None else k for ln, k in zip(lines_, asked)]
    followers: dict[str, list[int]] = {}
    for i in range(len(lines_) - 1):
        k = keys[i]
        if k in repeated:
            nxt = lines_[i + 1]
            nt = nxt.text
            if (nxt.gap == 0 and len(nt) <= r.follow_caption_max and not alt_text.CLOSED.search(nt[-4:])
                    and keys[i + 1] not in repeated):
                followers.setdefault(k, []).append(i + 1)
    for ln, k in zip(lines_, keys):
        if k in repeated and not ln.kind:
            ln.kind = "alt" if len(followers.get(k, [])) >= 2 else "repeat"
    for k, idxs in followers.items():
        if len(idxs) >= 2:
            for i in idxs:
                if not lines_[i].kind:
                    lines_[i].kind = "caption"
    seen: set[str] = set()
    for ln in lines_:
        if ln.kind == "alt" and ln.text not in seen:
            seen.add(ln.text)
            captions.append(ln.text)


def test_repeats_marked_as_before() -> None:
    r = load_rules("en").text
    rnd = random.Random(21)
    texts = _texts()
    short = [t for t in texts if len(t) <= 40]
    for _ in range(400):
        # a few short lines repeated among prose and long lines, some of them made of the same words
        pick = rnd.sample(short, 4)
        chosen = [rnd.choice(pick) if rnd.random() < 0.4 else rnd.choice(texts) for _ in range(rnd.randint(2, 40))]
        chosen += [p.upper() + "." for p in pick if rnd.random() < 0.3]  # the same key, other text
        rnd.shuffle(chosen)
        a = [Line(t, t, rnd.choice([0, 0, 1])) for t in chosen]
        b = [Line(t, t, ln.gap) for t, ln in zip(chosen, a)]
        ca: list[str] = []
        cb: list[str] = []
        alt_text.mark_repeats(a, r, ca)
        _mark_repeats_before(b, r, cb)
        assert [ln.kind for ln in a] == [ln.kind for ln in b]
        assert ca == cb


def test_pattern_verdicts_equal_the_three_patterns() -> None:
    packs = load_packs()
    for lang in ("en", "de", "zh", "fr", "ar", "common"):
        r = packs.for_language(lang).text
        for t in _texts() + ["Photo: Reuters", "Foto: dpa", "Share this article", "Related Posts", "资料图：新华社",
                             "©2026 News Corp", "Accept cookies to continue", "Subscribe to our newsletter"]:
            v = text._pattern_verdict(t, r)
            credit = rules.is_credit(t, r)
            assert bool(v & text.CREDIT) == credit, t
            assert bool(v & text.CAPTION) == (not credit and rules.is_caption(t, r)), t
            assert bool(v & text.BOILER) == rules.is_boiler(t, r), t


def test_is_prose_equals_asking_afresh() -> None:
    packs = load_packs()
    for lang in ("en", "zh", "th", "common"):
        r = packs.for_language(lang).text
        assert r.prose_floor == min(r.prose_min, r.prose_min_dense)
        for t in _texts():
            for cut in (t, t[:r.prose_floor - 1], t[:r.prose_floor], t[:r.prose_min]):
                assert lines.is_prose(cut, r) == lines._is_prose(cut, r), cut


def _norm_space_before(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _split_lines_before(t: str) -> list[tuple[str, str, int]]:
    t = unicodedata.normalize("NFC", t)
    t = t.replace("\r\n", "\n").replace("\r", "\n")
    t = lines._INVISIBLE.sub("", t)
    out: list[tuple[str, str, int]] = []
    gap = 0
    for raw in t.split("\n"):
        s = "" if not raw or raw.isspace() else _norm_space_before(raw)
        if not s:
            gap += 1
            continue
        out.append((s, raw, gap))
        gap = 0
    return out


def test_split_lines_equals_splitting_as_before() -> None:
    rnd = random.Random(22)
    odd = list("ab é中 \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\u200b\u00ad\u0301") + ["  ", "\r\n", "\n\n\n", "word"]
    docs = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]
    docs += ["".join(rnd.choices(odd, k=rnd.randint(0, 60))) for _ in range(5000)]
    for d in docs:
        assert [(ln.text, ln.raw, ln.gap) for ln in lines.split_lines(d)] == _split_lines_before(d), repr(d)


def test_ascii_tokens_and_word_counts_read_as_bytes_equal_the_str_tables() -> None:
    rnd = random.Random(23)
    ascii_chars = [chr(c) for c in range(128)]
    texts = ascii_chars + ["".join(rnd.choices(ascii_chars, k=rnd.randint(0, 80))) for _ in range(20000)]
    texts += [t for t in _texts() if t.isascii()]
    for t in texts:
        assert script.tokens.__wrapped__(t) == tuple(t.lower().translate(ASCII_NON_WORD).split()), repr(t)
        assert script.tokens.__wrapped__(t) == tuple(script.WORD.findall(t.lower())), repr(t)
        assert script.word_count.__wrapped__(t) == float(len(t.translate(ASCII_NON_WORD).split())), repr(t)
        assert script.word_count.__wrapped__(t) == float(len(script.WORD.findall(t))), repr(t)


def test_needle_checks_equal_any_needle_in_the_line() -> None:
    packs = load_packs()
    for lang in ("en", "de", "zh", "common"):
        r = packs.for_language(lang).text
        for nd in (r.caption_any.scanning, r.credit_needled, r.end_mark_needled):
            for t in _texts() + ["Photo: X", "FOTO", "©", "İmage", "ǅ photo"]:
                if not nd.needles:
                    assert nd.may_match(t)
                    continue
                low = t if not nd.folded else t.lower()
                odd = nd.folded and not t.isascii() and needles._ODD.search(t)
                assert nd.may_match(t) == bool(odd or any(s in low for s in nd.needles)), t


def test_words_read_as_utf8_bytes_equal_the_regex() -> None:
    chars = [chr(c) for c in range(sys.maxunicode + 1)]
    joined = " ".join(chars)
    assert count_words(joined) == len(script.WORD.findall(joined))
    assert find_words(joined) == script.WORD.findall(joined)
    for i in range(0, len(chars), 4096):  # every code point, also next to word characters
        chunk = "a".join(chars[i:i + 4096])
        assert count_words(chunk) == len(script.WORD.findall(chunk))
        assert find_words(chunk) == script.WORD.findall(chunk)
    rnd = random.Random(24)
    odd = list("ab_1 .,’“—\u00a0\u2028\ud800\udfff\U0001f642é中ǅİΣ\u0301\u200d\x1c") + WORDS
    texts = _texts() + ["".join(rnd.choices(odd, k=rnd.randint(0, 40))) for _ in range(20000)]
    for t in texts:
        assert count_words(t) == len(script.WORD.findall(t)), repr(t)
        assert find_words(t) == script.WORD.findall(t), repr(t)
        assert script.tokens.__wrapped__(t) == _tokens_before(t), repr(t)
        assert script.word_count.__wrapped__(t) == _word_count_before(t), repr(t)


def _tokens_before(t: str) -> tuple[str, ...]:
    if t.isascii():
        return tuple(t.lower().translate(ASCII_NON_WORD).split())
    if not script.DENSE.search(t):
        return tuple(script.WORD.findall(t.lower()))
    out: list[str] = []
    for w in script.WORD.findall(t):
        if script.DENSE.search(w) and len(w) > 1:
            out.extend(w[i:i + 2] for i in range(len(w) - 1))
        else:
            out.append(w.lower())
    return tuple(out)


def _word_count_before(t: str) -> float:
    if t.isascii():
        return float(len(t.translate(ASCII_NON_WORD).split()))
    d = script.dense_chars(t)
    if not d:
        return float(len(script.WORD.findall(t)))
    return len(script.WORD.findall(script._DENSE_RUN.sub(" ", t))) + d / script.DENSE_CHARS_PER_WORD


def _mark_blocks_before(lines_: list[Line], r: rules.TextRules, signals: Counter) -> None:
    if not structure.blank_line_layout(lines_, r):
        return
    n, i = len(lines_), 0
    while i < n:
        head = lines_[i]
        if head.kind == "title" or (i > 0 and head.gap == 0) or not structure._short_heading(head.text):
            i += 1
            continue
        j = i + 1
        while j < n and lines_[j].gap == 0:
            j += 1
        items = lines_[i + 1: j]
        if len(items) >= 2 and sum(not x.kind for x in items) >= 1 and not structure._one_text(lines_[i:j]):
            for x in (head, *items):
                if not x.kind:
                    x.kind = "related"
                    signals["related_lines"] += 1
            signals["related_blocks"] += 1
            i = j
            continue
        i += 1


def _mark_end_of_article_before(lines_: list[Line], r: rules.TextRules, signals: Counter, metadata: dict) -> None:
    total = sum(len(ln.text) for ln in lines_ if not ln.kind and lines._is_prose(ln.text, r))
    if not total:
        return
    seen = 0
    for i, ln in enumerate(lines_):
        if ln.kind == "title":
            continue
        if not ln.kind and lines._is_prose(ln.text, r):
            seen += len(ln.text)
            m = structure._trailing_end(ln.text) if seen >= structure.END_AFTER_SHARE * total else None
            if m and structure._tail_is_junk(lines_[i + 1:], r):
                metadata.setdefault("end_mark", m.group("mark"))
                ln.text = ln.text[: m.start()].rstrip()
                ln.raw = ln.text
                signals["end_marks"] += 1
                structure._cut_tail(lines_[i + 1:], signals)
                return
            continue
        if (seen >= structure.END_AFTER_SHARE * total and (ln.kind == "end" or structure.END_FORM.match(ln.text))
                and structure._tail_is_junk(lines_[i + 1:], r)):
            metadata.setdefault("end_mark", ln.text)
            if not ln.kind:
                ln.kind = "end"
            signals["end_marks"] += 1
            structure._cut_tail(lines_[i + 1:], signals)
            return


PROSE = ["The council approved the budget on Tuesday after a long debate about schools, roads and water, said the mayor.",
         "Residents had waited for years for the new bridge, which will open next spring if the weather holds, he said.",
         "Officials said the plan would cost more than expected, but that the town could afford it without new taxes. (END)",
         "The project is the largest in the region since the war, and it will employ hundreds of workers for years. ###"]
SHORT = ["Related stories", "More news", "Sports", "World", "Comments", "read more", "Top Stories:", "Home", "-X-", "###",
         "[END]", "Photo: Reuters", "A short line", "Another item here", "Yet another item", "Weather"]


def test_blocks_and_end_of_article_marked_as_before() -> None:
    r = load_rules("en").text
    rnd = random.Random(26)
    kinds = ["", "", "", "", "title", "caption", "boiler", "end"]
    for _ in range(3000):
        texts = [rnd.choice(PROSE) if rnd.random() < 0.35 else rnd.choice(SHORT) for _ in range(rnd.randint(1, 30))]
        gaps = [rnd.choice([0, 0, 1, 1, 2]) for _ in texts]
        ks = [rnd.choice(kinds) for _ in texts]
        for fn, before in ((structure.mark_blocks, _mark_blocks_before),
                           (lambda a, b, c: structure.mark_end_of_article(a, b, c, meta_a),
                            lambda a, b, c: _mark_end_of_article_before(a, b, c, meta_b))):
            meta_a: dict = {}
            meta_b: dict = {}
            a = [Line(t, t, g, k) for t, g, k in zip(texts, gaps, ks)]
            b = [Line(t, t, g, k) for t, g, k in zip(texts, gaps, ks)]
            sa: Counter = Counter()
            sb: Counter = Counter()
            fn(a, r, sa)
            before(b, r, sb)
            assert [(x.text, x.kind) for x in a] == [(x.text, x.kind) for x in b]
            assert sa == sb and meta_a == meta_b
