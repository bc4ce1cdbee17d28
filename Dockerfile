# capacity-bot: the Slack app. Build: docker build -t capacity-bot .
# Run:   docker run -p 3000:3000 -v capacity-data:/data --env-file .env capacity-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY store ./store
# The package and its runtime dependencies, no test extras.
# The chart extra (matplotlib, Agg only) draws the weekly digest's chart.
RUN pip install '.[chart]' && rm -rf /app/build

RUN useradd --create-home --uid 10001 capacity \
    && mkdir -p /data && chown capacity:capacity /data
USER capacity
WORKDIR /data

VOLUME /data
ENV CAPACITY_DB=/data/capacity.db \
    PORT=3000
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["capacity-bot", "serve"]
