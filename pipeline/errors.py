"""The error taxonomy, decided here and nowhere else.

- ``PermanentError``: a retry cannot fix it (a bad parameter or config file, a missing or unsafe
  folder, too many failed documents). The CLI exits with it; a DAG task fails at once
  (``dags/etl_common.permanent``), no retries.
- ``pipeline.elastic.client.ClusterUnavailable``: the cluster did not answer within the retry
  budget (``run.bulk_retry_*`` in config/pipeline.yaml): the task fails and Airflow retries it.
- A bad *document* is neither: it is data (``Document.fail``), counted in the run report, and
  every other document still lands. Something repaired or left out on a document that is still
  indexed is a ``Notice`` (``Document.warn``), counted the same way.
"""


class PermanentError(Exception):
    """The run cannot succeed as asked (a bad parameter, a missing or unsafe folder, too many failures)."""


class ConfigError(PermanentError, ValueError):
    """A config file or setting that is missing, malformed, or has an unknown, misspelt or missing
    key; an environment variable with a value it cannot take. Retrying reads the same file."""


class SourceMissing(PermanentError, FileNotFoundError):
    """The source folder does not exist (or is not a folder)."""


class UnsafeSourceDir(PermanentError, ValueError):
    """A source folder outside the allowed roots (e.g. from a manual DAG trigger)."""


class BadParameter(PermanentError, ValueError):
    """A run parameter that is not valid (e.g. an index alias Elasticsearch would refuse)."""


class RunFailed(PermanentError, RuntimeError):
    """Too many documents failed: the run is reported and recorded, then fails loudly."""
