"""Script-aware guards around the statistical detectors of :mod:`pipeline.stages.language`.

The n-gram detectors only know the languages they were trained on: a Burmese page comes out as Somali,
Georgian as Estonian, with high confidence. Facts about writing systems decide first:

* ``script_language``: a script written by one language (or one main language of a few) decides when it
  holds most of the letters: Myanmar -> my, Georgian -> ka, Armenian -> hy, Ethiopic -> am (Tigrinya
  shares it: lower confidence), Khmer -> km, Sinhala -> si, Lao, Tibetan, Thaana, Greek, and the Indic
  scripts used by one language each (Gujarati, Gurmukhi, Oriya, Tamil, Telugu, Kannada, Malayalam).
  Unicode block ranges (the Unicode Standard's block list; languages per script from CLDR's
  script metadata).
* ``cyrillic_letters``: letters a Cyrillic orthography has or lacks narrow the answer (``э``/``ы``: not
  Ukrainian, Bulgarian, Macedonian or Serbian; ``ї``/``є``/``ґ``: Ukrainian; ``ѓ``/``ќ``/``ѕ``:
  Macedonian; ``ђ``/``ћ``: Serbian). "Привет, как дела? Это тест." is not Macedonian.
* ``cjk_language``: Han without kana or Hangul is Chinese; with hiragana (and no Hangul) Japanese.
* ``placeholder``: typesetting filler (lorem ipsum) is no language: ``und``.
* ``calibrate``: on short Latin and Cyrillic text (many languages share those alphabets) a detector's
  0.9999 is not a probability; confidence is capped by the number of letters.

Pure functions returning plain values; :mod:`pipeline.stages.language` builds the ``Detection``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# (first, last code point, language, confidence factor): one language per script, or the main one
_SCRIPTS: tuple[tuple[int, int, str, float], ...] = (
    (0x1000, 0x109F, "my", 1.0),  # Myanmar
    (0x10A0, 0x10FF, "ka", 1.0),  # Georgian
    (0x2D00, 0x2D2F, "ka", 1.0),  # Georgian supplement
    (0x0530, 0x058F, "hy", 1.0),  # Armenian
    (0x1200, 0x139F, "am", 0.75),  # Ethiopic (+ supplement): Amharic; Tigrinya writes it too
    (0x1780, 0x17FF, "km", 1.0),  # Khmer
    (0x0D80, 0x0DFF, "si", 1.0),  # Sinhala
    (0x0E80, 0x0EFF, "lo", 1.0),  # Lao
    (0x0F00, 0x0FFF, "bo", 0.9),  # Tibetan (Dzongkha shares it)
    (0x0780, 0x07BF, "dv", 1.0),  # Thaana
    (0x0370, 0x03FF, "el", 1.0),  # Greek
    (0x1F00, 0x1FFF, "el", 1.0),  # Greek extended
    (0x0A80, 0x0AFF, "gu", 1.0),  # Gujarati
    (0x0A00, 0x0A7F, "pa", 1.0),  # Gurmukhi
    (0x0B00, 0x0B7F, "or", 1.0),  # Oriya
    (0x0B80, 0x0BFF, "ta", 1.0),  # Tamil
    (0x0C00, 0x0C7F, "te", 1.0),  # Telugu
    (0x0C80, 0x0CFF, "kn", 1.0),  # Kannada
    (0x0D00, 0x0D7F, "ml", 1.0),  # Malayalam
)
_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
CYRILLIC_LANGS = ("ru", "uk", "bg", "mk", "sr", "be")
# letter -> the languages whose standard orthography uses it (among CYRILLIC_LANGS)
_CYR_HAS = {"э": {"ru", "be"}, "ы": {"ru", "be"}, "ё": {"ru", "be"}, "ъ": {"ru", "bg"},
            "і": {"uk", "be"}, "ї": {"uk"}, "є": {"uk"}, "ґ": {"uk"}, "ў": {"be"},
            "ѓ": {"mk"}, "ќ": {"mk"}, "ѕ": {"mk"}, "ђ": {"sr"}, "ћ": {"sr"},
            "љ": {"sr", "mk"}, "њ": {"sr", "mk"}, "џ": {"sr", "mk"}, "ј": {"sr", "mk"},
            "щ": {"ru", "uk", "bg"}, "й": {"ru", "uk", "bg", "be"}}
# Typesetting filler (Cicero as scrambled by printers since the 1500s): the words it is made of.
_FILLER = frozenset("lorem ipsum dolor sit amet consectetur consectetuer adipiscing adipisici elit sed do eiusmod "
                    "tempor incididunt labore dolore magna aliqua enim minim veniam quis nostrud exercitation "
                    "ullamco laboris nisi aliquip commodo consequat duis aute irure reprehenderit voluptate "
                    "velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident "
                    "sunt culpa qui officia deserunt mollit anim est laborum".split())
SHORT_LETTERS = 120  # below this many letters a Latin / Cyrillic answer's confidence is capped


_NON_LETTERS = re.compile(r"[\W\d_]+")
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def _count_letters(text: str) -> int:
    """len(_LETTER.findall(text)) without the list: an ASCII text's non-letters deleted as bytes."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))
    return len(_NON_LETTERS.sub("", text))


