# Airflow 3 image with the pipeline's runtime dependencies (same pins as requirements.lock).
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11
COPY requirements.lock /tmp/requirements.lock
# Install only our direct runtime packages, at the versions the lock pins, next to the
# image's own Airflow install (pip keeps Airflow's pinned dependencies).
RUN python - <<'PY' > /tmp/runtime.txt
import re
wanted = {"elasticsearch", "beautifulsoup4", "lxml", "langdetect", "pyyaml", "trafilatura", "charset-normalizer"}
for line in open("/tmp/requirements.lock"):
    m = re.match(r"^([A-Za-z0-9_.-]+)==([^ \\]+)", line)
    if m and m.group(1).lower() in wanted:
        print(f"{m.group(1)}=={m.group(2)}")
PY
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /tmp/runtime.txt
ENV PYTHONPATH=/opt/news-etl
