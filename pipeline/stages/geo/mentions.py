"""Countries named in a title and body, in the article's language and in English.

Names are CLDR's (``babel``) plus the aliases of ``config/geo.yaml``; each language's matcher is
built once per process. Spaced scripts: runs of up to four words are looked up whole (the longest
wins: "Papua New Guinea" before "Guinea"), with the inflected endings and glued prefixes the rules
list for the language; a name in a cased script counts only when it starts with a capital. Unspaced
scripts (Chinese, Japanese, Thai): one trie-shaped regular expression finds the names in the text.
Captions and bylines are not in the body the clean stage hands over, so they never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.stages.geo.gazetteer import country_names, name_key
from pipeline.stages.geo.rules import load_geo_rules

_TOKEN = re.compile(r"\w+(?:[.-]\w+)*\.?", re.UNICODE)  # "U.S.", "Guinea-Bissau", "EE.UU."; "Türkiye'nin" splits
_MAX_WORDS = 4


@dataclass
class Matcher:
    forms: dict[str, str]  # name_key(form) -> ISO code
    prefixes: tuple[str, ...]
    particles: int
    pattern: re.Pattern[str] | None  # unspaced scripts


def _trie_regex(words: list[str]) -> str:
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        alts = [re.escape(ch) + walk(sub) for ch, sub in sorted(node.items()) if ch]
        end = "" in node
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return walk(trie)


def _forms_of(name: str, suffixes: tuple[str, ...]) -> set[str]:
    key = name_key(name)
    out = {key}
    if not suffixes:
        return out
    words = key.split(" ")
    last = words[-1]
    stems = {last, last[:-1]} if last[-1:] in "aeiouyаеиоуыяюіїєąęóαη" else {last}
    for stem in stems:
        for suf in suffixes:
            if len(stem) >= 3:
                out.add(" ".join([*words[:-1], stem + suf]))
    return out


@lru_cache(maxsize=None)
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
    pattern = None
    if language in rules.unspaced:
        pattern = re.compile(_trie_regex(sorted(k for k in forms if not k.isascii())))
    return Matcher(forms, rules.prefixes.get(language or "", ()), rules.particles.get(language or "", 0), pattern)


def _cased_ok(word: str) -> bool:
    first = word[:1]
    return not (first.lower() != first.upper() and not first.isupper())


def countries_in(text: str, language: str | None) -> list[str]:
    """ISO codes of the countries named in ``text``, in order of first mention."""
    m = matcher_for(language)
    found: dict[str, None] = {}
    if m.pattern is not None:
        for hit in m.pattern.finditer(name_key(text)):
            if hit.group(0) in m.forms:
                found[m.forms[hit.group(0)]] = None
    words = _TOKEN.findall(text)
    i = 0
    while i < len(words):
        step = 1
        for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
            chunk = words[i:i + n]
            code = _lookup(" ".join(chunk), m)
            if code and _cased_ok(chunk[0]):
                found[code] = None
                step = n
                break
        i += step
    return list(found)


def _lookup(phrase: str, m: Matcher) -> str | None:
    key = name_key(phrase)
    code = m.forms.get(key) or m.forms.get(key.rstrip("."))
    if code:
        return code
    for p in m.prefixes:
        if key.startswith(p) and len(key) - len(p) >= 3:
            code = m.forms.get(key[len(p):])
            if code:
                return code
    if m.particles:
        for cut in range(1, m.particles + 1):
            if len(key) - cut >= 2 and (code := m.forms.get(key[:-cut])):
                return code
    return None
