"""News ETL pipeline: plain typed Python, no Airflow import.

- ``pipeline.stages``: Document -> Document steps (extract, clean, language, enrich); no Elasticsearch.
- ``pipeline.elastic``: everything that talks to Elasticsearch (client, mapping, indices, bulk, search).
- ``pipeline.run``: the one orchestration path (start -> plan -> process batches -> finish) that the
  CLI runs in-process and the DAGs in ``dags/`` map to tasks.
- ``pipeline.config`` / ``pipeline.document`` / ``pipeline.errors``: settings, the record, error kinds.
"""

__version__ = "0.1.0"
PIPELINE_VERSION = __version__
