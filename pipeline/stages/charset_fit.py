"""How well a decoded text reads as a language its charset was made for.

A wrong legacy charset usually still decodes: windows-1250 turns French ``è`` into ``č``,
KOI8-R turns windows-1251 Russian into ``пРИМЕР``. What gives it away is that the result does
not read as any language the charset serves. Three measures, all cheap:

* ``lm``: log-likelihood per non-ASCII byte of the text's non-ASCII characters: a letter costs
  its unigram and bigram log-probabilities under langdetect's language profiles (n-gram
  frequencies from Wikipedia, shipped with langdetect), best over the charset's languages
  (``config/encodings.yaml``); a Han character or Hangul syllable outside the standards'
  common sets costs extra; a non-letter costs a fixed price, high for rare symbols (C1
  controls, ``¤ ¦ ± ¶``, box drawing, private use...). ASCII decodes the same in every
  candidate, so it carries no evidence and is not scored.
* ``rare``: share of non-ASCII characters that are rare symbols (reported, for explanations).
* ``case``: share of non-ASCII words with a lowercase letter right before an uppercase one.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
_WORD_RE = re.compile(r"[^\W\d_]+")
_TAG_RE = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>|&[#\w]+;", re.S | re.I)
# Non-letters that ordinary text uses (typographic punctuation, currency, CJK punctuation).
_APOSTROPHES = set("’´ʼ‘")  # typed for "'" inside words (rapper´s, l’homme): punctuation, not mojibake
_COMMON = _APOSTROPHES | set("\u00a0«»¡¿€£¥°§©®™№·•\u00ad–—‚“”„…′″‹›") | {chr(c) for c in range(0x2010, 0x2028)} \
    | {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF01, 0xFF66)}
_UNKNOWN = 0.5  # pseudo-count of an n-gram a profile has never seen


@dataclass(frozen=True)
class Fit:
    lm: float  # log-likelihood per non-ASCII byte (higher reads better)
    language: str | None  # the charset language the text reads best as
    rare: float
    case: float
    mixed: float  # share of non-ASCII words mixing ASCII Latin with another script
    chars: int  # how many non-ASCII characters were judged


@lru_cache(maxsize=None)
def _profile(code: str) -> tuple[dict[str, int], tuple[int, ...]] | None:
    """langdetect's n-gram counts for ``code`` (unigrams and bigrams only); for a language langdetect
    has no profile for, a related language's counts with its own alphabet's letters added
    (``borrowed_profiles`` in config/encodings.yaml); else None."""
    own = _langdetect_profile(code)
    if own is not None:
        return own
    from pipeline.config import load_yaml

    borrowed = (load_yaml("encodings.yaml").get("borrowed_profiles") or {}).get(code)
    base = _langdetect_profile(borrowed["profile"]) if borrowed else None
    if borrowed is None or base is None:
        return None
    freq, totals = dict(base[0]), base[1]
    letters = borrowed.get("letters") or ""
    shares = letters if isinstance(letters, dict) else dict.fromkeys(letters, float(borrowed.get("letter_share", 0.01)))
    for ch, share in shares.items():  # a letter of the alphabet: its own share of letters, or a usual accented letter's
        freq[ch] = max(freq.get(ch, 0), int(float(share) * totals[0]))
    return freq, totals


@lru_cache(maxsize=None)
def _langdetect_profile(code: str) -> tuple[dict[str, int], tuple[int, ...]] | None:
    """langdetect's n-gram counts for ``code`` (1- to 3-grams), or None."""
    import langdetect

    folder = Path(langdetect.__file__).parent / "profiles"
    names = {"zh": ("zh-cn", "zh-tw")}.get(code, (code,))
    freq: dict[str, int] = {}
    totals = [0, 0, 0]
    found = False
    for name in names:
        path = folder / name
        if not path.is_file():
            continue
        found = True
        data = json.loads(path.read_text(encoding="utf-8"))
        for gram, count in data["freq"].items():
            freq[gram] = freq.get(gram, 0) + count
        totals = [a + b for a, b in zip(totals, data["n_words"])]
    return (freq, tuple(totals)) if found else None


