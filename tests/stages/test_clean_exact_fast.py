"""Text mode's shortcuts (s17) answer exactly as the code they replace: sentence ends read from the end,
ten words without listing them all, the title's tokens compared once, the fixpoint pass's lines built
from the kept texts, caption forms remembered."""

from __future__ import annotations

import random
import re

from pipeline.stages.clean import alt_text, lines, script, structure, text
from pipeline.stages.clean import captions_by_form as cf
from pipeline.stages.clean.packs import load_packs

ODD = list(".!?。！？…؟।'\"”’)]」』）》】»([{“‘«-–—/（「『;:；：\n \t\x1c\x85\u2028\u3000ab1_,é中\u0301")


def _strings(seed: int, n: int = 4000, longest: int = 8) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(ODD) for _ in range(rnd.randint(0, longest))) for _ in range(n)]


def test_sentence_ends_read_from_the_end_equal_the_regexes() -> None:
    for t in _strings(1):
        assert script.ends_sentence(t) == bool(script.SENT_END.search(t)), repr(t)
        assert cf._ends_sentence(t) == bool(cf._ENDS_SENTENCE.search(t)), repr(t)


def test_ten_words_equal_counting_them() -> None:
    for t in _strings(2, longest=40):
        assert (lines._TEN_WORDS.match(t) is not None) == (len(script.WORD.findall(t)) >= 10), repr(t)


def _similar_as_before(a: str, b: str) -> bool:
    ta, tb = script.tokens(a), script.tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    sa, sb = set(ta), set(tb)
    inter = len(sa & sb)
    return inter >= 3 and inter / max(len(sa), len(sb)) >= 0.8


def test_similar_tokens_equal_similar() -> None:
    rnd = random.Random(3)
    words = [f"w{i}" for i in range(30)] + ["北京", "上海"]
    for _ in range(20000):
        base = rnd.sample(words, rnd.randint(1, 20))
        a = " ".join(base + rnd.choices(words, k=rnd.randint(0, 4)))
        b = " ".join([w for w in base if rnd.random() > 0.1] + rnd.choices(words, k=rnd.randint(0, 3)))
        tb = script.tokens(b)
        assert script.similar(a, b) == _similar_as_before(a, b) == script.similar_tokens(script.tokens(a), tb, set(tb))


def test_fixpoint_lines_equal_splitting_the_body_again() -> None:
    packs = load_packs()
    docs = ["Headline of the day\n\nBy Jane Doe\n\nThe council approved the budget on Tuesday after a long debate, "
            "the mayor said.\nShare this\n\n\nAnother paragraph with e\u200b\u0301 and more words, as said here.",
            "Title\n\n\u0301Combining first, in a line that goes on long enough to be prose, said someone.\r\n"
            "Next (\nline) ok"]
    seen: list[tuple[list[str], str]] = []
    kept_of = text._body_lines

    def check(kept: list[str], body: str) -> list[lines.Line]:
        seen.append((kept, body))
        return kept_of(kept, body)

    text._body_lines = check  # type: ignore[assignment]
    try:
        for d in docs:
            text.clean_text(d, packs)
    finally:
        text._body_lines = kept_of  # type: ignore[assignment]
    assert seen
    for kept, body in seen:
        fast = [(ln.text, ln.raw, ln.gap, ln.kind) for ln in kept_of(kept, body)]
        slow = [(ln.text, ln.raw, ln.gap, ln.kind) for ln in lines.join_fragments(lines.split_lines(body))]
        assert fast == slow


def test_remembered_caption_forms_equal_asking_each_form() -> None:
    lex = cf.load_lexicon()
    samples = ["Photo: Jane Doe/AP", "Protesters in the square (Photo: Jane Doe/AP)", "【写真】東京の街並み",
               "Zzkartu: Νίκος Παππάς/ΑΠΕ", "The council approved the budget on Tuesday, the mayor said.", "",
               "Archivbild: Der Bundestag in Berlin", "A street in the rain, seen from above | Bild: Name Surname"]
    for t in samples + _strings(4, 500, 30):
        want = next((k for k, ask in ((structure.CREDIT, cf.credit_line), (structure.OPENING, cf.caption_opening),
                                      (structure.CLOSING, cf.caption_closing)) if ask(t, lex)), 0)
        if not want:
            want = structure.CREDIT_SHAPE if cf.credit_by_shape(t) else structure.CAPTION_SHAPE if cf.caption_by_shape(t) else 0
        assert structure.caption_form(t, lex) == structure._form_by_default_lexicon(t) == want, repr(t)


def test_suffix_regexes_read_only_the_end() -> None:
    prev_end = re.compile(r"[(\[{“‘«\-–—/（「『]$")
    for t in _strings(5):
        assert bool(lines._JOIN_PREV_END.search(t[-2:])) == bool(prev_end.search(t)), repr(t)
        assert bool(alt_text.CLOSED.search(t[-4:])) == bool(alt_text.CLOSED.search(t)), repr(t)


def test_ascii_tokens_and_word_counts_equal_the_regex() -> None:
    rnd = random.Random(6)
    ascii_chars = [chr(c) for c in range(128)]
    for _ in range(20000):
        t = "".join(rnd.choice(ascii_chars) for _ in range(rnd.randint(0, 30)))
        assert script.tokens.__wrapped__(t) == tuple(script.WORD.findall(t.lower())), repr(t)
        assert script.word_count.__wrapped__(t) == float(len(script.WORD.findall(t))), repr(t)
