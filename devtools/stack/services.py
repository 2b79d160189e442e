"""The stack test's services on 127.0.0.1: Debian's PostgreSQL and Redis (as their own system
users when run as root, data under a private folder, ports chosen free), and long-running
processes (Airflow components) started in their own sessions and stopped by PID, children too.

Why not the packages' system services: a CI machine (or a developer's laptop) may already run
them on the default ports; private instances never collide and leave nothing behind.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil


class StackError(RuntimeError):
    """A service did not come up: the message says which and where its log is."""


def _as_user(user: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *argv] if user else argv


def _own(path: Path, user: str | None) -> None:
    if user:
        entry = pwd.getpwnam(user)
        for root, dirs, files in os.walk(path):
            os.chown(root, entry.pw_uid, entry.pw_gid)
            for name in files:
                os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


def _service_user(name: str) -> str | None:
    """As root: the package's own user (``postgres``, ``redis``); otherwise run as ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
    except KeyError:
        raise StackError(f"user {name!r} is missing: install the Debian package (apt-get install "
                         f"{'postgresql' if name == 'postgres' else 'redis-server'})") from None
    return name


def kill_tree(pid: int, sig: int = signal.SIGKILL) -> list[int]:
    """Send ``sig`` to ``pid`` and every descendant (found by parent pid, whatever their session)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.send_signal(sig)
    return [p.pid for p in procs]


def stop_tree(pid: int, timeout: float = 15) -> None:
    """SIGTERM the tree, SIGKILL what is still alive after ``timeout``."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(alive, timeout=5)


@dataclass
class Postgres:
    """A private PostgreSQL cluster: ``initdb`` into ``folder``, password auth on 127.0.0.1:``port``."""

    folder: Path
    port: int
    superuser_password: str
    user: str | None = field(default=None)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    @staticmethod
    def bindir() -> Path:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
        if not found:
            raise StackError("PostgreSQL server binaries not found under /usr/lib/postgresql: "
                             "apt-get install postgresql")
        return Path(found[-1]).parent

    def start(self) -> None:
        self.user = _service_user("postgres")
        self.folder.mkdir(parents=True, exist_ok=True)
        pwfile = self.folder / "pwfile"
        pwfile.write_text(self.superuser_password + "\n")
        pwfile.chmod(0o600)
        (self.folder / "sock").mkdir(exist_ok=True)
        _own(self.folder, self.user)
        bindir = self.bindir()
        self._run([str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-E", "UTF8",
                   "--auth=scram-sha-256", f"--pwfile={pwfile}"], "initdb")
        pwfile.unlink()
        options = (f"-c port={self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.folder / 'sock'} -c fsync=off")
        self._run([str(bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                   "-w", "-t", "60", "start"], "pg_ctl start")

    def _run(self, argv: list[str], what: str) -> None:
        proc = subprocess.run(_as_user(self.user, argv), capture_output=True, text=True, cwd=self.folder)
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise StackError(f"postgres {what} failed ({proc.returncode}): {proc.stderr.strip()[-1500:]}\n{log}")

    def create_database(self, name: str, owner: str, password: str) -> str:
        """Role + database; returns the SQLAlchemy URL (psycopg2)."""
        import psycopg2
        from psycopg2 import sql

        with contextlib.closing(psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                                                 password=self.superuser_password, dbname="postgres")) as conn:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(owner)), (password,))
                cur.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(owner)))
        return f"postgresql+psycopg2://{owner}:{password}@127.0.0.1:{self.port}/{name}"

    def pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().splitlines()[0])
        return None

    def stop(self) -> None:
        """Fast shutdown (SIGINT to the postmaster, by PID), SIGKILL after 30 s."""
        pid = self.pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
        with contextlib.suppress(psutil.NoSuchProcess, psutil.TimeoutExpired):
            psutil.Process(pid).wait(30)
        if psutil.pid_exists(pid):
            kill_tree(pid)


@dataclass
class Redis:
    """A private Redis (no persistence) on 127.0.0.1:``port`` with a password (the broker)."""

    folder: Path
    port: int
    password: str
    user: str | None = None

    @property
    def pid_file(self) -> Path:
        return self.folder / "redis.pid"

    def start(self, timeout: float = 30) -> None:
        self.user = _service_user("redis")
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise StackError("redis-server not found: apt-get install redis-server")
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "redis.conf"
        conf.write_text("\n".join([
            "bind 127.0.0.1", f"port {self.port}", f"dir {self.folder}", "daemonize yes",
            f"pidfile {self.pid_file}", f"logfile {self.folder / 'redis.log'}", 'save ""', "appendonly no",
            f"requirepass {self.password}",
        ]) + "\n")  # fmt: skip
        conf.chmod(0o600)
        _own(self.folder, self.user)
        proc = subprocess.run(_as_user(self.user, [binary, str(conf)]), capture_output=True, text=True)
        if proc.returncode != 0:
            raise StackError(f"redis-server failed: {proc.stderr.strip() or proc.stdout.strip()}")
        deadline = time.monotonic() + timeout
        while not self._ping():
            if time.monotonic() > deadline:
                raise StackError(f"redis did not answer on port {self.port}; log: {self.folder / 'redis.log'}")
            time.sleep(0.2)

    def _ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, password=self.password,
                                    socket_timeout=1).ping())
        except redis.RedisError:
            return False

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            stop_tree(int(self.pid_file.read_text().strip()), timeout=10)


@dataclass
class Processes:
    """Long-running commands, each in its own session, logs in ``folder``; stopped by PID."""

    folder: Path
    started: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        (self.folder / f"{name}.pid").write_text(f"{proc.pid}\n")
        self.started[name] = proc
        return proc

    def check_alive(self, *, except_: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        for name, proc in self.started.items():
            if name not in except_ and proc.poll() is not None:
                raise StackError(f"{name} exited with {proc.returncode}; log: {self.folder / f'{name}.log'}\n"
                                 + tail(self.folder / f"{name}.log"))

    def stop_all(self) -> None:
        for name, proc in reversed(list(self.started.items())):
            stop_tree(proc.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
