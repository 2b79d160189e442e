"""Two Linux facilities of the stage worker's parent (``pipeline.run.stage_worker``), each a no-op or 0
elsewhere: a pipe's capacity, and a process's resident memory."""

from __future__ import annotations

import fcntl


def widen_pipe(fd: int, size: int) -> None:
    """Give pipe ``fd`` room for ``size`` bytes where the system allows (Linux; else it keeps its size)."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)
    except (AttributeError, OSError):
        pass


def rss_mib(pid: int | str = "self") -> float:
    """Resident memory of process ``pid`` (``self``: this one) in MiB, from ``/proc``; 0.0 where unknown."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
