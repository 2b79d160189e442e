"""A run's parameters, declared once: the DAGs' ``params`` (trigger form, REST API) and the CLI's
flags are both made from ``RUN_PARAMS``, and ``RunRequest.from_params`` reads them back.

Optional parameters are nullable: left empty in the Airflow trigger form (which sends ``null``)
they take the default their description names.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# The one alias/index name pattern (pipeline.checks): the form checks it as the operator types,
# ``validate_index_name`` again before any request.
from pipeline.config import ALIAS_PATTERN

if TYPE_CHECKING:
    from pipeline.config import Settings



@dataclass(frozen=True)
class RunParam:
    """One parameter of a run: its name in the DAG's params, the RunRequest and (with dashes) the CLI."""

    name: str
    kind: type  # str or bool
    description: str
    flows: tuple[str, ...]  # the kinds of run (``Flow.kind``) that take it
    default: Callable[[Settings], Any] = lambda settings: None
    nullable: bool = False  # may be left empty (None): the description says what it then means
    pattern: str | None = None
    cli: bool = True  # also a flag of ``pipeline run`` / ``pipeline reindex``
    deprecated_names: tuple[str, ...] = ()  # older names still accepted, with a warning

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


BOTH = ("ingest", "reindex")

RUN_PARAMS: tuple[RunParam, ...] = (
    RunParam("source_dir", str, "Folder to read (default: source_dir of config/pipeline.yaml or ETL_SOURCE_DIR). "
             "A DAG run may only name folders under allowed_source_roots (ETL_ALLOWED_SOURCE_ROOTS).", ("ingest",),
             default=lambda s: str(s.source_dir)),
    RunParam("source_dir", str, "A source folder to rebuild with the alias's recorded sources (it replaces the "
             "recorded folder of its source_id). Empty: the sources recorded for the alias only (the configured "
             "source_dir when none is recorded). A DAG run may only name folders under allowed_source_roots.",
             ("reindex",), nullable=True),
    RunParam("index_alias", str, "Alias that searches and Kibana use (default: index.alias of config/pipeline.yaml)",
             BOTH, default=lambda s: s.index_alias, pattern=ALIAS_PATTERN),
    RunParam("source_id", str, "Identity of this folder's source: part of every document id and stored as the "
             "source_id field (not the publisher, which is source_name). Empty: source_name of config/pipeline.yaml "
             "for the configured folder, else the folder's name. Keep it the same for every run of one folder.",
             BOTH, nullable=True, deprecated_names=("source_name",)),
    RunParam("full_refresh", bool, "Process every file again, even unchanged ones", ("ingest",),
             default=lambda s: False),
    RunParam("sync_deletes", bool, "Delete the documents of this source whose file has disappeared", ("ingest",),
             default=lambda s: False),
    RunParam("encoding", str, "Usual charset of this source's legacy files (e.g. cp1251): a hint the bytes can "
             "overrule. Empty: detect per file.", ("ingest",), nullable=True),
    RunParam("allow_shrink", bool, "Swap even when the new index holds fewer documents than the live one",
             ("reindex",), default=lambda s: False),
)


def params_of(flow: str) -> tuple[RunParam, ...]:
    """The parameters of one kind of run, in declaration order."""
    return tuple(p for p in RUN_PARAMS if flow in p.flows)


def canonical_params(params: dict[str, Any], flow: str, warn: Callable[[str], None]) -> dict[str, Any]:
    """The declared parameters of ``flow`` found in ``params`` (a DAG run's params / conf), under their
    current names; empty optional ones dropped (they take their default); unknown keys ignored."""
    out: dict[str, Any] = {}
    for param in params_of(flow):
        for old in param.deprecated_names:
            if params.get(old) not in (None, "") and params.get(param.name) in (None, ""):
                warn(f"parameter {old!r} is deprecated: use {param.name!r}")
                out[param.name] = params[old]
        if param.name in params and params[param.name] not in (None, ""):
            out[param.name] = params[param.name]
    return out


def add_cli_flags(parser: argparse.ArgumentParser, flow: str, *, types: dict[str, Callable[[str], Any]]) -> None:
    """The flags of ``pipeline run`` / ``pipeline reindex``, made from the declared parameters; ``types``
    checks a value as argparse reads it (e.g. the encoding's name)."""
    for param in params_of(flow):
        names = [param.flag, *(["--source"] if param.name == "source_dir" else [])]  # --source: the older flag
        if param.kind is bool:
            parser.add_argument(*names, dest=param.name, action="store_true", help=param.description)
        else:
            checked: dict[str, Any] = {"type": types[param.name]} if param.name in types else {}
            parser.add_argument(*names, dest=param.name, help=param.description, **checked)
        for old in param.deprecated_names:
            parser.add_argument("--" + old.replace("_", "-"), dest=old, help=argparse.SUPPRESS)

