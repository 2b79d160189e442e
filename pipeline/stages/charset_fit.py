"""How well a decoded text reads as a language its charset was made for.

A wrong legacy charset usually still decodes: windows-1250 turns French ``è`` into ``č``,
KOI8-R turns windows-1251 Russian into ``пРИМЕР``. What gives it away is that the result does
not read as any language the charset serves. Three measures, all cheap:

* ``lm``: mean log-probability of the text's non-ASCII unigrams and bigrams under langdetect's
  language profiles (n-gram frequencies from Wikipedia, shipped with langdetect), best over
  the charset's languages (``config/encodings.yaml``). Only n-grams with a non-ASCII character
  count: ASCII decodes the same in every candidate, so it carries no evidence.
* ``rare``: share of non-ASCII characters that are neither letters, marks, digits nor common
  punctuation (C1 controls, ``¤ ¦ ± ¶``, box drawing, private use...).
* ``case``: share of non-ASCII words with a lowercase letter right before an uppercase one.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
_WORD_RE = re.compile(r"[^\W\d_]+")
_TAG_RE = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>|&[#\w]+;", re.S | re.I)
# Non-letters that ordinary text uses (typographic punctuation, currency, CJK punctuation).
_COMMON = set("\u00a0«»¡¿€£¥°§©®™№·•\u00ad–—‘’‚“”„…′″‹›") | {chr(c) for c in range(0x2010, 0x2028)} \
    | {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF01, 0xFF66)}
_UNKNOWN = 0.5  # pseudo-count of an n-gram a profile has never seen


@dataclass(frozen=True)
class Fit:
    lm: float  # mean log-probability per n-gram (0 when there is nothing to judge)
    language: str | None  # the charset language the text reads best as
    rare: float
    case: float
    grams: int  # how many n-grams were judged


@lru_cache(maxsize=None)
def _profile(code: str) -> tuple[dict[str, int], tuple[int, ...]] | None:
    """langdetect's n-gram counts for ``code`` (unigrams and bigrams only), or None."""
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
            if len(gram) <= 2:
                freq[gram] = freq.get(gram, 0) + count
        totals = [a + b for a, b in zip(totals, data["n_words"])]
    return (freq, tuple(totals)) if found else None


@lru_cache(maxsize=65536)
def _normalize(ch: str) -> str:
    from langdetect.utils.ngram import NGram

    return NGram.normalize(ch)


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


def _grams(sample: str) -> list[str]:
    norm = "".join(_normalize(ch) for ch in sample)
    norm = " " + re.sub(" +", " ", norm) + " "
    out = [ch for ch in norm if ord(ch) > 0x7f]
    out += [norm[i:i + 2] for i in range(len(norm) - 1)
            if (ord(norm[i]) > 0x7f or ord(norm[i + 1]) > 0x7f) and norm[i:i + 2] != "  "]
    return out


def fit(sample: str, languages: tuple[str, ...]) -> Fit:
    """How well ``sample`` reads as the best of ``languages`` (see the module docstring)."""
    chars = _NON_ASCII_RE.findall(sample)
    rare = sum(1 for ch in chars if is_rare(ch)) / len(chars) if chars else 0.0
    words = [w for w in _WORD_RE.findall(sample) if not w.isascii()]
    odd = sum(1 for w in words if any(a.islower() and b.isupper() for a, b in zip(w, w[1:])))
    case = odd / len(words) if words else 0.0
    grams = _grams(sample)
    best, best_lang = -math.inf, None
    for code in languages:
        profile = _profile(code)
        if profile is None or not grams:
            continue
        freq, totals = profile
        total = sum(math.log((freq.get(g, 0) + _UNKNOWN) / max(1, totals[len(g) - 1])) for g in grams)
        mean = total / len(grams)
        if mean > best:
            best, best_lang = mean, code
    return Fit(best if best_lang else 0.0, best_lang, rare, case, len(grams))
