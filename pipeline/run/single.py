"""One document through the per-document steps outside a run, configured from ``config/``:
``pipeline clean FILE``, the benchmarks and the tests. The stages themselves never look
settings up; this is the one place that does it for them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pipeline.config import RunSettings, load_settings
from pipeline.document import Document
from pipeline.stages.clean import Clean, CleanConfig, load_packs
from pipeline.stages.extract import Extract, ExtractConfig
from pipeline.stages.language import DetectLanguage, LanguageConfig, load_language_config


@lru_cache(maxsize=1)
def _run_settings() -> RunSettings:
    return load_settings().run


def read_document(path: Path | str, *, source_root: Path | None = None, max_bytes: int | None = None,
                  source: str | None = None, encoding: str | None = None) -> Document:
    """Read and decode one file; never raises for a bad file (the error is on the document).
    ``max_bytes`` defaults to ``run.max_file_bytes``."""
    run = _run_settings()
    config = ExtractConfig(run.max_file_bytes if max_bytes is None else max_bytes, run.document_time_limit_seconds,
                           Path(source_root) if source_root else None, encoding)
    return Extract(config).read(path, source)


def clean(doc: Document, config: CleanConfig | None = None) -> Document:
    """One document through the clean stage (``config``: the rule packs and limits of ``config/``)."""
    if config is None:
        run = _run_settings()
        config = CleanConfig(load_packs(), run.document_time_limit_seconds, run.max_decoded_chars)
    return Clean(config)(doc)


def detect_language(doc: Document, config: LanguageConfig | None = None) -> Document:
    """One document through the language stage (``config``: config/language_detection.yaml)."""
    return DetectLanguage(config or load_language_config(),
                          time_limit_seconds=_run_settings().document_time_limit_seconds)(doc)


def transform(doc: Document) -> Document:
    """clean -> language -> enrich on one extracted document."""
    from pipeline.run.batch import document_stages

    for stage in document_stages(_run_settings())[1:]:
        doc = stage(doc)
    return doc
