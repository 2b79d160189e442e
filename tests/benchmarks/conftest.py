"""A small grouped run's alias, for the benchmark scripts that replay what a finished run left."""

from __future__ import annotations

import pytest

from tests.run.test_dedup import page, run, story, syndicate, write


@pytest.fixture
def grouped_alias(es_client, alias, tmp_path) -> str:
    """``alias`` after one run over four copies of one story and a story of its own (5 articles, 1 group)."""
    src = tmp_path / "src"
    syndicate(src, 1, "story")
    write(src, "other/alone.html", page("Farmers protest prices", story(2), "2025-03-01T08:00:00Z", "Wire"))
    assert run(es_client, src, alias, tmp_path).indexed == 5
    return alias
