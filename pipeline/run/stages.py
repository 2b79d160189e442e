"""The stages of a run, built once per batch from the run's settings (no global lookups)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import RunSettings
from pipeline.document import Document
from pipeline.fingerprint import processing_fingerprint
from pipeline.stages.base import Stage
from pipeline.stages.clean import Clean, CleanConfig, load_packs
from pipeline.stages.enrich import Enrich
from pipeline.stages.extract import Extract, ExtractConfig
from pipeline.stages.language import DetectLanguage, load_language_config


@dataclass
class Stages:
    extract: Extract
    transforms: tuple[Stage, ...]  # in order: each reads what the previous one wrote

    def transform(self, doc: Document) -> Document:
        """clean -> language -> enrich; a failed document skips what does not run on failures."""
        for stage in self.transforms:
            doc = stage(doc)
        return doc

    def timings(self) -> dict[str, float]:
        return {s.name: round(s.counters["seconds"], 4) for s in (self.extract, *self.transforms)}

    def counters(self) -> dict[str, int]:
        """``<stage>/<counter>`` for every stage counter but the timing."""
        out: Counter[str] = Counter()
        for stage in (self.extract, *self.transforms):
            for name, value in stage.counters.items():
                if name != "seconds":
                    out[f"{stage.name}/{name}"] += int(value)
        return dict(out)


def build_stages(run: RunSettings, source_root: Path | None = None, encoding: str | None = None) -> Stages:
    """Stages configured from ``run`` and the rule files in ``config/`` (compiled once per process);
    ``encoding`` is the run's charset hint for legacy files."""
    limit = run.document_time_limit_seconds
    return Stages(
        extract=Extract(ExtractConfig(run.max_file_bytes, limit, source_root, encoding)),
        transforms=(
            Clean(CleanConfig(load_packs(), limit, run.max_decoded_chars)),
            DetectLanguage(load_language_config()),
            Enrich(fingerprint=processing_fingerprint(run)),
        ),
    )