def script_languages() -> list[str]:
    """Codes the script guard can answer with (besides the detectors' own)."""
    return sorted({lang for _, _, lang, _ in _SCRIPTS})


# every letter of the table's scripts: when these are not half the letters, no script decides
_TABLE_LETTERS = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi, _, _ in _SCRIPTS) + "]")


def script_language(text: str) -> tuple[str, float] | None:
    """(language, confidence) when one script of the table holds most of the letters, else None."""
    if text.isascii() or not _TABLE_LETTERS.search(text):
        return None
    letters = _LETTER.findall(text)
    if not letters or len(_TABLE_LETTERS.findall(text)) * 2 < len(letters):
        return None
    counts: dict[tuple[str, float], int] = {}
    for ch in letters:
        cp = ord(ch)
        if cp < 0x0370:
            continue
        for lo, hi, lang, factor in _SCRIPTS:
            if lo <= cp <= hi:
                counts[(lang, factor)] = counts.get((lang, factor), 0) + 1
                break
    if not counts:
        return None
    (lang, factor), n = max(counts.items(), key=lambda kv: kv[1])
    share = n / len(letters)
    return (lang, round(share * factor, 4)) if share >= 0.5 else None


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa\u30fc]")  # kana letters (not the middle dot)
_HIRAGANA = re.compile("[\u3041-\u3096]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def cjk_language(text: str, answer: str | None, min_dense: int) -> tuple[str, float] | None:
    """(language, share of the letters) when the Han / kana script says a language other than ``answer``
    and holds at least half of the letters (and ``min_dense`` characters): Han without any kana or Hangul
    is Chinese (not ja/ko); Han and kana with some hiragana (Japanese grammar, not a quoted name) and no
    Hangul are Japanese (not zh/ko); else None."""
    if text.isascii():
        return None
    han = len(_HAN.findall(text))
    hangul = _HANGUL.search(text)
    if not hangul and not _KANA.search(text):
        language, dense = "zh", han
    elif not hangul and len(_HIRAGANA.findall(text)) >= max(min_dense, han // 10):
        language, dense = "ja", han + len(_KANA.findall(text))
    else:
        return None
    letters = _count_letters(text)
    if language != answer and dense >= min_dense and dense * 2 >= letters:
        return language, dense / letters
    return None


def cyrillic_letters(text: str, language: str,
                     ranked: list[tuple[str, float]] | Callable[[], list[tuple[str, float]]]) -> str | None:
    """A better Cyrillic language than ``language`` when the text's letters rule it out, else None.
    ``ranked``: the detector's ranking, or a function giving it (asked only when ``language`` is out)."""
    if language not in CYRILLIC_LANGS:
        return None
    low = text.lower()
    allowed = set(CYRILLIC_LANGS)
    for ch, langs in _CYR_HAS.items():
        if ch in low:
            allowed &= langs
    if not allowed or language in allowed:
        return None
    for code, _ in (ranked() if callable(ranked) else ranked):
        if code in allowed:
            return code
    return next(c for c in CYRILLIC_LANGS if c in allowed)


def placeholder(text: str) -> bool:
    """Lorem-ipsum filler: most words are the filler's own."""
    low = text.lower()
    if "lorem" not in low and "ipsum" not in low:  # the cheap test first: most texts have neither
        return False
    words = re.findall(r"[a-z]+", low)
    if len(words) < 3 or not ({"lorem", "ipsum"} & set(words[:50])):
        return False
    return sum(w in _FILLER for w in words) * 2 >= len(words)


def calibrate(text: str, confidence: float, letters: int | None = None) -> float:
    """Cap a Latin / Cyrillic answer's confidence on short text: 0.5 + half the share of ``SHORT_LETTERS``
    (``letters``: the text's letter count, if known)."""
    letters = _count_letters(text) if letters is None else letters
    if letters >= SHORT_LETTERS:
        return confidence
    alphabetic = len(_CYRILLIC.findall(text)) + len(_LATIN.findall(text))
    if alphabetic * 2 < letters:
        return confidence
    return min(confidence, 0.5 + 0.5 * letters / SHORT_LETTERS)


def guarded(sample: str, enough: bool, statistical: Callable[[], Any], ranked: Callable[[str], list[tuple[str, float]]],
            make: Callable[..., Any], letters: int | None = None) -> Any:
    """``statistical()``'s Detection with the guards around it; ``enough``: the sample has enough letters
    to say anything; ``make``: the Detection constructor (language, confidence, reason, detector);
    ``letters``: the sample's letter count, if known."""
    if enough:
        by_script = script_language(sample)
        if by_script:
            return make(by_script[0], by_script[1], None, "script")
        if placeholder(sample):
            return make("und", 0.0, "placeholder text")
    det = statistical()
    if det.language == "und":
        return det
    better = cyrillic_letters(sample, det.language, lambda: ranked(sample))
    language = better or det.language
    confidence = calibrate(sample, min(det.confidence, 0.75) if better else det.confidence, letters)
    if (language, confidence) == (det.language, det.confidence):
        return det
    return make(language, confidence, det.reason, "script" if better else det.detector)
