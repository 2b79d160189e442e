"""Script-aware text measures shared by text and HTML mode.

Han, kana, Thai (and Lao, Khmer, Myanmar) are written without spaces between words: a line's length,
its weight in the main-region score and title similarity are counted in characters there, not in
``\\w+`` tokens (a Chinese title is one token). Hangul has spaces but short words: it counts as words.
Sentence ends include the full-width ``。！？``, Arabic ``؟`` and Devanagari ``।``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, wraps
from itertools import islice
from typing import Any, TypeVar, cast

from pipeline.stages.words import count_words, find_words

WORD = re.compile(r"\w+")
# An ASCII line's ``\w+`` runs without the regex: every other ASCII character becomes a space (no word
# character is whitespace) in a table of bytes read in C per byte, then ``split()`` (an ASCII line encoded,
# translated and split; 2-3 times faster than ``str.translate``'s dict look-ups, which were 3-6 times faster
# than ``findall``); ``_ASCII_WORDS_LOWER`` also lower-cases, as ``str.lower`` does an ASCII line (A-Z only)
_ASCII_WORDS = bytes(c if c < 128 and WORD.fullmatch(chr(c)) else 32 for c in range(256))
_ASCII_WORDS_LOWER = bytes(ord(chr(c).lower()) if c < 128 and WORD.fullmatch(chr(c)) else 32 for c in range(256))
# any other line's words: :mod:`pipeline.stages.words` (``count_words``, ``find_words``)


# closing quotes/brackets after a sentence end, full-width and CJK corner brackets included
SENT_END = re.compile(r"[.!?。！？…؟।][\'\"”’)\]」』）》】]*$")
_SENT_END_CHARS = frozenset(".!?。！？…؟।")
_SENT_CLOSERS = "'\"”’)]」』）》】"


def ends_sentence(t: str) -> bool:
    """``SENT_END.search(t)`` without the regex's scan of every position (a long line costs the same as a
    short one): the closers are stripped from the end, the character before them ends a sentence (the
    two sets share no character; ``$`` also matches before a final newline)."""
    if t[-1:] == "\n":
        t = t[:-1]
    return t.rstrip(_SENT_CLOSERS)[-1:] in _SENT_END_CHARS
SENT_PUNCT = re.compile(r"[.!?。！？,;，；:؟،؛।]\s|[.!?。！？؟।]$|[。，！？、；：]")
DENSE = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
THAI = re.compile("[\u0e00-\u0e7f]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
URLISH = re.compile(r"https?://|www\.|\.(com|org|net)\b|@\w")
_DENSE_RUN = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# About one word per two characters of Han / kana / Thai: the unit that makes a dense-script line's
# weight comparable with a spaced line's word count (the 12-word heading limit, the region score).
DENSE_CHARS_PER_WORD = 2.0
# A headline in Han / kana / Thai runs to 60 characters (Thai counts its vowel and tone marks) = 30 "words".
DENSE_HEADING_WORDS = 30


# The clean stage asks about the same lines again and again (structure and fixpoint passes, heads and
# tails, repeats and title copies): over 286 throughput documents 103,205 ``is_prose`` calls for 11,821
# distinct lines, 2.4 calls a line for the pack patterns, 140,000 ``tokens`` calls. Wire copies bring the
# same lines back some hundred documents later: over the 2,000-document throughput corpus 8,192 answers a
# function hit 0.68-0.91 of the pattern functions' calls where 4,096 hit 0.59-0.83 (16,384: 0.68-0.93, but
# a worker's memory still growing at 10,000 documents). ``line_memo`` remembers the last LINE_MEMO answers
# of such a function, for lines of at most LINE_MEMO_MAX_CHARS (98 % of the calls); longer ones are asked
# afresh and never kept. The functions are mostly asked about the same line objects, whose memory their
# memos share: about 35 MB more than with 4,096 (a stage worker's peak 405 against 371 MiB after 10,000
# documents, flat from 6,000), whatever the input's size, so a long-lived worker stays flat. Only for
# functions pure in their arguments.
LINE_MEMO = 8192
LINE_MEMO_MAX_CHARS = 1000
_F = TypeVar("_F", bound=Callable[..., Any])


def line_memo(fn: _F) -> _F:
    """``fn(line, *rest)`` remembering its answers for lines of at most LINE_MEMO_MAX_CHARS characters
    (``.remembered``: the cache, for its ``cache_info``; ``__wrapped__``: ``fn`` itself)."""
    remembered = lru_cache(maxsize=LINE_MEMO)(fn)
    ask: Callable[..., Any]
    # the hot callers pass a line (and the rules): a wrapper of that fixed arity, no ``*rest`` tuple to pack
    code = fn.__code__
    plain = not code.co_flags & 0x0C and not code.co_kwonlyargcount and not fn.__defaults__  # no *a, **kw, defaults
    arity = code.co_argcount if plain else -1
    if arity == 1:
        def ask(t: str) -> Any:
            return remembered(t) if len(t) <= LINE_MEMO_MAX_CHARS else fn(t)
    elif arity == 2:
        def ask(t: str, r: Any) -> Any:
            return remembered(t, r) if len(t) <= LINE_MEMO_MAX_CHARS else fn(t, r)
    else:
        def ask(t: str, *rest: Any) -> Any:
            return remembered(t, *rest) if len(t) <= LINE_MEMO_MAX_CHARS else fn(t, *rest)

    ask = wraps(fn)(ask)
    ask.remembered = remembered  # type: ignore[attr-defined]
    return cast(_F, ask)


def dense_chars(t: str) -> int:
    return 0 if t.isascii() else len(DENSE.findall(t))  # (no dense script in ASCII)


def is_dense(t: str) -> bool:
    """Mostly written without spaces (at least a third of its letters are Han / kana / Thai)."""
    d = dense_chars(t)
    return d > 0 and d * 3 >= len(re.sub(r"[\W\d_]", "", t))


@line_memo
def word_count(t: str) -> float:
    """Words of a spaced script plus dense characters / DENSE_CHARS_PER_WORD (remembered for lines: the
    region score weighs every line in every pass)."""
    if t.isascii():
        return float(len(t.encode("ascii").translate(_ASCII_WORDS).split()))
    d = dense_chars(t)
    if not d:
        return float(count_words(t))
    spaced = count_words(_DENSE_RUN.sub(" ", t))
    return spaced + d / DENSE_CHARS_PER_WORD


# a maximal ``\w+`` run without a dense-script character (DENSE): one word in :func:`word_count`, whatever else
_PLAIN_WORD = re.compile(rf"(?<!\w)[^\W{DENSE.pattern[1:-1]}]++(?!\w)")


def has_words(t: str, n: int) -> bool:
    """``len(WORD.findall(t)) >= n``, reading only as far as the ``n``-th word."""
    return n <= 0 or sum(1 for _ in islice(WORD.finditer(t), n)) >= n


def word_count_at_least(t: str, n: int) -> bool:
    """``word_count(t) >= n``, reading only as far as the first ``n`` words where it can: the spaced part
    of the count holds each maximal ``\\w+`` run without a dense-script character (replacing the dense runs
    by spaces leaves such a run as it is), so ``n`` of them answer; else the whole count."""
    if n <= 0 or sum(1 for _ in islice(_PLAIN_WORD.finditer(t), n)) >= n:
        return True
    return word_count(t) >= n


def heading_like_script(t: str) -> bool:
    """A heading starts with a capital, or with a letter of a script without case (Han, Arabic, Thai...)."""
    c = t[:1]
    if c.isupper():
        return True
    if not c.isalpha() or c.islower():
        return False
    return word_count(t) <= (DENSE_HEADING_WORDS if is_dense(t) else 12)


@line_memo
def tokens(t: str) -> tuple[str, ...]:
    """Lower-cased ``\\w+`` tokens; a token of a dense script becomes its character bigrams (a tuple: a
    caller cannot change a remembered answer)."""
    if t.isascii():
        return tuple(t.encode("ascii").translate(_ASCII_WORDS_LOWER).decode("ascii").split())
    if not DENSE.search(t):
        return tuple(find_words(t.lower()))
    out: list[str] = []
    for w in WORD.findall(t):
        if DENSE.search(w) and len(w) > 1:
            out.extend(w[i:i + 2] for i in range(len(w) - 1))
        else:
            out.append(w.lower())
    return tuple(out)


def similar(a: str, b: str) -> bool:
    """Near-identical lines (punctuation, case, ellipsis and small wording changes ignored)."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return False
    return ta == tb or similar_tokens(ta, tb, set(tb))


def similar_tokens(ta: tuple[str, ...], tb: tuple[str, ...], sb: set[str]) -> bool:
    """:func:`similar` of two lines' tokens (``sb``: ``set(tb)``, for a caller comparing many lines with one).
    Fewer than 3 tokens, or fewer than 4/5 of the other's distinct ones, can never share enough."""
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    if len(ta) < 3 or 5 * len(ta) < 4 * len(sb):  # inter <= len(set(ta)) <= len(ta)
        return False
    sa = set(ta)
    inter = len(sa & sb)
    return inter >= 3 and inter / max(len(sa), len(sb)) >= 0.8
