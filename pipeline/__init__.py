"""News ETL pipeline: extract -> clean -> detect_language -> enrich -> load, plain Python.

Nothing in this package imports Airflow: the DAGs in ``dags/`` are thin wrappers around it.
"""

__version__ = "0.1.0"
PIPELINE_VERSION = __version__
