"""Stages: each turns a ``Document`` into a better one (extract, clean, language, enrich).

Plain Python over the ``Document`` record: no Elasticsearch, no Airflow, no network.
Every stage has one interface (``pipeline.stages.base.Stage``): a name, its typed
configuration given when it is built, whether it runs on a failed document, and counters
for the run report. A failure is data on the document (stage, code, message).
"""
