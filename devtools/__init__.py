"""Development tooling, outside the runtime package: the local Elasticsearch node.

Used by the Makefile, the tests, the benchmarks and ``make run``; never imported by
``pipeline/`` or ``dags/`` (the Airflow image does not ship it).
"""
