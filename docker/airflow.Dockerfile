# syntax=docker/dockerfile:1
# Airflow 3 image with the pipeline's runtime dependencies (same pins as requirements.lock).
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11
# an ARG declared before FROM is not visible after it: declare it again for the pip line
ARG AIRFLOW_VERSION
COPY requirements.in requirements.lock /tmp/
# The runtime packages are requirements.in's direct dependencies above its "# test / dev" line,
# minus Airflow itself (the image has it), at the versions requirements.lock pins. A package
# the lock does not pin fails the build instead of installing an unpinned version.
# (tests/test_compose.py runs this very script against the repository's files.)
RUN python - /tmp/requirements.in /tmp/requirements.lock > /tmp/runtime.txt <<'PY'
import re
import sys

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

req_in, lock = sys.argv[1], sys.argv[2]
wanted = []
for line in open(req_in, encoding="utf-8"):
    line = line.strip()
    if line.startswith("# test"):
        break
    m = re.match(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)", line)
    if m and norm(m.group(1)) != "apache-airflow":
        wanted.append(norm(m.group(1)))
pins = {}
for line in open(lock, encoding="utf-8"):
    m = re.match(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==([^ \\;]+)", line)
    if m:
        pins[norm(m.group(1))] = m.group(2)
missing = [name for name in wanted if name not in pins]
if missing:
    sys.exit(f"not pinned in requirements.lock: {', '.join(missing)}")
for name in wanted:
    print(f"{name}=={pins[name]}")
PY
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /tmp/runtime.txt
# Run reports go to a named volume mounted here; a fresh volume copies this directory's owner,
# so the Airflow user (any AIRFLOW_UID, group 0) can write to it.
USER root
RUN mkdir -p /opt/news-etl/runs && chown -R airflow:0 /opt/news-etl && chmod -R g+rwX /opt/news-etl
USER airflow
ENV PYTHONPATH=/opt/news-etl
