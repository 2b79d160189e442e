"""A real single-node Elasticsearch for development, tests and CI, managed from Python.

Why not Docker or a system package: CI is a plain Debian image with Maven and JDKs, so the
node is the ``integ-test-zip`` distribution fetched through Maven (cached in ``~/.m2``) and
run with a system JDK >= 21. Everything the node writes lives under one *runtime* directory
(normally ``home``): ``dist/`` (unzipped), ``data/``, ``logs/``, ``tmp/``, ``node.pid``.
``home/node.json`` records what was started, so ``status``/``stop`` work from any process.

Elasticsearch refuses to run as root. As root the node runs as the unprivileged system user
``esnode``; if that user cannot reach ``home`` (a parent directory such as ``/root`` is not
traversable by others) the runtime moves to ``/var/tmp/news-etl-es-<port>-<hash>`` and
``status`` says where. Nothing here imports Airflow.

CLI: ``python -m devtools.es_local start|stop|status`` (the Makefile wraps it).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from devtools.es_install import (  # noqa: F401 - re-exported
    INSTALLED_MARKER,
    MAVEN_ARTIFACT,
    MAVEN_GROUP,
    SERVICE_USER,
    NodeInstall,
    NodeStatus,
)
from devtools.host import (  # noqa: F401 - re-exported: tests and benchmarks import them from here
    JVM_ROOT,
    MIN_JAVA,
    LocalNodeError,
    _cmdline,
    _http_json,
    _is_root,
    _pid_alive,
    _tail,
    _traversable_by_others,
    find_java_home,
    free_port,
    java_major,
    port_is_free,
)
from pipeline.config import Settings, load_settings

CLUSTER_NAME = "news-etl-local"
FALLBACK_ROOT = Path("/var/tmp")
STATE_FILE = "node.json"
PID_FILE = "node.pid"
# log lines that name why a start failed, e.g. "java.lang.IllegalArgumentException: unknown setting [x]"
_CAUSES = [re.compile(p) for p in (r"^\S+(Exception|Error): ", r"\]\[ERROR", r"^ERROR: ")]


# --------------------------------------------------------------------------------------------
# the node
# --------------------------------------------------------------------------------------------


@dataclass
class LocalNode(NodeInstall):
    """One managed node: ``home`` holds its state; it listens on 127.0.0.1:``port`` only."""

    home: Path
    port: int = 9200
    version: str = "9.5.4"
    heap: str = "512m"
    # Extra -E settings, e.g. {"thread_pool.write.queue_size": "1"}; they override the defaults.
    extra_settings: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.home = Path(self.home).expanduser().absolute()

    @classmethod
    def from_settings(cls, settings: Settings) -> "LocalNode":
        local = settings.local_node
        return cls(home=local.home, port=local.port, version=local.version, heap=local.heap)

    # ---- paths --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state_path(self) -> Path:
        return self.home / STATE_FILE

    @property
    def runtime(self) -> Path:
        """Where dist/data/logs live: ``home`` unless root must hand it to a user who can't reach it."""
        recorded = self._read_state().get("runtime")
        if recorded:
            return Path(recorded)
        return self._choose_runtime()

    def _choose_runtime(self) -> Path:
        if not _is_root() or _traversable_by_others(self.home):
            return self.home
        digest = hashlib.sha256(str(self.home.resolve()).encode()).hexdigest()[:8]
        return FALLBACK_ROOT / f"news-etl-es-{self.port}-{digest}"

    @property
    def es_home(self) -> Path:
        return self.runtime / "dist" / f"elasticsearch-{self.version}"

    @property
    def pid_path(self) -> Path:
        return self.runtime / PID_FILE

    @property
    def log_path(self) -> Path:
        return self.runtime / "logs" / f"{CLUSTER_NAME}.log"

    @property
    def launcher_log_path(self) -> Path:
        return self.runtime / "logs" / "launcher.log"

    # ---- state ------------------------------------------------------------------------

    def _read_state(self) -> dict[str, Any]:
        try:
            data = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return {}
        # A state file from another port/version describes another node: ignore it.
        if data.get("port") != self.port or data.get("version") != self.version:
            return {}
        return data if isinstance(data, dict) else {}

    def _write_state(self, **data: Any) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
        tmp.replace(self.state_path)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Serialize start/stop across processes (e.g. parallel test workers)."""
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # ---- install ----------------------------------------------------------------------

    def _our_pid(self) -> int | None:
        """Pid of *this* home's node if it runs: pid file/state first, then ask the port."""
        marker = f"-Des.path.home={self.es_home}"
        candidates: list[int] = []
        with contextlib.suppress(OSError, ValueError):
            candidates.append(int(self.pid_path.read_text().strip()))
        if isinstance(self._read_state().get("pid"), int):
            candidates.append(self._read_state()["pid"])
        for pid in candidates:
            if _pid_alive(pid) and marker in _cmdline(pid):
                return pid
        # Pid file lost? The node itself knows its home (skip the probe if nothing listens).
        info = None if port_is_free(self.port) else self._node_info()
        if info and info.get("settings", {}).get("path", {}).get("home") == str(self.es_home):
            pid = info.get("process", {}).get("id")
            if isinstance(pid, int) and _pid_alive(pid):
                return pid
        return None

    def _node_info(self, timeout: float = 1.5) -> dict[str, Any] | None:
        code, body = _http_json(
            f"{self.url}/_nodes/_local?filter_path=nodes.*.version,nodes.*.process.id,"
            "nodes.*.settings.path.home,nodes.*.settings.cluster.name",
            timeout,
        )
        if code != 200 or not isinstance(body, dict) or not body.get("nodes"):
            return None
        return next(iter(body["nodes"].values()))

    def is_running(self) -> bool:
        return self._our_pid() is not None

    def _describe_port_owner(self) -> str:
        info = self._node_info()
        if info:
            cluster = info.get("settings", {}).get("cluster", {}).get("name", "?")
            home = info.get("settings", {}).get("path", {}).get("home", "?")
            return f"another Elasticsearch node (cluster '{cluster}', home {home})"
        return "a process that is not this node"

    # ---- start / stop -----------------------------------------------------------------

    def start(self, timeout: float = 120) -> None:
        """Start the node (no-op if this home's node already runs) and wait for yellow/green."""
        deadline = time.monotonic() + timeout
        with self._lock():
            pid = self._our_pid()
            if pid is not None:
                self._wait_healthy(pid, deadline)
                return
            self.pid_path.unlink(missing_ok=True)
            if not port_is_free(self.port):
                raise LocalNodeError(
                    f"port {self.port} on 127.0.0.1 is busy: {self._describe_port_owner()} holds it, "
                    f"not the node of {self.home}. Stop that process, or use another port (ES_LOCAL_PORT) "
                    f"or point the pipeline at it with ES_URL={self.url}"
                )
            java_home = find_java_home()
            self.home.mkdir(parents=True, exist_ok=True)
            runtime = self._choose_runtime()
            if runtime != self.home:
                self._check_fallback(runtime)
            self._write_state(port=self.port, version=self.version, runtime=str(runtime), pid=None)
            es_home = self.install()
            for sub in ("data", "logs", "tmp"):
                (runtime / sub).mkdir(parents=True, exist_ok=True)
            user = self._prepare_user(runtime, java_home) if _is_root() else None
            wanted = self.port + 100  # 9200 -> 9300, the usual pair
            transport_port = wanted if wanted < 65536 and port_is_free(wanted) else free_port()
            es_settings = {
                "cluster.name": CLUSTER_NAME,
                "node.name": f"local-{self.port}",
                "discovery.type": "single-node",
                "http.host": "127.0.0.1",
                "transport.host": "127.0.0.1",
                "http.port": str(self.port),
                "transport.port": str(transport_port),
                "path.data": str(runtime / "data"),
                "path.logs": str(runtime / "logs"),
                "xpack.security.enabled": "false",
                # dev disks are often >90% full; don't let that turn indices read-only
                "cluster.routing.allocation.disk.threshold_enabled": "false",
                **self.extra_settings,
            }
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(runtime),
                "LANG": "C.UTF-8",
                "ES_JAVA_HOME": str(java_home),
                "ES_JAVA_OPTS": f"-Xms{self.heap} -Xmx{self.heap}",
                "ES_TMPDIR": str(runtime / "tmp"),
            }
            cmd = [str(es_home / "bin" / "elasticsearch"), "-d", "-p", str(self.pid_path)]
            cmd += [f"-E{k}={v}" for k, v in es_settings.items()]
            if user:
                cmd = ["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()), *cmd]
            self._launch(cmd, env, runtime, deadline)
            pid = self._our_pid()
            if pid is None:
                raise self._start_error("the launcher exited but no node process is running")
            try:
                self._wait_healthy(pid, deadline)
            except LocalNodeError:
                self._stop_unlocked(10)  # a failed start leaves nothing running
                raise
            self._write_state(
                port=self.port, version=self.version, runtime=str(runtime), pid=pid, url=self.url,
                transport_port=transport_port, user=user or pwd.getpwuid(os.geteuid()).pw_name,
                java_home=str(java_home), log=str(self.log_path), started_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            )  # fmt: skip

    def _launch(self, cmd: list[str], env: dict[str, str], runtime: Path, deadline: float) -> None:
        """``bin/elasticsearch -d`` returns once the node is up (or has failed)."""
        with open(self.launcher_log_path, "ab") as log:
            log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} start on port {self.port}\n".encode())
            log.flush()
            try:
                proc = subprocess.run(
                    cmd, env=env, cwd=runtime, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    timeout=max(1.0, deadline - time.monotonic()), start_new_session=True,
                )  # fmt: skip
            except subprocess.TimeoutExpired:
                self._stop_unlocked(10)
                raise self._start_error("timed out waiting for the node to start") from None
            except OSError as exc:
                raise LocalNodeError(f"cannot run {cmd[0]}: {exc}") from exc
        if proc.returncode != 0:
            self._stop_unlocked(10)
            raise self._start_error(f"bin/elasticsearch exited with code {proc.returncode}")

    def _wait_healthy(self, pid: int, deadline: float) -> None:
        while True:
            code, body = _http_json(f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s", 5)
            if code == 200 and isinstance(body, dict) and body.get("status") in {"yellow", "green"}:
                return
            if code == 401:  # security switched on via extra_settings: up, but health needs credentials
                return
            if not _pid_alive(pid):
                raise self._start_error(f"the node (pid {pid}) died during startup")
            if time.monotonic() >= deadline:
                raise self._start_error(f"cluster health not yellow/green in time (last answer: HTTP {code} {body})")
            time.sleep(0.5)

    def _start_error(self, reason: str) -> LocalNodeError:
        """Summary + the likely cause on the first line, then log path and trimmed log tails."""
        es_tail = _tail(self.log_path, 400).splitlines()
        # The launcher echoes the node's console log; keep only its own lines (CLI errors, JVM warnings).
        launcher_lines = _tail(self.launcher_log_path, 400).splitlines()
        starts = [i for i, ln in enumerate(launcher_lines) if ln.startswith("--- ")]  # this attempt only
        launcher_tail = [ln for ln in launcher_lines[starts[-1] + 1 if starts else 0 :] if not ln.startswith("[")]
        cause = ""
        for pattern in _CAUSES:
            found = [ln.strip() for ln in launcher_tail + es_tail if pattern.search(ln)]
            if found:
                cause = f": {found[-1][:300]}"
                break
        parts = [f"Elasticsearch on port {self.port} failed to start: {reason}{cause}", f"log: {self.log_path}"]
        for path, lines in ((self.launcher_log_path, launcher_tail), (self.log_path, es_tail)):
            shown = [ln[:300] for ln in lines if ln.strip() and not ln.startswith("\tat ")][-15:]
            if shown:
                parts.append(f"--- tail of {path}\n" + "\n".join(shown))
        return LocalNodeError("\n".join(parts))

    def stop(self, timeout: float = 60) -> None:
        """Stop this home's node (no-op if not running): SIGTERM, then SIGKILL after ``timeout``."""
        with self._lock():
            self._stop_unlocked(timeout)

    def _stop_unlocked(self, timeout: float) -> None:
        pid = self._our_pid()
        if pid is not None:
            for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
                end = time.monotonic() + wait
                while _pid_alive(pid) and time.monotonic() < end:
                    time.sleep(0.2)
                if not _pid_alive(pid):
                    break
            else:
                raise LocalNodeError(f"could not stop Elasticsearch (pid {pid}) even with SIGKILL")
        self.pid_path.unlink(missing_ok=True)
        state = self._read_state()
        if state.get("pid") is not None:
            self._write_state(**{**state, "pid": None})

    def status(self) -> NodeStatus:
        pid = self._our_pid()
        health = version = None
        if pid is not None:
            code, body = _http_json(f"{self.url}/_cluster/health", 3)
            if code == 200 and isinstance(body, dict):
                health = body.get("status")
            else:
                health = f"HTTP {code}" if code else "no answer"
            info = self._node_info()
            version = info.get("version") if info else None
        return NodeStatus(
            running=pid is not None, pid=pid, url=self.url, health=health, version=version,
            log_path=self.log_path, home=self.home, runtime=self.runtime,
        )  # fmt: skip

    def destroy(self) -> None:
        """Stop and delete everything this node wrote (tests use it to clean /var/tmp fallbacks)."""
        self.stop()
        runtime = self.runtime
        if runtime != self.home:
            shutil.rmtree(runtime, ignore_errors=True)
        shutil.rmtree(self.home, ignore_errors=True)


def ensure_cluster(settings: Settings) -> str:
    """URL to talk to: ES_URL as configured (never start anything), else the local node, started."""
    if settings.es.explicit:
        return settings.es.url
    node = LocalNode.from_settings(settings)
    node.start()
    return node.url


def main(argv: list[str] | None = None) -> int:
    """``es start|stop|status`` for humans and Makefiles: one clear line on error, no traceback."""
    parser = argparse.ArgumentParser(prog="python -m devtools.es_local", description="Manage the local Elasticsearch node.")
    parser.add_argument("command", choices=["start", "stop", "status"])
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
        node = LocalNode.from_settings(settings)
        if args.command == "start":
            if settings.es.explicit:
                print(f"note: ES_URL is set, the pipeline uses {settings.es.url}, not this local node")
            node.start()
            for line in node.status().lines():
                print(line)
        elif args.command == "stop":
            was_running = node.is_running()
            node.stop()
            print(f"elasticsearch on {node.url}: {'stopped' if was_running else 'was not running'}")
        else:
            for line in node.status().lines():
                print(line)
        return 0
    except LocalNodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
