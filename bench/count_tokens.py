"""How many times one signed `/capacity tier 2` is split into words while it is served.

    PYTHONPATH=ROOT python bench/count_tokens.py

Runs the bot of whichever tree PYTHONPATH names (bench_storey.py runs it for the code
before and after the third storey), in this process on 127.0.0.1 against the fake Slack,
with every function that splits a request's text wrapped by a counter. Prints JSON:
the splits of the first request (its answer computed) and of each later one (kept).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import socket
from collections import Counter
from typing import Any

import aiohttp

from tests.fakeslack import FakeSlack, signed_headers, slash_command_body

SECRET = "bench-secret"
# Every function, before or after, that splits a request's text into words.
SPLITTERS = (
    ("bot.commands.router", "split_words"),
    ("bot.slack.middleware", "command_label"),
    ("bot.slack.middleware", "_first_word"),
)


def _patch(counts: Counter[str]) -> None:
    for module_name, name in SPLITTERS:
        module = importlib.import_module(module_name)
        original = getattr(module, name, None)
        if original is None:
            continue

        def counted(*args: Any, _f: Any = original, _n: str = name, **kwargs: Any) -> Any:
            counts[_n] += 1
            return _f(*args, **kwargs)

        setattr(module, name, counted)


def _server_class() -> Any:
    try:
        return importlib.import_module("bot.app.serve").BotServer
    except ModuleNotFoundError:
        return importlib.import_module("bot.serve").BotServer


async def main() -> None:
    settings_module = "bot.core.config" if importlib.util.find_spec("bot.core") else "bot.config"
    Settings = importlib.import_module(settings_module).Settings
    from bot.deps import build_deps
    from store import Store

    counts: Counter[str] = Counter()
    _patch(counts)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        settings = Settings(
            bot_token=slack.bot_token,
            signing_secret=SECRET,
            api_url=slack.api_url,
            alerts_channel="C0",
        )
        server = _server_class()(
            build_deps(settings, store=Store(":memory:")), host="127.0.0.1", port=port
        )
        await server.start()
        try:
            per_request = []
            for _ in range(6):
                counts.clear()
                body = slash_command_body(
                    "tier 2", response_url=slack.new_response_url(channel="C1", user_id="U1")
                )
                async with http.post(
                    f"http://127.0.0.1:{port}/slack/events",
                    data=body,
                    headers=signed_headers(SECRET, body),
                ) as resp:
                    assert resp.status == 200 and "Tier 2" in await resp.text()
                per_request.append(dict(counts))
        finally:
            await server.stop()
    print(json.dumps({"first": per_request[0], "later": per_request[-1]}))


if __name__ == "__main__":
    asyncio.run(main())
