"""A real multi-node Elasticsearch cluster on loopback, for HA tests and the stack test.

Each node is a ``LocalNode`` (same Maven distribution, same JDK choice, same unprivileged user
when run as root) with its own home under ``base``; the nodes find each other through
``discovery.seed_hosts`` on fixed loopback transport ports and elect a master among all of them
(``cluster.initial_master_nodes``), so any one node can be killed and the other two keep a
quorum. Nothing here is imported by ``pipeline/`` or ``dags/``.

CLI: ``python -m devtools.es_cluster start|stop|status --base DIR [--nodes 3] [--port 9250]``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.es_local import LocalNode, LocalNodeError, _pid_alive, port_is_free
from pipeline.config import load_settings


@dataclass
class LocalCluster:
    """``nodes`` nodes: HTTP on ``port``, ``port+1``…, transport on ``port+100``, ``port+101``…"""

    base: Path
    nodes: int = 3
    port: int = 9250
    version: str = "9.5.4"
    heap: str = "512m"
    extra_settings: dict[str, str] = field(default_factory=dict)
    auth: tuple[str, str] | None = field(default=None, repr=False)  # basic auth when security is on

    def __post_init__(self) -> None:
        self.base = Path(self.base).expanduser().absolute()
        names = [f"node-{i + 1}" for i in range(self.nodes)]
        seeds = ",".join(f"127.0.0.1:{self.transport_port(i)}" for i in range(self.nodes))
        self.members = [
            LocalNode(
                home=self.base / name, port=self.port + i, version=self.version, heap=self.heap,
                extra_settings={
                    "discovery.type": "multi-node",
                    "node.name": name,
                    "transport.port": str(self.transport_port(i)),
                    "discovery.seed_hosts": seeds,
                    "cluster.initial_master_nodes": ",".join(names),
                    **self.extra_settings,
                },
            )  # fmt: skip
            for i, name in enumerate(names)
        ]

    def transport_port(self, i: int) -> int:
        return self.port + 100 + i

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.members]

    @property
    def es_url(self) -> str:
        """The value for ``ES_URL``: every node, comma-separated (the first is node-1)."""
        return ",".join(self.urls)

    def start(self, timeout: float = 240) -> None:
        """Start every node at once (none can elect a master alone), then wait until all joined
        and the cluster is green."""
        busy = [p for i in range(self.nodes) for p in (self.port + i, self.transport_port(i)) if not port_is_free(p)]
        running = [node for node in self.members if node.is_running()]
        if busy and len(running) != self.nodes:
            raise LocalNodeError(f"ports {busy} on 127.0.0.1 are busy; pick another --port")
        deadline = time.monotonic() + timeout
        with ThreadPoolExecutor(self.nodes) as pool:
            futures = [pool.submit(node.start, timeout) for node in self.members]
            errors = [exc for f in futures if (exc := f.exception()) is not None]
        if errors:
            self.stop()
            raise LocalNodeError("cluster start failed:\n" + "\n".join(str(e) for e in errors))
        self.wait_for(nodes=self.nodes, status="green", deadline=deadline)

    def wait_for(self, *, nodes: int, status: str = "yellow", deadline: float | None = None,
                 timeout: float = 120) -> dict[str, Any]:
        """Cluster health from any live node once ``nodes`` nodes are in and health >= ``status``."""
        deadline = deadline or time.monotonic() + timeout
        last: Any = None
        while True:
            for url in self.live_urls():
                code, body = self._get(f"{url}/_cluster/health?wait_for_nodes={nodes}"
                                       f"&wait_for_status={status}&timeout=2s")
                last = (code, body)
                if code == 200 and isinstance(body, dict) and not body.get("timed_out"):
                    return body
            if time.monotonic() >= deadline:
                raise LocalNodeError(f"cluster not {status} with {nodes} nodes in time (last: {last})")
            time.sleep(1)

    def _get(self, url: str, timeout: float = 10) -> tuple[int, Any]:
        headers = {}
        if self.auth:
            headers["Authorization"] = "Basic " + base64.b64encode(":".join(self.auth).encode()).decode()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, None
        except (OSError, ValueError):
            return 0, None

    def live_urls(self) -> list[str]:
        return [node.url for node in self.members if node.is_running()]

    def pid(self, i: int) -> int | None:
        return self.members[i]._our_pid()

    def kill(self, i: int = 0) -> int:
        """SIGKILL node ``i`` (a crash, not a shutdown); returns its pid."""
        pid = self.pid(i)
        if pid is None:
            raise LocalNodeError(f"node {i + 1} is not running")
        os.kill(pid, signal.SIGKILL)
        end = time.monotonic() + 30
        while _pid_alive(pid) and time.monotonic() < end:
            time.sleep(0.1)
        return pid

    def stop(self, timeout: float = 60) -> None:
        with ThreadPoolExecutor(self.nodes) as pool:
            for f in [pool.submit(node.stop, timeout) for node in self.members]:
                with contextlib.suppress(LocalNodeError):
                    f.result()

    def status(self) -> list[dict[str, Any]]:
        out = []
        for node in self.members:
            st = node.status()
            out.append({"url": st.url, "running": st.running, "pid": st.pid, "health": st.health,
                        "log": str(st.log_path)})
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.es_cluster", description="A local multi-node cluster.")
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--base", required=True, help="folder for the nodes' homes (data, logs, pid files)")
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--port", type=int, default=9250, help="HTTP port of node 1 (node i: port+i-1)")
    parser.add_argument("--heap", default=None)
    args = parser.parse_args(argv)
    local = load_settings().local_node
    cluster = LocalCluster(Path(args.base), nodes=args.nodes, port=args.port, version=local.version,
                           heap=args.heap or local.heap)
    try:
        if args.command == "start":
            cluster.start()
            print(f"ES_URL={cluster.es_url}")
        elif args.command == "stop":
            cluster.stop()
        else:
            print(json.dumps(cluster.status(), indent=2))
        return 0
    except LocalNodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
