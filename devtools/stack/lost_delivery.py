"""A Celery worker that dies the moment it receives a task (the stack test's third fault).

``python -m devtools.stack.lost_delivery`` connects to the broker in ``AIRFLOW__CELERY__BROKER_URL``,
takes the next message from Airflow's ``default`` queue the way a worker does (delivered, not
acknowledged: Airflow's Celery app acknowledges late), prints what it took as one JSON line and
SIGKILLs itself. Redis keeps the message in its unacknowledged set, invisible to the live workers,
and Airflow still shows the task ``queued``: the state a worker killed (OOM killer, lost node)
between receiving a task and starting it leaves behind. Only the scheduler's
``[scheduler] task_queued_timeout`` brings such a task back.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

from kombu import Connection


def describe(body: Any, headers: dict[str, Any]) -> dict[str, Any]:
    """The Celery task id and, when the body is Airflow's workload, the task instance it runs."""
    seen: dict[str, Any] = {"celery_id": headers.get("id"), "task": headers.get("task")}
    try:
        args = body[0] if isinstance(body, (list, tuple)) else []
        workload = json.loads(args[0]) if args and isinstance(args[0], str) else (args[0] if args else {})
        ti = workload.get("ti", {})
        seen.update({"task_id": ti.get("task_id"), "map_index": ti.get("map_index"), "ti_id": ti.get("id"),
                     "try_number": ti.get("try_number")})
    except (IndexError, TypeError, ValueError, AttributeError):
        seen["body"] = repr(body)[:300]
    return seen


def main() -> int:
    timeout = float(sys.argv[1]) if len(sys.argv) > 1 else 120.0
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
