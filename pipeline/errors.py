"""Errors a retry cannot fix: the CLI exits with them, a DAG task fails at once (no retries)."""


class PermanentError(Exception):
    """The run cannot succeed as asked (a bad parameter, a missing or unsafe folder, too many failures)."""


class SourceMissing(PermanentError, FileNotFoundError):
    """The source folder does not exist (or is not a folder)."""


class UnsafeSourceDir(PermanentError, ValueError):
    """A source folder outside the allowed roots (e.g. from a manual DAG trigger)."""


class BadParameter(PermanentError, ValueError):
    """A run parameter that is not valid (e.g. an index alias Elasticsearch would refuse)."""


class RunFailed(PermanentError, RuntimeError):
    """Too many documents failed: the run is reported and recorded, then fails loudly."""
