"""Rebuild the articles index without downtime (manual trigger).

Use after a mapping or analyzer change, or to recover: builds a new physical index from the
source folder and every other source recorded for the alias (etl-sources), verifies its document
count, refuses to swap when it holds fewer documents than the live index (unless `allow_shrink`),
swaps the alias atomically and keeps the previous index for `python -m pipeline rollback`. Searches keep answering. Same steps and settings as
`ingest_articles` (see `etl_common.wire_run`); only the start and finish differ.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag
from etl_common import ALIAS_PATTERN, DEFAULT_ARGS, SETTINGS, wire_run


@dag(
    dag_id="reindex_articles",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=SETTINGS.paused_on_creation,
    default_args=DEFAULT_ARGS,
    params={
        "source_dir": Param(str(SETTINGS.source_dir), type="string", minLength=1, description="Folder to rebuild from"),
        "index_alias": Param(SETTINGS.index_alias, type="string", pattern=ALIAS_PATTERN),
        "source_name": Param("", type="string", description="Name of source_dir (empty: configured or folder name)"),
        "allow_shrink": Param(False, type="boolean",
                              description="Swap even when the new index holds fewer documents than the live one"),
    },
    tags=["news", "elasticsearch", "maintenance"],
    doc_md=__doc__,
)
def reindex_articles() -> None:
    wire_run("reindex")


reindex_articles()
