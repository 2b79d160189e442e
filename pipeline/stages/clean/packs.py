"""Language packs: ``config/cleaning/common.yaml`` + ``config/cleaning/<iso>.yaml``, loaded lazily.

The clean stage detects a document's language first (on the raw text of a dump, on the extracted
body of an HTML page) and applies that language's pack on top of the common one; a language without a
pack gets the common rules only. Detection here only picks rules, on a bounded sample of the text's prose
lines: with the language settings' ``fast_pass``, fastText's answer when it is at least ``fast_min_prob``
sure (0.07 ms on a 400-character sample; any of its 176 languages: Azerbaijani, Belarusian or Kazakh
text gets the common rules, not the Turkish, Ukrainian or Russian pack that py3langid's narrower set of
languages names); then py3langid (0.2 ms), and the full detection of :mod:`pipeline.stages.language` only
when py3langid is unsure (short texts). The full detection still runs after cleaning and decides
``Document.language``. Each pack is read, validated and compiled once per process, the first time a
document of that language comes by, outside that document's time limit (``pipeline.stages.base.untimed``).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from pipeline.config import CONFIG_DIR, read_yaml
from pipeline.stages.base import untimed
from pipeline.stages.clean.lines import is_prose
from pipeline.stages.clean.rules import CleaningRules, compile_rules
from pipeline.stages.language import (
    LanguageConfig,
    detect_text,
    fast_classify,
    load_language_config,
    py3langid_classify,
)

PACK_DIR = CONFIG_DIR / "cleaning"
COMMON = "common"


class RulePacks:
    """The packs of one directory; ``for_language`` compiles each on first use (thread-safe)."""

    def __init__(self, directory: Path = PACK_DIR, detection: LanguageConfig | None = None) -> None:
        self.directory = Path(directory)
        self.detection = detection or load_language_config()
        self.available = frozenset(p.stem for p in self.directory.glob("*.yaml") if p.stem != COMMON)
        self._common = read_yaml(self.directory / "common.yaml")
        self._compiled: dict[str, CleaningRules] = {}
        self._lock = threading.Lock()
        self.undetermined = str(self._common.get("undetermined_pack") or "und")
        self.for_language(COMMON)  # a broken common pack is a startup error, not a first-document one

    def for_language(self, language: str | None) -> CleaningRules:
        """The rules for ``language`` (an ISO 639-1 code); common rules only when it has no pack."""
        key = language if language in self.available else COMMON
        rules = self._compiled.get(key)
        if rules is None:
            with self._lock:
                rules = self._compiled.get(key)
                if rules is None:
                    common_src = str(self.directory / "common.yaml")
                    with untimed():  # the process's cache, not the document's work: outside its time limit
                        if key == COMMON:
                            rules = compile_rules(self._common, common_src)
                        else:
                            path = self.directory / f"{key}.yaml"
                            rules = compile_rules(self._common, common_src, read_yaml(path), str(path))
                    self._compiled[key] = rules
        return rules

    def prose_sample(self, text: str) -> str:
        """The first prose lines of ``text`` (two chunks' worth), the only lines that vote: menus, share
        bars and captions do not, and a cleaned body samples as its raw dump did. "" when it has none."""
        r = self.for_language(COMMON).text
        prose: list[str] = []
        size = 0
        for line in text.split("\n"):
            t = line.strip()
            if len(t) >= r.prose_min_dense and is_prose(t, r):
                prose.append(t)
                size += len(t)
                if size >= 2 * self.detection.chunk_chars:
                    break
        return "\n".join(prose)

    def detect(self, text: str) -> str:
        """The language whose pack applies to ``text``, read from its :meth:`prose_sample`; with no prose
        line at all, ``undetermined_pack`` of the common pack (``und`` if that is empty)."""
        sample = self.prose_sample(text)
        if not sample:
            return self.undetermined
        if self.detection.fast_pass:
            code, prob = fast_classify([sample])[0]
            if prob >= self.detection.fast_min_prob:
                return code
        code, prob = py3langid_classify(sample)
        if prob >= self.detection.min_confidence:
            return code
        # short or mixed text: the full detection (langdetect, a few ms) decides; "und" stays und
        return detect_text(sample, self.detection).language

    def for_text(self, text: str) -> CleaningRules:
        return self.for_language(self.detect(text))

    def loaded(self) -> list[str]:
        return sorted(self._compiled)


@lru_cache(maxsize=4)
def load_packs(directory: Path = PACK_DIR) -> RulePacks:
    """The packs of ``config/cleaning/`` (one object per process)."""
    return RulePacks(directory)


def load_rules(language: str = "en") -> CleaningRules:
    """The compiled rules of one language (common + its pack), e.g. for a caller that knows it."""
    return load_packs().for_language(language)
