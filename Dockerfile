# syntax=docker/dockerfile:1
# Build: the locked dependencies and the project as wheels.
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
RUN python -m pip install --no-cache-dir --upgrade pip \
 && python -m pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.lock \
 && python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Run: the wheels only, as a non-root user. The migrations travel inside the wheel
# (capacity_exit/_migrations), so `capacity-exit migrate` finds them from any directory.
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    CAPEXIT_ENV=production CAPEXIT_VAR_DIR=/var/lib/capacity-exit
RUN useradd --system --uid 10001 --home-dir /var/lib/capacity-exit --create-home capexit
COPY --from=build /wheels /wheels
COPY requirements.lock /tmp/requirements.lock
RUN python -m pip install --no-cache-dir --no-index --find-links /wheels -r /tmp/requirements.lock \
 && python -m pip install --no-cache-dir --no-index --find-links /wheels --no-deps capacity-exit \
 && rm -rf /wheels /tmp/requirements.lock
USER capexit
WORKDIR /var/lib/capacity-exit
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# The same commands `make run` uses: migrate, then serve. DATABASE_URL must be set
# (production refuses the embedded SQLite default and development secrets).
CMD ["sh", "-c", "capacity-exit migrate && capacity-exit serve --host 0.0.0.0 --port 8000"]
