"""Session 27: ``heads.mark_head`` stops asking whether a line is prose once the prose count that bounds the
dateline search is reached (the count is read for nothing else), against the code before (issue 27)."""

from __future__ import annotations

import copy
import random
from typing import Any

from pipeline.stages.clean import heads
from pipeline.stages.clean import html as html_mode
from pipeline.stages.clean.heads import (
    HEAD_LINES,
    _dateline_text,
    _holds_most,
    _set_agency,
    match_dateline,
    site_suffix,
    split_names,
)
from pipeline.stages.clean.lines import Line, is_prose
from pipeline.stages.clean.packs import load_packs
from pipeline.stages.clean.rules import CleanResult, TextRules
from pipeline.stages.clean.script import similar, similar_tokens, tokens
from tests.stages.test_clean_exact_parse_metadata import _real_pages


def _mark_head_before(lines: list[Line], r: TextRules, res: CleanResult, title: str | None,
                      start: int, max_prose_before: int | None = None) -> tuple[str | None, bool]:
    """``heads.mark_head`` as it was: ``is_prose`` asked of every line that is no dateline."""
    confirmed = False
    with_agency = False
    prose_before = 0
    tb = tokens(title) if title else ()
    sb = set(tb)
    for ln in lines[start:min(len(lines), HEAD_LINES)]:
        if ln.kind:
            continue
        t = ln.text
        dl = match_dateline(t, r) if max_prose_before is None or prose_before < max_prose_before else None
        if max_prose_before is not None and not dl and is_prose(t, r):
            prose_before += 1
        if dl:
            rest = dl.get("rest", "")
            tm = r.title_label.match(rest) if rest else None
            if tm and title and similar(tm.group("title"), title):
                ln.kind = "title"
                confirmed = True
            elif rest:
                ln.text = rest
                ln.raw = rest
            else:
                ln.kind = "dateline"
            _set_agency(res, dl.get("agency") or None)
            names = split_names(dl.get("name", ""), r)
            if names:
                res.author = res.author or names[0]
                res.metadata.setdefault("authors", names)
            if not res.dateline or (dl.get("agency") and not with_agency):
                res.dateline = _dateline_text(dl) or res.dateline
                with_agency = bool(dl.get("agency"))
            continue
        if not title:
            continue
        if len(t) <= 300 and (not t.isascii() or _holds_most(t.lower(), sb)) and similar_tokens(tokens(t), tb, sb):
            ln.kind = "title"
            confirmed = True
        elif (title.startswith(t) or title.endswith(t)) and len(tokens(t)) >= 3:
            site = site_suffix(title, t)
            if site is not None:
                ln.kind = "title"
                confirmed = True
                res.metadata.setdefault("site_name", site)
                title = t
                tb = tokens(title)
                sb = set(tb)
    return title, confirmed


def _calls() -> list[tuple[Any, ...]]:
    """The arguments of every ``mark_head`` call of the HTML clean over the real pages (copied before the call)."""
    seen: list[tuple[Any, ...]] = []
    real = heads.mark_head

    def spy(lines: list[Line], r: TextRules, res: CleanResult, title: str | None, start: int,
            max_prose_before: int | None = None) -> tuple[str | None, bool]:
        seen.append((copy.deepcopy(lines), r, copy.deepcopy(res), title, start, max_prose_before))
        return real(lines, r, res, title, start, max_prose_before)

    html_mode.mark_head = spy  # type: ignore[assignment]
    try:
        for page in _real_pages():
            try:
                html_mode.clean_html(page, load_packs())
            except ValueError:
                continue
    finally:
        html_mode.mark_head = real  # type: ignore[assignment]
    return seen


DATELINES = {
    "en": ["WASHINGTON, March 19 (Reuters) - The U.S. Senate voted on Tuesday to pass the bill after a long debate.",
           "LONDON (AP) — Britain said on Monday it would act.", "NEW YORK (Reuters)"],
    "de": ["BERLIN (dpa) - Die Regierung hat am Montag beschlossen, das Gesetz zu ändern.", "BERLIN (dpa)"],
    "zh": ["中新社北京3月19日电（记者 王秀军）国务院总理今天主持召开会议。", "新华社北京3月19日电"],
    "fr": ["PARIS (AFP) - Le gouvernement a annoncé lundi une réforme importante."],
}


def _shuffled(calls: list[tuple[Any, ...]], n: int) -> list[tuple[Any, ...]]:
    """Real lines in other orders, datelines and title copies among them (after 0 to 3 prose lines), other bounds."""
    rnd = random.Random(27)
    out = []
    pool = [ln for c in calls for ln in c[0]]
    prose = [ln for c in calls for ln in c[0] if is_prose(ln.text, c[1])]
    packs = load_packs()
    for _ in range(n):
        language = rnd.choice(sorted(DATELINES))
        r = packs.for_language(language).text
        title = rnd.choice([c[3] for c in calls] + ["Senate passes the long debated bill", None])
        picked = [Line(ln.text, ln.raw, ln.gap, rnd.choice(("", "", "", "caption")))
                  for ln in rnd.sample(prose, rnd.randrange(4)) + rnd.sample(pool, rnd.randrange(8))]
        rnd.shuffle(picked)
        for extra in rnd.sample(DATELINES[language], rnd.randint(1, len(DATELINES[language]))):
            picked.insert(rnd.randrange(len(picked) + 1), Line(extra, extra, 1))
        if title and rnd.random() < 0.5:
            picked.insert(rnd.randrange(len(picked) + 1), Line(title, title, 1))
        out.append((picked, r, CleanResult(), title, rnd.randrange(2), rnd.choice((None, 0, 1, 2, 3))))
    return out


def _state(lines: list[Line], res: CleanResult, got: tuple[str | None, bool]) -> str:
    return repr(([(ln.text, ln.raw, ln.gap, ln.kind) for ln in lines], res, got))


def test_mark_head_reads_the_lines_as_before() -> None:
    calls = _calls()
    assert len(calls) > 30
    for lines, r, res, title, start, bound in [*calls, *_shuffled(calls, 3000)]:
        new_lines, new_res = copy.deepcopy(lines), copy.deepcopy(res)
        old_lines, old_res = copy.deepcopy(lines), copy.deepcopy(res)
        new = heads.mark_head(new_lines, r, new_res, title, start, bound)
        old = _mark_head_before(old_lines, r, old_res, title, start, bound)
        assert _state(new_lines, new_res, new) == _state(old_lines, old_res, old)
