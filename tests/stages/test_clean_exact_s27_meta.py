"""Session 27's metadata shortcut against the code it replaces (issue 27): the year test before the
local-date patterns."""

from __future__ import annotations

import random
from datetime import date

import pytest

from pipeline.stages.clean import byline
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
