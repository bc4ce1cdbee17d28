"""`capacity-bot healthcheck`: ask the served bot's /healthz, exit 0 or 1 (Docker's check).

The port comes from the same Settings `serve` reads, so `PORT=` left empty by
`cp .env.example .env` means 3000 to both, never port 80 to one of them. Docker reads
exit 0 as healthy and 1 as unhealthy; anything else is reserved, so every failure
(the bot down, a 503, bad configuration) is 1 with one line saying why.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from typing import TextIO

from bot.core.config import ConfigError, Settings, load_settings

__all__ = ["healthcheck", "healthcheck_from_env"]


def healthcheck(settings: Settings, timeout: float = 4.0, out: TextIO = sys.stdout) -> int:
    """0 when GET http://127.0.0.1:PORT/healthz answers 200 (ok or degraded), else 1."""
    url = f"http://127.0.0.1:{settings.port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body = resp.read(65536)
    except urllib.error.HTTPError as exc:
        print(f"unhealthy: {url} answered {exc.code}", file=out)
        return 1
    except (OSError, ValueError) as exc:
        print(f"unhealthy: {url} did not answer ({exc})", file=out)
        return 1
    try:
        status = str(json.loads(body).get("status", "ok"))
    except (ValueError, AttributeError):
        status = "ok"
    print(f"{status}: {url}", file=out)
    return 0


def healthcheck_from_env(timeout: float = 4.0) -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"unhealthy: configuration error: {exc}", file=sys.stdout)
        return 1
    return healthcheck(settings, timeout)
