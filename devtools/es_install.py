"""Installing the local node: the Maven download, the unpacked distribution, the service user.

A mixin of ``devtools.es_local.LocalNode`` (it uses the node's paths and settings), kept in its
own file so each part reads on its own.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from devtools.host import LocalNodeError

MAVEN_GROUP = "org.elasticsearch.distribution.integ-test-zip"
MAVEN_ARTIFACT = "elasticsearch"
SERVICE_USER = "esnode"
INSTALLED_MARKER = ".installed"


@dataclass(frozen=True)
class NodeStatus:
    """A snapshot for humans (``es status``) and tests."""

    running: bool
    pid: int | None
    url: str
    health: str | None
    version: str | None
    log_path: Path
    home: Path
    runtime: Path

    def lines(self) -> list[str]:
        state = f"running (pid {self.pid})" if self.running else "stopped"
        out = [
            f"elasticsearch: {state}",
            f"url:     {self.url}",
            f"health:  {self.health or '-'}",
            f"version: {self.version or '-'}",
            f"home:    {self.home}",
        ]
        if self.runtime != self.home:
            out.append(f"runtime: {self.runtime}  (home is not reachable by user {SERVICE_USER})")
        out.append(f"log:     {self.log_path}")
        return out


class NodeInstall:
    """Download (once, through Maven), unpack and hand the runtime to the service user."""

    version: str
    home: Path
    runtime: Path
    es_home: Path
    log_path: Path

    def install(self) -> Path:
        """Fetch the zip through Maven (cached in ~/.m2) and unzip it once; returns the ES home."""
        es_home = self.es_home
        if (es_home / INSTALLED_MARKER).exists():
            return es_home
        zip_path, downloaded = self._fetch_zip()
        staging = es_home.parent / f".unzip-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            with zipfile.ZipFile(zip_path) as zf:
                for info in zf.infolist():
                    target = Path(zf.extract(info, staging))
                    mode = (info.external_attr >> 16) & 0o7777
                    if mode:  # zipfile drops the exec bits that bin/ and the JNA libs need
                        target.chmod(mode)
            extracted = staging / f"elasticsearch-{self.version}"
            if not (extracted / "bin" / "elasticsearch").is_file():
                raise LocalNodeError(f"{zip_path} does not contain elasticsearch-{self.version}/bin/elasticsearch")
            shutil.rmtree(es_home, ignore_errors=True)
            extracted.rename(es_home)
            (es_home / INSTALLED_MARKER).write_text(f"{zip_path}\n")
        except zipfile.BadZipFile as exc:
            raise LocalNodeError(f"corrupt download {zip_path}: {exc}; delete it and retry") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if downloaded:
                zip_path.unlink(missing_ok=True)  # Maven keeps its own cached copy
                with contextlib.suppress(OSError):
                    zip_path.parent.rmdir()
        return es_home

    def _fetch_zip(self) -> tuple[Path, bool]:
        """(zip, whether it is a temporary copy). Uses ~/.m2 directly when already cached."""
        name = f"{MAVEN_ARTIFACT}-{self.version}.zip"
        relative = Path(".m2", "repository", *MAVEN_GROUP.split("."), MAVEN_ARTIFACT, self.version, name)
        homes = [Path.home()]  # $HOME, and the passwd home that Maven (Java's user.home) uses
        with contextlib.suppress(KeyError):
            homes.append(Path(pwd.getpwuid(os.geteuid()).pw_dir))
        for home in homes:
            if (home / relative).is_file():
                return home / relative, False
        mvn = shutil.which("mvn")
        if not mvn:
            raise LocalNodeError(
                f"Maven (mvn) is needed to download Elasticsearch {self.version} "
                f"({MAVEN_GROUP}:{MAVEN_ARTIFACT}:{self.version}:zip); install it (apt-get install maven)"
            )
        out_dir = self.runtime / "download"
        out_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            mvn, "-B", "-q", "dependency:copy",
            f"-Dartifact={MAVEN_GROUP}:{MAVEN_ARTIFACT}:{self.version}:zip",
            f"-DoutputDirectory={out_dir}", "-Dtransitive=false",
        ]  # fmt: skip
        print(f"downloading Elasticsearch {self.version} via Maven ...", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=out_dir)
        if proc.returncode != 0 or not (out_dir / name).is_file():
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
            raise LocalNodeError(
                f"Maven could not fetch Elasticsearch {self.version} (exit {proc.returncode}):\n{tail}"
            )
        return out_dir / name, True

    # ---- identity ---------------------------------------------------------------------

    def _check_fallback(self, runtime: Path) -> None:
        """/var/tmp is world-writable: never chown a symlink or someone else's directory there."""
        print(
            f"note: {self.home} is not reachable by user {SERVICE_USER}; node runtime is {runtime}",
            file=sys.stderr,
        )
        if runtime.is_symlink():
            raise LocalNodeError(f"refusing to use {runtime}: it is a symlink")
        if runtime.exists():
            owner = runtime.stat().st_uid
            allowed = {0}
            with contextlib.suppress(KeyError):
                allowed.add(pwd.getpwnam(SERVICE_USER).pw_uid)
            if owner not in allowed:
                raise LocalNodeError(f"refusing to use {runtime}: owned by uid {owner}, not root or {SERVICE_USER}")

    def _prepare_user(self, runtime: Path, java_home: Path) -> str:
        """Root only: ES refuses root, so hand the runtime dir to an unprivileged system user."""
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            useradd = shutil.which("useradd")
            if not useradd:
                raise LocalNodeError(f"running as root needs user '{SERVICE_USER}' but useradd is missing") from None
            shell = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
            proc = subprocess.run(
                [useradd, "-r", "-M", "-d", "/nonexistent", "-s", shell, SERVICE_USER], capture_output=True, text=True
            )
            if proc.returncode not in (0, 9):  # 9: created concurrently by someone else
                raise LocalNodeError(f"useradd {SERVICE_USER} failed: {proc.stderr.strip()}")
        entry = pwd.getpwnam(SERVICE_USER)
        for root, dirs, files in os.walk(runtime):
            os.lchown(root, entry.pw_uid, entry.pw_gid)
            for name in dirs + files:
                os.lchown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)
        if not shutil.which("runuser"):
            raise LocalNodeError("running as root needs `runuser` (util-linux) to drop to the esnode user")
        checks = [
            (["test", "-w", str(runtime / "data")], f"{runtime} is not writable"),
            (["test", "-x", str(java_home / "bin" / "java")], f"{java_home}/bin/java is not executable"),
        ]
        for argv, problem in checks:
            if subprocess.run(["runuser", "-u", SERVICE_USER, "--", *argv]).returncode != 0:
                raise LocalNodeError(
                    f"user {SERVICE_USER} cannot use the node: {problem} for it "
                    f"(check the permissions of the parent directories, or set ES_LOCAL_HOME / ES_JAVA_HOME)"
                )
        return SERVICE_USER
