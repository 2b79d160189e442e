"""The processing fingerprint: one short hash of everything that shapes an indexed document.

A file whose bytes are unchanged is only skipped when the index holds it with the current
fingerprint; otherwise it is re-processed (``reprocessed`` in the report). The fingerprint
covers the code of the stages, ``PIPELINE_VERSION``, every rule file the stages load
(``config.STAGE_CONFIG_FILES``), the run settings that change a document's output, and the
versions of the libraries that do extraction, decoding and language work. It is computed
once per process (config files and code do not change under a running process).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline import PIPELINE_VERSION
from pipeline.config import CONFIG_DIR, STAGE_CONFIG_FILES, STAGE_LIBRARIES

_PACKAGE = Path(__file__).resolve().parent
# Code that turns bytes into an indexed record (the elastic/ and run/ packages only move it).
_CODE = ("stages", "document.py", "fingerprint.py")
# RunSettings fields that change what a document holds (limits decide pass/fail, not text).
_SHAPING_SETTINGS = ("max_decoded_chars",)


def _hash_tree(path: Path) -> str:
    """SHA-256 over the relative names and bytes of every file under ``path`` (or the file)."""
    digest = hashlib.sha256()
    if not path.exists():
        return "absent"
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                 and "__pycache__" not in p.parts)
    for file in files:
        digest.update(str(file.relative_to(path.parent)).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def _library_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def fingerprint_components(run: Any | None = None, config_dir: Path | None = None) -> dict[str, Any]:
    """What the fingerprint is made of, by name (``status`` and tests show it)."""
    config_dir = config_dir or CONFIG_DIR
    settings = {name: getattr(run, name) for name in _SHAPING_SETTINGS} if run is not None else {}
    return {
        "pipeline_version": PIPELINE_VERSION,
        "code": {name: _hash_tree(_PACKAGE / name) for name in _CODE},
        "config": {name: _hash_tree(config_dir / name) for name in STAGE_CONFIG_FILES},
        "settings": settings,
        "libraries": {name: _library_version(name) for name in STAGE_LIBRARIES},
    }


@lru_cache(maxsize=8)
def _fingerprint(settings_json: str, config_dir: str) -> str:
    run = json.loads(settings_json)
    components = fingerprint_components(None, Path(config_dir))
    components["settings"] = run
    blob = json.dumps(components, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def processing_fingerprint(run: Any | None = None, config_dir: Path | None = None) -> str:
    """The current fingerprint (20 hex digits), computed once per process and settings."""
    settings = {name: getattr(run, name) for name in _SHAPING_SETTINGS} if run is not None else {}
    return _fingerprint(json.dumps(settings, sort_keys=True), str(config_dir or CONFIG_DIR))
