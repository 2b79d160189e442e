"""The one loop over the one list of steps (no Elasticsearch: steps that need it are left out or faked)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.config import load_settings
from pipeline.document import Change, Document
from pipeline.run.batch import document_stages, run_steps, step_counters, step_timings
from pipeline.stages.base import Stage, Step
from pipeline.stages.extract import Extract


class Tag(Step):
    """A batch step that holds the whole batch back, then yields it (as the unchanged check does)."""

    name = "tag"

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        batch = list(docs)
        self.counters["held"] = len(batch)
        for doc in batch:
            doc.change = Change.UNCHANGED if doc.source.startswith("same") else Change.NEW
            yield doc


class Upper(Stage):
    name = "upper"

    def process(self, doc: Document) -> Document:
        if "boom" in doc.source:
            raise ValueError("bad input")
        doc.body = doc.source.upper()
        return doc


def docs(*names: str) -> list[Document]:
    return [Document(source=n, source_path=f"/{n}") for n in names]


def test_every_document_comes_out_in_order_with_failures_as_data():
    steps = [Tag(), Upper()]
    out = list(run_steps(steps, docs("a", "same-b", "boom-c", "d")))
    assert [d.source for d in out] == ["a", "same-b", "boom-c", "d"]
    assert [d.body for d in out] == ["A", "", "", "D"]  # unchanged passed through untouched
    assert [e.key for e in out[2].errors] == ["upper/unexpected"]
    assert step_counters(steps) == {"tag/held": 4, "upper/documents": 3, "upper/failed/unexpected": 1}
    assert set(step_timings(steps)) == {"tag", "upper"}


def test_the_per_document_stages_of_a_run_are_extract_clean_language_enrich_places(tmp_path):
    stages = document_stages(load_settings().run, source_root=tmp_path)
    assert [s.name for s in stages] == ["extract", "clean", "language", "enrich", "places"]
    assert all(s.time_limit_seconds for s in stages)  # every stage bounded, language included
    page = tmp_path / "a.txt"
    page.write_text("Berlin (dpa) - Die Regierung hat am Montag einen neuen Plan vorgestellt. " * 5, encoding="utf-8")
    extract = stages[0]
    assert isinstance(extract, Extract)
    (doc,) = run_steps(stages, [extract.new_document(page, source="a.txt")])
    assert not doc.failed and doc.language == "de" and doc.id and doc.word_count > 10


def test_every_step_has_a_timing_field_in_the_runs_index():
    """The etl-runs mapping is strict: each step's name must be a ``timings`` field, or recording fails."""
    import json

    from pipeline.config import CONFIG_DIR
    from pipeline.run.grouping import GroupCopies
    from pipeline.run.line_stats import RecordLineStats
    from pipeline.run.load import Load
    from pipeline.run.unchanged import SkipUnchanged
    from pipeline.stages.dedup import FingerprintStage

    fields = json.loads((CONFIG_DIR / "etl_runs_template.json").read_text())["mappings"]["properties"]["timings"]
    names = {s.name for s in document_stages(load_settings().run)}
    names |= {SkipUnchanged.name, FingerprintStage.name, Load.name, GroupCopies.name, RecordLineStats.name, "delete"}
    assert names <= set(fields["properties"]), names - set(fields["properties"])


def test_building_a_batchs_stages_loads_no_extractor_or_model(tmp_path):
    """The run's own process builds the stages only for their counters (the documents go to its stage
    worker), and a run with nothing changed builds them for every batch: neither imports trafilatura,
    lxml or the language models' libraries, nor loads a model (issue 27: heavy imports only where used).
    The same stages, given a page, load what they need and clean it."""
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Rain</title></head><body><article><p>" + "The council met on Monday to "
                    "discuss the new budget for the city's schools and roads. " * 6 + "</p></article></body></html>",
                    encoding="utf-8")
    code = ("import sys; from pipeline.config import load_settings; from pipeline.run.batch import document_stages; "
            "from pipeline.document import Document; from pipeline.stages import language_models as M; "
            "stages = document_stages(load_settings().run); "
            "print(sorted(s.name for s in stages)); "
            "print(sorted(m for m in ('trafilatura', 'lxml', 'fasttext', 'py3langid', 'langdetect') if m in sys.modules)); "
            "print(M.fasttext_model.cache_info().currsize); "
            f"doc = Document(source='page.html', source_path={str(page)!r}); "
            "[doc := s(doc) for s in stages]; "
            "print(doc.failed, doc.language, 'council met' in doc.body, 'trafilatura' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2]).stdout.splitlines()
    assert out == ["['clean', 'enrich', 'extract', 'language', 'places']", "[]", "0", "False en True True"]
