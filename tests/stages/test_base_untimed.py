"""What a document's first use of a language builds (its rule pack, its place names) is no part of its
time: ``untimed`` stops the document's timer while the build runs and lets it go on afterwards with the
time it had left, in the main thread (SIGALRM) and in another thread (the watchdog). So the stage worker
no longer builds every language before its first document (``pipeline/run/isolated_child.warm_up``), and
a build is still never cut short by a timeout nor charged to the document."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline.stages import base
from pipeline.stages.base import DocumentTimeout, time_limit, untimed, untimed_cache


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def _timed_out_after(limit: float, pause: float) -> tuple[float, bool]:
    """Seconds until a block under ``limit`` that first spends ``pause`` untimed times out."""
    started = time.monotonic()
    finished_build = False
    with pytest.raises(DocumentTimeout), time_limit(limit):
        with untimed():
            time.sleep(pause / 2)
            _spin(pause / 2)
            finished_build = True
        while True:
            _spin(0.01)
    return time.monotonic() - started, finished_build


def test_a_build_in_the_main_thread_is_not_cut_and_not_counted() -> None:
    took, finished = _timed_out_after(0.3, 0.6)
    assert finished  # over the limit twice, and not interrupted
    assert 0.85 <= took <= 1.4  # the pause and then the limit's 0.3 s: the build was not charged
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_build_in_another_thread_is_not_cut_and_not_counted() -> None:
    out: list[tuple[float, bool]] = []
    t = threading.Thread(target=lambda: out.append(_timed_out_after(0.3, 0.6)))
    t.start()
    t.join(10)
    assert out, "the thread did not time out"
    took, finished = out[0]
    assert finished and 0.85 <= took <= 1.5


def test_the_timer_goes_on_with_the_time_it_had_left() -> None:
    with time_limit(5.0):
        _spin(0.2)
        before = signal.getitimer(signal.ITIMER_REAL)[0]
        with untimed():
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # stopped meanwhile
            time.sleep(0.3)
        after = signal.getitimer(signal.ITIMER_REAL)
        assert before - 0.05 <= after[0] <= before  # what was left before the pause
        assert after[1] == pytest.approx(base.RETRY_TICK_SECONDS)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def _outer(signum: int, frame: object) -> None:
    pass


def test_an_outer_timer_is_left_running_and_nothing_is_done_outside_a_limit() -> None:
    saved = signal.getsignal(signal.SIGALRM)
    try:
        signal.signal(signal.SIGALRM, _outer)
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        with untimed():
            assert signal.getsignal(signal.SIGALRM) is _outer
            left = signal.getitimer(signal.ITIMER_REAL)[0]
            assert 29.0 < left <= 30.0
        assert signal.getsignal(signal.SIGALRM) is _outer
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, saved)
    with untimed(), untimed():  # nested: counted once
        pass


def test_the_give_up_deadline_moves_with_the_pause() -> None:
    """Past twice its limit (plus 1 s) a timer stands down; a pause does not bring that closer."""
    with pytest.raises(DocumentTimeout), time_limit(0.2):
        with untimed():
            time.sleep(1.6)  # past 2 x 0.2 + 1 s
        while True:
            _spin(0.01)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_untimed_cache_builds_each_key_once_outside_the_limit() -> None:
    calls: list[str] = []

    @untimed_cache
    def slow(key: str) -> list[str]:
        calls.append(key)
        time.sleep(0.4)
        return [key]

    with time_limit(0.2):
        first = slow("a")
    assert first == ["a"] and slow("a") is first and calls == ["a"]
    slow.cache_clear()
    assert slow("a") == ["a"] and calls == ["a", "a"]


def test_a_rule_pack_compiled_by_a_document_is_not_charged_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.stages.clean import packs as packs_module

    real = packs_module.compile_rules

    def slow_compile(*args: object) -> object:
        time.sleep(0.4)
        return real(*args)  # type: ignore[arg-type]

    packs = packs_module.RulePacks()
    monkeypatch.setattr(packs_module, "compile_rules", slow_compile)
    with time_limit(0.2):
        rules = packs.for_language("de")
    assert packs.for_language("de") is rules and "de" in packs.loaded()


def test_the_places_caches_build_outside_the_limit() -> None:
    from pipeline.stages.geo import dateline, gazetteer, mentions

    for cache in (mentions.matcher_for, dateline.date_words, gazetteer.cldr_names, gazetteer.country_names):
        assert isinstance(cache, untimed_cache)


def test_the_warm_up_builds_no_language_a_document_has_not_asked_for() -> None:
    """In a fresh process (the packs and name tables are the process's): English and what the warm-up's
    own pages ask for, not the 20 packs and 55 languages it built before."""
    code = ("from pipeline.config import load_settings; from pipeline.run.batch import document_stages\n"
            "from pipeline.run.isolated_child import warm_up; from pipeline.stages.clean import load_packs\n"
            "from pipeline.stages.geo.mentions import matcher_for\n"
            "warm_up(document_stages(load_settings().run))\n"
            "print(len(load_packs().available), ','.join(load_packs().loaded()), len(matcher_for.cache))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=Path(__file__).resolve().parents[2], check=True).stdout.split()
    available, loaded, matchers = int(out[0]), out[1].split(","), int(out[2])
    assert "common" in loaded and "en" in loaded
    assert len(loaded) <= 4 < available and matchers <= 4