@lru_cache(maxsize=65536)
def _normalize(ch: str) -> str:
    from langdetect.utils.ngram import NGram

    return str(NGram.normalize(ch))


@lru_cache(maxsize=65536)
def _small(ch: str) -> str:
    """The small letter of a Latin capital, as langdetect normalises it ("Ș" -> "ş"); other characters as
    they are (the profiles count Cyrillic and Greek capitals well, and mojibake is full of them)."""
    low = ch.lower()
    return _normalize(low) if ch.isupper() and len(low) == 1 and script_of(ch) == "LATIN" else ch


@lru_cache(maxsize=65536)
def is_rare(ch: str) -> bool:
    if ch in _COMMON:
        return False
    cat = unicodedata.category(ch)
    return not (cat[0] in "LMN" or cat == "Zs")


def text_sample(text: str, html: bool, limit: int = 4000) -> str:
    """The parts of ``text`` that hold non-ASCII characters (markup stripped), up to ``limit``
    characters spread over the whole text."""
    if html:
        text = _TAG_RE.sub(" ", text)
    lines = [ln for ln in text.splitlines() if not ln.isascii()]
    if sum(len(ln) for ln in lines) <= limit:
        return "\n".join(lines)
    picked: list[str] = []
    budget = limit
    step = max(1, len(lines) // 40)
    for ln in lines[::step]:
        piece = ln[: min(len(ln), max(200, limit // 40))]
        picked.append(piece)
        budget -= len(piece)
        if budget <= 0:
            break
    return "\n".join(picked)


@lru_cache(maxsize=1)
def common_cjk() -> frozenset[str]:
    """The everyday Han characters and Hangul syllables: GB 2312 level 1, Big5's frequently used
    characters (0xA440-0xC67E), JIS X 0208 level 1 and KS X 1001's 2,350 syllables -- the sets
    those standards define as common, read from Python's codecs. A wrong CJK decode lands
    mostly outside them."""
    chars: set[str] = set()
    for codec, leads, trails in (("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF)),
                                 ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),
                                 ("euc_jp", range(0xB0, 0xD0), range(0xA1, 0xFF)),
                                 ("euc_kr", range(0xB0, 0xC9), range(0xA1, 0xFF))):
        for lead in leads:
            for trail in trails:
                try:
                    chars.add(bytes((lead, trail)).decode(codec))
                except UnicodeDecodeError:
                    pass
    return frozenset(chars)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uf900" <= ch <= "\ufaff"


_SPACE_P = 0.15  # unigram probability of a word boundary (about one in 6-7 characters)
_BACKOFF = -1.0  # an unseen bigram costs its two unigrams and this much more
# A non-ASCII Latin letter's trigram (langdetect's profiles keep the common ones) against what its two
# bigrams predict: Croatian " čl" is common, Italian " èl" is not, and only the trigram says so. Seen
# trigrams move the cost either way, unseen ones only down (pruned profiles); weight and floor were
# chosen on the odd halves of benchmarks/encodings.py and benchmarks/encodings_udhr.py.
_TRI_WEIGHT = 0.3
_TRI_FLOOR = -3.0
_CONTEXT_CHARS = 400  # ASCII letters scored for the language context
_CACHE_MAX = 20_000  # trigram costs kept per language model (about 2 MB each)


class _Model:
    """Unigram + bigram log-probabilities of one language (bigrams backing off to unigrams), trigrams around Latin letters."""

    def __init__(self, code: str) -> None:
        profile = _profile(code)
        self.ok = profile is not None
        self.freq, totals = profile if profile else ({}, (1, 1, 1))
        self.n1, self.n2, self.n3 = max(1, totals[0]), max(1, totals[1]), max(1, totals[2])
        self.cache: dict[str, float] = {}
        # how often a Latin letter is a capital in this profile: the price of reading "Ş" as "ş"
        cased = [(g, n) for g, n in self.freq.items() if len(g) == 1 and script_of(g) == "LATIN" and g.lower() != g.upper()]
        upper = sum(n for g, n in cased if g.isupper())
        self.capital = math.log(max(upper, 1) / max(1, sum(n for _, n in cased)))

    def uni(self, ch: str) -> float:
        if ch == " ":
            return math.log(_SPACE_P)
        return math.log((self.freq.get(ch, 0) + _UNKNOWN) / self.n1)

    def cost(self, prev: str, ch: str, nxt: str) -> float:
        """Log-probability of ``ch`` with half of each bigram it is in."""
        key = prev + ch + nxt
        cached = self.cache.get(key)
        if cached is None:
            # a capital is its small letter, capitalised: profiles seldom see "Ş" or "É", and write
            # Romanian "Ș" and "Ş" differently although they are one letter
            p, c, n = _small(prev), _small(ch), _small(nxt)
            cached = self.uni(c) + 0.5 * (self._bi(p + c) + self._bi(c + n)) + (self.capital if c != ch else 0.0)
            if not c.isascii() and script_of(c) == "LATIN":  # the trigram around the letter vs its bigrams
                chained = self._bi(p + c) + self._bi(c + n) - self.uni(c)
                seen = self.freq.get(p + c + n, 0)
                surprise = math.log((seen + _UNKNOWN) / self.n3) - chained
                cached += _TRI_WEIGHT * max(surprise if seen else min(surprise, 0.0), _TRI_FLOOR)
            if len(self.cache) >= _CACHE_MAX:  # hostile text of every Unicode plane would grow it forever
                self.cache.clear()
            self.cache[key] = cached
        return cached

    def _bi(self, gram: str) -> float:
        count = self.freq.get(gram)
        if count:
            return math.log(count / self.n2)
        return self.uni(gram[0]) + self.uni(gram[1]) + _BACKOFF


@lru_cache(maxsize=None)
def model(code: str) -> _Model:
    return _Model(code)


def normalized(sample: str) -> str:
    """``sample`` as langdetect sees it (non-letters as spaces), padded with a space each side."""
    return " " + "".join(" " if ch == "\ufffd" or ch in _APOSTROPHES else _normalize(ch) for ch in sample) + " "


def context(norm: str, languages: tuple[str, ...]) -> dict[str, float]:
    """Log-likelihood of the ASCII letters (the same in every candidate) per language: the
    language the context is written in, so a lone "è" is judged as Italian, not as Russian "и"."""
    positions = [j for j in range(1, len(norm) - 1) if norm[j] != " " and norm[j].isascii()
                 and norm[j - 1].isascii() and norm[j + 1].isascii()][:_CONTEXT_CHARS]
    trigrams = Counter(norm[j - 1:j + 2] for j in positions)
    out = {}
    for code in languages:
        m = model(code)
        if m.ok:
            out[code] = sum(n * m.cost(g[0], g[1], g[2]) for g, n in trigrams.items())
    return out


def fit(sample: str, languages: tuple[str, ...], weights: dict[str, float], nonascii_bytes: int,
        ctx: dict[str, float]) -> Fit:
    """How well ``sample`` reads as the best of ``languages``, given the ASCII ``context``
    log-likelihoods: (best over the languages of context + non-ASCII log-likelihood, minus the
    best context of any language), per non-ASCII byte of the file, so a two-byte character and
    two one-byte letters compete fairly."""
    chars = [i for i, ch in enumerate(sample) if ord(ch) > 0x7f and ch != "\ufffd"]  # the caller prices U+FFFD
    rare = sum(1 for i in chars if is_rare(sample[i])) / len(chars) if chars else 0.0
    words = [w for w in _WORD_RE.findall(sample) if not w.isascii()]
    odd = sum(1 for w in words if any(a.islower() and b.isupper() for a, b in zip(w, w[1:])))
    case = odd / len(words) if words else 0.0
    mixed = sum(1 for w in words if _mixed_script(w)) / len(words) if words else 0.0
    norm = normalized(sample)
    common = common_cjk()
    fixed = 0.0  # costs that do not depend on the language
    letters = []
    for i in chars:
        ch = sample[i]
        if norm[i + 1] == " ":
            inside_word = norm[i] != " " and norm[i + 2] != " " and ch not in _APOSTROPHES  # "die»a»a"
            fixed += (weights["symbol_in_word_cost"] if inside_word else
                      weights["rare_cost"] if is_rare(ch) else weights["punctuation_cost"])
        else:
            letters.append(i + 1)
            if _is_cjk(ch) and ch not in common:
                fixed += weights["uncommon_cjk_cost"]
    # ASCII positions whose bigrams touch a non-ASCII letter belong to this candidate, not the context
    edges = {j for i in letters for j in (i - 1, i + 1) if norm[j] != " " and norm[j].isascii()}
    best, best_lang = -math.inf, None
    # Every cost is a log-probability (<= 0): a language whose context alone is no better than the
    # best total so far cannot win, so languages are tried best context first and cut off early.
    keys = [norm[j - 1:j + 2] for j in letters]
    edge_keys = [norm[j - 1:j + 2] for j in edges]
    for code in sorted((c for c in languages if model(c).ok), key=lambda c: -ctx.get(c, 0.0)):
        m = model(code)
        total = ctx.get(code, 0.0)
        if total <= best:
            break
        cost, cut = m.cost, False
        for n, key in enumerate(keys):
            total += cost(key[0], key[1], key[2])
            if n % 8 == 7 and total <= best:  # the rest can only lower it
                cut = True
                break
        if cut:
            continue
        total += sum(cost(k[0], k[1], k[2]) - m.uni(k[1]) for k in edge_keys)
        if total > best:
            best, best_lang = total, code
    if best_lang is None:
        best = len(letters) * weights["rare_cost"]
    baseline = max(ctx.values()) if ctx else 0.0
    lm = (best - baseline + fixed) / max(1, nonascii_bytes)
    return Fit(lm, best_lang, rare, case, mixed, len(chars))


@lru_cache(maxsize=65536)
def script_of(ch: str) -> str:
    """The script of a letter as Unicode names it (LATIN, CYRILLIC, ARABIC, CJK, HIRAGANA...)."""
    try:
        return unicodedata.name(ch).split()[0]
    except ValueError:
        return "UNKNOWN"


def main_script(sample: str) -> str | None:
    """The script most of ``sample``'s non-ASCII letters are in (None when it has none)."""
    counts = Counter(script_of(ch) for ch in sample if ord(ch) > 0x7f and ch.isalpha())
    return counts.most_common(1)[0][0] if counts else None


def _mixed_script(word: str) -> bool:
    """ASCII Latin letters and letters of another script in one word ("Ѕtбt"): mojibake."""
    return any(ch.isascii() for ch in word) and any(ch > "\u024f" and not "\u1e00" <= ch <= "\u1eff"
                                                     for ch in word)


def language_of(sample: str, detect_text: Any, sure: float) -> str:
    """The language a decode reads as. The language stage (``detect_text``) names mostly the languages
    langdetect has profiles for (a few more only when fastText is sure of them: ``extra_languages``), so Icelandic came out as Hungarian and counted against windows-1252;
    fastText knows 176, and when it is at least ``sure`` its answer stands."""
    from pipeline.stages.language_models import fasttext_top

    (best, p), *_ = fasttext_top([sample])[0] or [("und", 0.0)]
    return best if p >= sure else str(detect_text(sample).language)
