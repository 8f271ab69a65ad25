# The action's image. A release pushes it prebuilt to GHCR (.github/workflows/release.yml); from
# main, the runner builds it in every job. Either way it stays small and quick to build: a slim
# Python base, hash-pinned runtime requirements, and only the code that runs.
FROM python:3.12-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

COPY requirements.txt /app/requirements.txt
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: -r /app/requirements.txt

COPY entrypoint.py /app/entrypoint.py
COPY src/retell_gate /app/src/retell_gate
# Compiled once here, so that no run pays for compiling the gate's modules (PYTHONDONTWRITEBYTECODE
# only stops Python writing them at run time).
RUN python -m compileall -q /app/src

# Exec form with absolute paths: no shell in front, so INPUT_* names with hyphens survive
# (dash drops them), and SIGTERM from a cancelled workflow reaches the gate as PID 1.
ENTRYPOINT ["/usr/local/bin/python", "/app/entrypoint.py"]
