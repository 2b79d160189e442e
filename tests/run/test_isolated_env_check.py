"""The stage worker's per-document check of the settings in the environment (``StageWorker.env_changed``)
answers as comparing ``_env_key()`` each time did, whatever changes in between; it only skips the walk
over every variable while the environment is the mapping it last saw."""

from __future__ import annotations

import os

import pytest

from pipeline.run import stage_worker as isolated
from pipeline.run.stage_worker import StageWorker


def _started() -> StageWorker:
    worker = StageWorker()  # what ``start`` records, without a child
    worker.env_seen = isolated._env_copy()
    worker.env_key = isolated._env_key()
    return worker


@pytest.mark.parametrize("name", ["ETL_S19_CHECK", "PIPELINE_S19_CHECK", "ES_S19_CHECK"])
def test_env_changed_answers_as_comparing_the_key_each_time(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    worker = _started()
    steps = [
        lambda: None,
        lambda: monkeypatch.setenv("S19_UNRELATED", "1"),  # not a setting: same key, new mapping seen
        lambda: monkeypatch.setenv(name, "a"),
        lambda: None,
        lambda: monkeypatch.setenv(name, "b"),
        lambda: monkeypatch.delenv(name),
        lambda: monkeypatch.setenv("S19_UNRELATED", "2"),
        lambda: monkeypatch.setenv(name, "c"),
        lambda: monkeypatch.delenv(name),
    ]
    for step in steps:
        step()
        expected = isolated._env_key() != worker.env_key
        assert worker.env_changed() == expected
        assert worker.env_changed() == expected  # asking twice changes nothing
    assert not worker.env_changed()


def test_a_setting_changed_between_the_copy_and_the_key_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    worker = StageWorker()
    worker.env_seen = isolated._env_copy()
    monkeypatch.setenv("ETL_S19_LATE", "1")  # after the copy, before the key: the key holds it
    worker.env_key = isolated._env_key()
    assert not worker.env_changed()  # the mapping differs from the copy, so the key is compared: equal
    monkeypatch.delenv("ETL_S19_LATE")
    assert worker.env_changed()


def test_without_os_environs_mapping_the_key_is_compared_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolated, "_env_data", lambda: None)
    worker = _started()
    assert worker.env_seen is None
    assert not worker.env_changed()
    monkeypatch.setenv("ETL_S19_NONE", "1")
    assert worker.env_changed()
    assert "ETL_S19_NONE" in os.environ
