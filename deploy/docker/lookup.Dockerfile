# syntax=docker/dockerfile:1
# lookup: the gRPC lookup service (population registry, digitized results, procedure catalog).
# Build from the repository root (the context), e.g.
#   docker build -f deploy/docker/lookup.Dockerfile -t onceonly/lookup:dev .
# lookup.Dockerfile.dockerignore beside this file narrows the context to what this image needs.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ARG UV_VERSION=0.13.8
# uv from the Python package index, so the build reaches one registry only.
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/onceonly/venv \
    UV_CACHE_DIR=/var/cache/uv
WORKDIR /src
# Third-party dependencies from the lock alone: this layer is rebuilt only when uv.lock changes.
# --frozen because the members' pyproject files are not there yet to check the lock against.
RUN --mount=type=cache,target=/var/cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-install-workspace --no-dev --package onceonly-lookup
# Then the workspace members, installed as wheels (not editable) so /src is not needed at run time;
# --locked fails the build if uv.lock is stale.
COPY . .
RUN --mount=type=cache,target=/var/cache/uv \
    uv sync --locked --no-dev --no-editable --package onceonly-lookup

FROM ${PYTHON_IMAGE}
# Fixed ids, so Kubernetes' runAsUser and the ownership of mounted volumes match the image.
RUN groupadd --system --gid 10001 onceonly \
 && useradd --system --uid 10001 --gid onceonly --home-dir /var/lib/onceonly --no-create-home \
      --shell /usr/sbin/nologin onceonly \
 && install -d -o onceonly -g onceonly -m 0750 /var/lib/onceonly
COPY --from=builder /opt/onceonly/venv /opt/onceonly/venv
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/onceonly-entrypoint
COPY --chmod=0755 deploy/docker/healthcheck.py /usr/local/bin/onceonly-healthcheck
# Bytecode was compiled in the builder; nothing is written beside the code, so the root filesystem
# can be read-only. The embedded SQLite default lives on the one writable path, /var/lib/onceonly.
ENV PATH=/opt/onceonly/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ONCEONLY_LOG_JSON=true \
    ONCEONLY_LOOKUP_HOST=0.0.0.0 \
    ONCEONLY_LOOKUP_PORT=50051 \
    ONCEONLY_LOOKUP_HEALTH_PORT=50052 \
    ONCEONLY_LOOKUP_DATABASE_URL=sqlite:////var/lib/onceonly/lookup.db
WORKDIR /var/lib/onceonly
VOLUME ["/var/lib/onceonly"]
USER 10001:10001
# 50051: mutual TLS; 50052: the health service alone, in plaintext, for probes.
EXPOSE 50051 50052
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["onceonly-healthcheck", "grpc://127.0.0.1:50052"]
ENTRYPOINT ["onceonly-entrypoint", "onceonly-lookup"]
CMD ["serve"]
