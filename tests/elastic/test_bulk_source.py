"""``bulk.to_source`` reads the fields as they are; it must write the same JSON as the
``dataclasses.asdict`` copy it replaced (issue 27: the copies cost the loading process about
0.13 ms a document). Documents made by the real stages, from the seeds and the
multilingual fixtures, plus one with every optional field set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_settings
from pipeline.document import Change, Document, Notice
from pipeline.elastic.bulk import _NOT_INDEXED, to_source
from pipeline.run.batch import document_stages, new_document
from pipeline.stages.extract import discover

ROOT = Path(__file__).resolve().parents[2]


def _asdict_source(doc: Document) -> dict[str, Any]:
    """``to_source`` as it was, on ``Document.to_dict`` (a deep copy by ``dataclasses.asdict``)."""
    data = {k: v for k, v in doc.to_dict().items() if k not in _NOT_INDEXED}
    data["languages"] = sorted(doc.languages)
    data["language_shares"] = dict(doc.languages)
    data["warnings"] = [str(w) for w in doc.warnings]
    data["metadata"] = {k: v for k, v in doc.metadata.items() if v not in (None, "", [], {})}
    return {k: v for k, v in data.items() if v is not None}


def _json(source: dict[str, Any]) -> str:
    return json.dumps(source, ensure_ascii=False)  # key order included: the bulk body is written in it


@pytest.fixture(scope="module")
def staged() -> list[Document]:
    docs = []
    for root in (ROOT / "seeds", ROOT / "tests" / "fixtures" / "clean"):
        stages = document_stages(load_settings().run, fingerprint="test", source_root=root)
        for path in list(discover(root)):
            doc = new_document(root, root.name, str(path.relative_to(root)))
            for stage in stages:
                doc = stage(doc)
            docs.append(doc)
    return docs


def test_same_json_as_the_deep_copy_on_staged_documents(staged: list[Document]) -> None:
    assert len(staged) >= 20
    assert sum(1 for d in staged if d.captions) >= 3 and sum(1 for d in staged if d.metadata.get("cuts")) >= 3
    for doc in staged:
        assert _json(to_source(doc)) == _json(_asdict_source(doc)), doc.source


def test_same_json_with_every_optional_field_set() -> None:
    doc = Document(source="a.html", source_path="/x/a.html", id="i", title="T", body="B", captions=["c1", "c2"],
                   author="A", dateline="Hanoi, May 2", published_at="2026-05-02", dateline_location={"lat": 21.0, "lon": 105.8},
                   countries=["VN"], places=["Vietnam"], duplicate_group="g", is_canonical=False, duplicate_count=3,
                   languages={"vi": 0.9, "en": 0.1}, metadata={"cuts": [{"rule": "r", "chars": 4}], "empty": []},
                   change=Change.NEW, warnings=[Notice("clean", "x", "y")])
    assert _json(to_source(doc)) == _json(_asdict_source(doc))
