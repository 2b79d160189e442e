"""The Kibana saved objects as files (``config/kibana/*.ndjson``): found, read and checked line by line, and
packed as the one multipart upload the Saved Objects API takes. The API calls are in ``pipeline.elastic.kibana``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from pathlib import Path

from pipeline.config import CONFIG_DIR

SAVED_OBJECTS_DIR = CONFIG_DIR / "kibana"


class KibanaError(Exception):
    """A failure worth one clear line to the operator (never carries credentials)."""


def saved_object_files(directory: Path = SAVED_OBJECTS_DIR) -> list[Path]:
    files = sorted(Path(directory).glob("*.ndjson"))
    if not files:
        raise KibanaError(f"no *.ndjson files in {directory}")
    return files


def read_saved_objects(paths: Iterable[Path]) -> bytes:
    """The NDJSON of all ``paths`` as one upload; a malformed line fails here, with its place."""
    lines: list[str] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise KibanaError(f"cannot read {path}: {exc.strerror or exc}") from None
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise KibanaError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(obj, dict) or not ({"id", "type"} <= obj.keys() or "exportedCount" in obj):
                raise KibanaError(f"{path}:{number}: not a saved object (needs id and type)")
            lines.append(line.strip())
    if not lines:
        raise KibanaError("the saved-object files are empty")
    return ("\n".join(lines) + "\n").encode("utf-8")


def multipart_body(field_name: str, filename: str, content: bytes,
                   content_type: str = "application/ndjson") -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with one file part (what ``curl -F file=@x.ndjson`` sends)."""
    boundary = f"----news-etl-{uuid.uuid4().hex}"
    head = (f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n").encode("utf-8")
    tail = f"\r\n--{boundary}--\r\n".encode("utf-8")
    return head + content + tail, f"multipart/form-data; boundary={boundary}"
