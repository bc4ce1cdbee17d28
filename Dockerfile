# capacity-bot: the Slack app.
# Build:  docker build -t capacity-bot .                  (slim: no digest chart)
#         docker build --build-arg EXTRAS=chart -t capacity-bot .   (with the chart, +matplotlib)
# Run:    docker compose up -d    (compose.yaml: the volume, the env file, the health check)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Optional extras of the package: "chart" draws the weekly digest's chart (matplotlib, Agg).
ARG EXTRAS=""

WORKDIR /app
# Dependencies first, pinned by constraints.txt, in their own layer: a code change
# rebuilds only the layer below. The package itself is installed without them after.
COPY pyproject.toml constraints.txt ./
RUN python -c "import os, tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
x = [e for e in os.environ['EXTRAS'].split(',') if e]; \
print('\n'.join(p['dependencies'] + [d for e in x for d in p['optional-dependencies'][e]]))" \
    > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt -c constraints.txt

COPY README.md LICENSE ./
COPY bot ./bot
COPY store ./store
RUN pip install --no-deps . && rm -rf /app/build

# The data volume belongs to this uid: a host directory mounted at /data must be
# writable by uid 10001 (chown 10001 DIR), or the bot cannot create its database.
RUN useradd --create-home --uid 10001 capacity \
    && mkdir -p /data && chown capacity:capacity /data
USER capacity
WORKDIR /data

VOLUME /data
ENV CAPACITY_DB=/data/capacity.db \
    PORT=3000
EXPOSE 3000

# The bot's own check reads PORT as `serve` does (empty = 3000): one reading, one port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["capacity-bot", "healthcheck"]

CMD ["capacity-bot", "serve"]
