"""Session 27's metadata shortcuts against the code they replace (issue 27): the year test before the
local-date patterns, and JSON-LD scalars kept without a call."""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any

import pytest

from pipeline.stages.clean import byline, jsonld
from pipeline.stages.clean.dates import (
    DateMatch,
    _normalise_digits,
    _patterns,
    _valid,
    _with_reference,
    date_rules,
    find_local_date,
)
from pipeline.stages.clean.parse import parse_html
from tests.stages.test_clean_exact_parse_metadata import _real_pages

LANGUAGES = (None, "en", "de", "fr", "es", "ru", "zh", "ja", "ko", "vi", "ar", "tr", "xx")


def _find_before(text: str, language: str | None = None, *, reference: date | None = None) -> DateMatch | None:
    """``find_local_date`` as it was: every pattern tried, with no year test first."""
    import re

    if not text or not re.search(r"\d", text):
        return None
    s = _normalise_digits(text)
    names, pats = _patterns(language)
    best: DateMatch | None = None
    for kind, pat in pats:
        if kind in ("md", "dm") and reference is None:
            continue
        for m in pat.finditer(s):
            if best is not None and m.start() >= best.start:
                break
            iso: str | None = None
            if kind == "ymd":
                iso = _valid(int(m["y"]), int(m["m"]), int(m["d"]))
            elif kind == "dmy?":
                a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
                month_first = (language in date_rules().month_first and a <= 12) or b > 12
                iso = _valid(y, a, b) if month_first else _valid(y, b, a)
            elif kind in ("dmy", "mdy"):
                mon = names.get(re.sub(r"\s+", " ", m["mn"].lower()))
                iso = _valid(int(m["y"]), mon, int(m["d"])) if mon else None
            elif reference is not None:
                mon = int(m["m"]) if kind == "md" else names.get(re.sub(r"\s+", " ", m["mn"].lower()))
                iso = _with_reference(mon, int(m["d"]), reference) if mon else None
            if iso:
                best = DateMatch(iso, m.start(), m.end(), kind not in ("md", "dm"))
                break
    return best


def _page_strings() -> list[str]:
    out: list[str] = []
    for html in _real_pages():
        try:
            tree = parse_html(html)
        except ValueError:
            continue
        out += byline.head_strings(tree, None)
        lines = (line.strip() for line in str(tree.text_content()).split("\n"))
        out += [line for line in lines if line and len(line) <= 300][:600]
    return out


def _odd_strings(n: int) -> list[str]:
    rnd = random.Random(27)
    pieces = ["19", "20", "21", "2026", "1999", "2100", "12", "3", "31", "٢٠٢٦", "２０２６", "१९", "年", "月", "日", "년",
              "월", "일", "-", "/", ".", " ", ", ", "March", "märz", "марта", "de", "tháng", "năm", "th", "Updated",
              "x", "²", "¹⁹", "\u0660", "\uff10", "\uff11", "\uff19"]
    out = ["".join(rnd.choices(pieces, k=rnd.randint(0, 12))) for _ in range(n)]
    shapes = ["{y}-{m}-{d}", "{d}.{m}.{y}", "{m}/{d}/{y}", "{d} March {y}", "March {d}, {y}", "{y}年{m}月{d}日",
              "{y}년 {m}월 {d}일", "{d} марта {y} г.", "ngày {d}/{m}/{y}", "{d} de marzo de {y}", "{m}月{d}日", "{d} март"]
    digits = [str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"), str.maketrans("0123456789", "０１２３４５６７８９"), {}]
    for y in [*range(1890, 2200, 7), 1900, 1999, 2000, 2099, 2100, 2199, 2200]:
        for shape in shapes:
            t = "Updated " * rnd.randint(0, 1) + shape.format(y=y, m=rnd.randint(0, 13), d=rnd.randint(0, 32))
            out.append(t.translate(rnd.choice(digits)) + " text" * rnd.randint(0, 1))
    return out


@pytest.mark.parametrize("language", LANGUAGES)
def test_find_local_date_is_what_every_pattern_found(language: str | None) -> None:
    texts = [*_page_strings(), *_odd_strings(3000)]
    ref = date(2026, 3, 19)
    for t in texts:
        assert find_local_date(t, language) == _find_before(t, language), repr(t)
        assert find_local_date(t, language, reference=ref) == _find_before(t, language, reference=ref), repr(t)


def _plain_before(v: Any, nested: list[dict[str, Any]], via: str = "") -> Any:
    """``jsonld._plain`` as it was: called for every value, scalars included."""
    if isinstance(v, list):
        return [_plain_before(x, nested, via) for x in v]
    if not isinstance(v, dict):
        return v
    if "@value" in v and not any(not k.startswith("@") for k in v):
        return _plain_before(v["@value"], nested, via)
    d: dict[str, Any] = {}
    for k, x in v.items():
        if isinstance(k, str):
            key = jsonld._key(k)
            d[key] = jsonld._type(x) if k == "@type" else x if k == "@graph" else _plain_before(x, nested, key)
    if via:
        d["@nested"] = via
        nested.append(d)
    return d


def _json_values() -> list[Any]:
    out: list[Any] = []
    for html in _real_pages():
        try:
            tree = parse_html(html)
        except ValueError:
            continue
        for s in tree.iter("script"):
            if (s.get("type") or "").lower() == "application/ld+json" and s.text:
                try:
                    out.append(json.loads(s.text.strip().rstrip(";")))
                except (ValueError, RecursionError):
                    continue
    rnd = random.Random(27)
    keys = ["@type", "@graph", "@value", "@id", "name", "schema:datePublished", "http://schema.org/author", "a:b",
            "author", "mainEntity", "datePublished"]
    scalars: list[Any] = [None, True, False, 0, 1.5, 1710806400, "", "2026-03-19", "schema:NewsArticle", "x"]

    def build(depth: int) -> Any:
        roll = rnd.random()
        if depth > 4 or roll < 0.4:
            return rnd.choice(scalars)
        if roll < 0.6:
            return [build(depth + 1) for _ in range(rnd.randint(0, 4))]
        return {rnd.choice(keys): build(depth + 1) for _ in range(rnd.randint(0, 5))}

    return out + [build(0) for _ in range(5000)]


def _old_script_nodes(value: Any, nested: list[dict[str, Any]]) -> list[Any]:
    """``jsonld._script_nodes`` with the old ``_plain``."""
    stack, found = [value], []
    while stack:
        d = stack.pop()
        if isinstance(d, list):
            stack.extend(d)
        elif isinstance(d, dict):
            d = _plain_before(d, nested)
            found.append(d)
            if "@graph" in d:
                stack.append(d["@graph"])
    return found


def _outcome(read: Any, value: Any) -> str:
    nested: list[dict[str, Any]] = []
    try:
        return repr((read(value, nested), nested))
    except Exception as exc:  # noqa: BLE001 - a top-level value object can raise: the same way in both
        return type(exc).__name__


def test_jsonld_plain_shape_is_what_it_was() -> None:
    for value in _json_values():
        assert _outcome(jsonld._script_nodes, value) == _outcome(_old_script_nodes, value), repr(value)[:300]
