# One image for every role, chosen by its arguments (the entrypoint is `barberbot`):
#   serve (the API and web form), worker (Kafka -> database), db upgrade (the migrations Job),
#   and the campaign sender once it exists. Configured only through BARBERBOT_* variables.
# Build with `make image` (docker, or buildah where no Docker engine runs).
ARG PYTHON_IMAGE=docker.io/library/python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION=0.13.9
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1
# Behind a TLS-inspecting proxy, `make image` hands its CA bundle in as the build secret
# `ca-bundle` (never stored in a layer); without it the image's own CAs are used.
RUN --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
 && python3.11 -m venv /opt/uv \
 && /opt/uv/bin/pip install --quiet --no-cache-dir --disable-pip-version-check uv==${UV_VERSION}
WORKDIR /src
# The locked dependencies alone first: this layer is only rebuilt when uv.lock changes.
COPY pyproject.toml uv.lock ./
RUN --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export SSL_CERT_FILE=/run/secrets/ca-bundle; fi \
 && /opt/uv/bin/uv sync --frozen --no-dev --no-install-project
COPY README.md ./
COPY src ./src
RUN --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export SSL_CERT_FILE=/run/secrets/ca-bundle; fi \
 && /opt/uv/bin/uv sync --frozen --no-dev --no-editable

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 barberbot \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/barberbot \
      --shell /usr/sbin/nologin barberbot \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/barberbot
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    BARBERBOT_DATA_DIR=/var/lib/barberbot \
    BARBERBOT_HOST=0.0.0.0 \
    BARBERBOT_LOG_FORMAT=json
WORKDIR /var/lib/barberbot
USER 10001:10001
EXPOSE 8000 9102
ENTRYPOINT ["barberbot"]
CMD ["serve"]
