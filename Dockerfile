# syntax=docker/dockerfile:1
# Kept correct by reading (no Docker engine on the development machines) and by
# tests/test_deployment.py, which parses this file and compose.yaml.

# Build: the runtime dependencies and the project, as wheels. Only requirements-runtime.lock
# (pyproject's dependencies, pinned as in requirements.lock): no test or lint tool.
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements-runtime.lock pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
RUN python -m pip install --no-cache-dir --upgrade pip \
 && python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels -r requirements-runtime.lock \
 && python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && cp requirements-runtime.lock /wheels/

# Run: the wheels, mounted from the build stage for the install only (no layer keeps
# them), as a non-root user. The migrations travel inside the wheel
# (capacity_exit/_migrations), so `capacity-exit migrate` finds them from any directory.
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CAPEXIT_ENV=production \
    CAPEXIT_VAR_DIR=/var/lib/capacity-exit
# The evidence directory exists in the image, owned by the service's user, so that a
# fresh named volume mounted there (compose.yaml) takes that owner and mode.
RUN useradd --system --uid 10001 --user-group --shell /usr/sbin/nologin \
      --home-dir /var/lib/capacity-exit --create-home capexit \
 && install -d -o capexit -g capexit -m 0700 /var/lib/capacity-exit/evidence
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-cache-dir --no-index --find-links /wheels --no-deps \
      -r /wheels/requirements-runtime.lock capacity-exit \
 && python -m pip check
USER capexit
WORKDIR /var/lib/capacity-exit
EXPOSE 8000
# Liveness from inside the container, with the interpreter (the slim image has no curl).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# Exec form: `docker stop`'s SIGTERM reaches `capacity-exit` itself, never a shell (run
# with `--init`, as compose.yaml does, so that PID 1 forwards signals and reaps children).
# The image serves by default; the other steps are the same entry point with another
# command (docs/operations.md): `migrate` once per deployment with the owner role, then
# `seed`, then `serve` and `worker` as the application role.
ENTRYPOINT ["capacity-exit"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
