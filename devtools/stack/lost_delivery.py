"""A Celery worker that dies the moment it receives a task (the stack test's third fault).

``python -m devtools.stack.lost_delivery`` connects to the broker in ``AIRFLOW__CELERY__BROKER_URL``,
takes the next message from Airflow's ``default`` queue the way a worker does (delivered, not
acknowledged: Airflow's Celery app acknowledges late), prints what it took as one JSON line and
SIGKILLs itself. Redis keeps the message in its unacknowledged set, invisible to the live workers,
and Airflow still shows the task ``queued``: the state a worker killed (OOM killer, lost node)
between receiving a task and starting it leaves behind. Only the scheduler's
``[scheduler] task_queued_timeout`` brings such a task back.

The stack test starts it (``start``), reads what it took once it is dead (``taken``) and checks
that the task came back through the scheduler's stuck-in-queued check (``requeued``).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devtools.stack.services import StackError, tail

if TYPE_CHECKING:
    from devtools.stack.services import Processes

NAME = "lost-delivery"
WAIT = 120  # s the dying worker waits for a task


def start(procs: Processes, python: Path, env: dict[str, str], cwd: Path) -> None:
    procs.start(NAME, [str(python), "-m", "devtools.stack.lost_delivery", str(WAIT)], env, cwd)


def taken(procs: Processes) -> dict[str, Any] | None:
    """What the dying worker took (its one JSON line), once it has died; None while it waits."""
    if procs.started[NAME].poll() is None:
        return None
    log = procs.folder / f"{NAME}.log"
    lines = log.read_text(errors="replace").splitlines()
    seen = next((json.loads(line) for line in reversed(lines) if line.startswith("{")), None)
    if not seen or "error" in seen:
        raise StackError(f"the dying worker took no task: {seen or tail(log)}")
    return dict(seen)


def requeued(get: Callable[..., Any], dag_id: str, run_id: str, lost: dict[str, Any]) -> str:
    """When the lost task came back through the scheduler's stuck-in-queued check (its entry in
    Airflow's event log), not by some other path (say, the broker handing the message back)."""
    events = get("/eventLogs", params={"dag_id": dag_id, "run_id": run_id, "event": "stuck in queued reschedule",
                                       "limit": 50})["event_logs"]
    mine = [e for e in events if e.get("task_id") == lost.get("task_id") and e.get("map_index") == lost.get("map_index")]
    if not mine:
        raise StackError(f"no 'stuck in queued reschedule' event for the lost task {lost}; events: {events}")
    return str(mine[0]["when"])


def describe(body: Any, headers: dict[str, Any]) -> dict[str, Any]:
    """The Celery task id and, when the body is Airflow's workload (``execute_workload``'s one argument,
    a JSON string), the task instance it runs."""
    seen: dict[str, Any] = {"celery_id": headers.get("id"), "task": headers.get("task")}
    try:
        args, _kwargs, _embed = body
        ti = json.loads(args[0]).get("ti", {})
        seen.update({"task_id": ti.get("task_id"), "map_index": ti.get("map_index"), "ti_id": ti.get("id"),
                     "try_number": ti.get("try_number")})
    except (IndexError, TypeError, ValueError, AttributeError):
        seen["body"] = repr(body)[:300]
    return seen


def main() -> int:
    from kombu import Connection

    timeout = float(sys.argv[1]) if len(sys.argv) > 1 else float(WAIT)
    with Connection(os.environ["AIRFLOW__CELERY__BROKER_URL"]) as conn:
        queue = conn.SimpleQueue("default", no_ack=False)
        try:
            message = queue.get(block=True, timeout=timeout)
        except queue.Empty:
            print(json.dumps({"error": f"no task delivered in {timeout:.0f}s"}), flush=True)
            return 1
        print(json.dumps(describe(message.decode(), dict(message.headers))), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no ack, no clean close (which would hand it back)
    return 1


if __name__ == "__main__":
    sys.exit(main())
