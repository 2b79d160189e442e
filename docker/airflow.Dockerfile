# syntax=docker/dockerfile:1
# Airflow 3 image with exactly the production lock (requirements-prod.lock, hashes checked): the
# same install as `make install-prod` and the stack test (docs/operations.md). The lock goes into its
# own venv, first on PATH, so the base image's other packages (and their versions) play no part.
ARG AIRFLOW_VERSION=3.3.2
FROM apache/airflow:${AIRFLOW_VERSION}-python3.11
# an ARG declared before FROM is not visible after it: declare it again for the check below
ARG AIRFLOW_VERSION
ARG UV_VERSION=0.13.9
COPY requirements-prod.lock /tmp/requirements-prod.lock
USER root
RUN python -m venv /opt/news-etl/venv \
 && /opt/news-etl/venv/bin/pip install --no-cache-dir -q "uv==${UV_VERSION}" \
 && /opt/news-etl/venv/bin/uv pip sync --no-cache --python /opt/news-etl/venv/bin/python --require-hashes /tmp/requirements-prod.lock \
 && /opt/news-etl/venv/bin/python -c "import airflow, sys; sys.exit(0 if airflow.__version__ == '${AIRFLOW_VERSION}' else f'lock has Airflow {airflow.__version__}, image is ${AIRFLOW_VERSION}')"
ENV PATH=/opt/news-etl/venv/bin:${PATH}
# Run reports go to a named volume mounted here; a fresh volume copies this directory's owner,
# so the Airflow user (any AIRFLOW_UID, group 0) can write to it. Same for the auth volume.
RUN mkdir -p /opt/news-etl/runs /opt/news-etl/auth && chown -R airflow:0 /opt/news-etl && chmod -R g+rwX /opt/news-etl
USER airflow
ENV PYTHONPATH=/opt/news-etl
