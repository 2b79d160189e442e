"""Countries named in a title and body, in the article's language and in English.

Names are CLDR's (``babel``) plus the aliases of ``config/geo.yaml``; each language's matcher is
built once per process: every form of every name (inflected endings and glued prefixes the rules
list for the language) in one Aho-Corasick automaton, run once over the text's lookup form
(:func:`~pipeline.stages.geo.gazetteer.text_key`); the longest name wins ("Papua New Guinea" before
"Guinea"). Spaced scripts: a name must be a whole word (Korean may glue a particle of up to
``particles`` letters to it); a name in a cased script counts only when it starts with a capital.
Unspaced scripts (Chinese, Japanese, Thai): names count anywhere in the text.
Captions and bylines are not in the body the clean stage hands over, so they never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ahocorasick

from pipeline.stages.base import untimed_cache
from pipeline.stages.geo.gazetteer import country_names, name_key, text_key
from pipeline.stages.geo.rules import load_geo_rules

_VOWELS = "aeiouyаеиоуыяюіїєąęóαηйь"  # and the soft endings of Slavic names (Китай: Китая)


@dataclass
class Matcher:
    forms: dict[str, str]  # name_key(form) -> ISO code
    automaton: Any  # ahocorasick.Automaton over the forms: value (form, code)
    unspaced: bool
    particles: int
    nouns_capitalised: bool  # German: a capitalised word after a name says nothing


def _forms_of(key: str, suffixes: tuple[str, ...]) -> set[str]:
    out = {key}
    words = key.split(" ")
    last = words[-1]
    stems = {last, last[:-1]} if last[-1:] in _VOWELS else {last}
    for stem in stems:
        for suf in suffixes:
            if len(stem) >= 3:
                out.add(" ".join([*words[:-1], stem + suf]))
    return out


@untimed_cache  # built on first use, outside the document's time limit
def matcher_for(language: str | None) -> Matcher:
    rules = load_geo_rules()
    langs = tuple(dict.fromkeys(x for x in (language, "en") if x))
    ignore = frozenset().union(*(rules.ignore.get(lg, frozenset()) for lg in langs))
    forms: dict[str, str] = {}
    for lg in langs:
        suffixes = rules.suffixes.get(lg, ()) if lg == language else ()
        names = dict(country_names(lg))
        for code, aliases in rules.aliases.get(lg, {}).items():
            for a in aliases:
                names[name_key(a)] = code
        for key, code in names.items():
            if key in ignore or len(key) < 2:
                continue
            for form in _forms_of(key, suffixes):
                forms.setdefault(form, code)
    for prefix in rules.prefixes.get(language or "", ()):  # Arabic "و" and, "ب" in: glued to the name
        for key, code in list(forms.items()):
            if not key.isascii():
                forms.setdefault(prefix + key, code)
    automaton = ahocorasick.Automaton()
    for form, code in forms.items():
        automaton.add_word(form, (form, code))
    automaton.make_automaton()
    return Matcher(forms, automaton, language in rules.unspaced, rules.particles.get(language or "", 0),
                   language in rules.nouns_capitalised)


_WORD_BEFORE = re.compile(r"(\w+)[ \t]+$")
_WORD_AFTER = re.compile(r"[ \t]+(\w+)")
_SENTENCE_END = re.compile(r"[.!?:;\n\"“”«»()\[\]|]\s*$")


def _inside_name(text: str, start: int, end: int, nouns_capitalised: bool) -> bool:
    """A capitalised word right before (not starting a sentence) or right after the name."""
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before and before.group(1)[:1].isupper():
        head = text[max(0, before.start() - 3):before.start()]
        if head.strip() and not _SENTENCE_END.search(head):
            return True
    if nouns_capitalised:
        return False
    after = _WORD_AFTER.match(text, end)
    return bool(after and after.group(1)[:1].isupper())


@lru_cache(maxsize=4096)
def _char_key(ch: str) -> str:
    key = text_key(ch)
    return key if len(key) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch)


def countries_in(text: str, language: str | None) -> list[str]:
    """ISO codes of the countries named in ``text``, in order of first mention."""
    m = matcher_for(language)
    norm = text_key(text)
    if len(norm) != len(text):  # a letter that normalises to two ("ﬁ", "İ" in some forms): one for one
        norm = "".join(map(_char_key, text))
    found: dict[str, None] = {}
    for end, (form, code) in m.automaton.iter_long(norm):
        start = end - len(form) + 1
        whole = not m.unspaced or form.isascii()
        if whole and start and norm[start - 1].isalnum():
            continue  # inside a word ("niger" in "nigeria" is the longer name anyway)
        if whole:
            tail = 0
            while end + 1 + tail < len(norm) and norm[end + 1 + tail].isalnum():
                tail += 1
            if tail > m.particles:
                continue
        first = text[start]
        if first.lower() != first.upper():
            if not first.isupper():
                continue  # "turkey", "chile": a country's name in a cased script starts with a capital
            if _inside_name(text, start, end + 1, m.nouns_capitalised):
                continue  # "USA Today", "IBM France": part of another name
        found[code] = None
    return list(found)
