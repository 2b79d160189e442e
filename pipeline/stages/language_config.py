"""The language stage's thresholds (``config/language_detection.yaml``), moved out of
:mod:`pipeline.stages.language`, which re-exports them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from pipeline.config import CONFIG_DIR, check_keys, read_yaml


@dataclass(frozen=True)
class LanguageConfig:
    """Thresholds from ``config/language_detection.yaml`` (every key required there)."""

    min_letters: int
    min_letters_dense: int
    min_words: int
    min_confidence: float
    fallback_below: float
    sample_above: int
    sample_chunks: int
    chunk_chars: int
    paragraph_chars: int
    min_paragraph_letters: int
    max_paragraphs: int
    max_rechecks: int
    min_share: float
    fast_pass: bool  # fastText first; the accurate detectors only where it is unsure
    fast_min_prob: float
    fast_majority: float
    fast_agree: float
    fast_paragraph_chars: int
    agree_pass: bool  # fastText unsure: py3langid asked before langdetect, their common answer taken
    extra_languages: tuple[str, ...]  # without a langdetect profile: the first pass names them when it is
    extra_min_prob: float  # ... at least this sure


@lru_cache(maxsize=1)
def load_language_config() -> LanguageConfig:
    path = CONFIG_DIR / "language_detection.yaml"
    raw = read_yaml(path)
    kinds: dict[str, Any] = {"int": int, "float": float, "bool": bool, "tuple[str, ...]": list}
    schema = {f.name: kinds[str(f.type)] for f in fields(LanguageConfig)}
    check_keys(raw, schema, str(path))
    values: dict[str, Any] = {k: tuple(map(str, v)) if schema[k] is list else schema[k](v) for k, v in raw.items()}
    return LanguageConfig(**values)
