"""Ingest news articles from a folder into Elasticsearch.

Runs on the configured schedule (`schedule` in config/pipeline.yaml or `ETL_SCHEDULE`; `none` =
manual only) and by hand with parameters. Each file is extracted, cleaned, language-tagged,
enriched and bulk-loaded; unchanged files are skipped. The work is in `pipeline`; this file only
declares the DAG and its parameters (see `etl_common.wire_run` for the tasks).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag
from etl_common import ALIAS_PATTERN, DEFAULT_ARGS, SETTINGS, wire_run


@dag(
    dag_id="ingest_articles",
    schedule=SETTINGS.schedule,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=SETTINGS.paused_on_creation,
    default_args=DEFAULT_ARGS,
    params={
        "source_dir": Param(str(SETTINGS.source_dir), type="string", minLength=1,
                            description="Folder to ingest (under the allowed source roots)"),
        "index_alias": Param(SETTINGS.index_alias, type="string", pattern=ALIAS_PATTERN,
                             description="Alias searches and Kibana use"),
        "source_name": Param("", type="string", description="Name of the source (part of every document id); "
                             "empty: config source_name for the configured folder, else the folder's name"),
        "full_refresh": Param(False, type="boolean", description="Re-process files even when unchanged"),
        "sync_deletes": Param(False, type="boolean",
                              description="Delete documents whose source file disappeared"),
        "encoding": Param("", type="string",
                          description="Usual charset of this source (e.g. cp1251), a hint that evidence can "
                                      "overrule; empty: detect"),
    },
    tags=["news", "elasticsearch"],
    doc_md=__doc__,
)
def ingest_articles() -> None:
    wire_run("ingest")


ingest_articles()
