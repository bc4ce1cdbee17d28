"""`capacity-bot serve` for bench/bench_stall.py, plus a control port in the same loop.

    python bench/stall_server.py CONTROL_PORT     (the environment configures the bot)

POST /job/ID awaits the scheduler job's own function (what APScheduler would run);
POST /reload[?thread=1] does what a plan reload must (the bot has none yet).
BENCH_SWITCH_INTERVAL sets the GIL's hand-over period (an experiment);
BENCH_STALL_DIAGNOSE=SECONDS logs every loop stall over SECONDS with every thread's frames.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any


def serve_wrapped(control_port: int) -> None:
    """`capacity-bot serve`, plus a control server on `control_port` in the same loop:
    POST /job/ID awaits the scheduler job's own function (what APScheduler would run),
    POST /reload re-reads and re-validates the plan file."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    original = AsyncIOScheduler.start
    keep: list[Any] = []

    def start(self: AsyncIOScheduler, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        keep.append(asyncio.ensure_future(control(self, control_port)))

    AsyncIOScheduler.start = start  # type: ignore[method-assign]
    if os.environ.get("BENCH_SWITCH_INTERVAL"):  # an experiment: the GIL's hand-over period
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    if os.environ.get("BENCH_STALL_DIAGNOSE"):
        diagnose(float(os.environ["BENCH_STALL_DIAGNOSE"]))
    from bot.app.cli import main

    sys.exit(main(["serve", "--host", "127.0.0.1"]))


def diagnose(threshold: float) -> None:
    """Log every stall over `threshold` seconds with every thread's innermost frames."""
    import threading
    import traceback

    from bot.jobs import loop_lag

    def running_on(loop: Any, thread_id: int, depth: int = 4) -> str:
        lines = []
        for ident, frame in sys._current_frames().items():
            if ident == threading.get_ident():
                continue
            stack = traceback.extract_stack(frame)[-depth:]
            where = (f"{f.name} ({f.filename.rsplit('/', 1)[-1]}:{f.lineno})" for f in stack)
            lines.append(("loop: " if ident == thread_id else "other: ") + " -> ".join(where))
        return "\n  ".join(lines)

    loop_lag.running_on = running_on
    original = loop_lag.LoopLag.__init__

    def init(self: Any, **kwargs: Any) -> None:
        original(self, **{**kwargs, "threshold": threshold, "interval": 0.01})

    loop_lag.LoopLag.__init__ = init  # type: ignore[method-assign]


async def control(scheduler: Any, port: int) -> None:
    from aiohttp import web

    async def job(request: web.Request) -> web.Response:
        found = scheduler.get_job(request.match_info["id"])
        if found is None:
            return web.json_response({"jobs": [j.id for j in scheduler.get_jobs()]}, status=404)
        started = time.perf_counter()
        await found.func(*found.args, **found.kwargs)
        return web.json_response({"seconds": time.perf_counter() - started})

    async def reload(request: web.Request) -> web.Response:
        started = time.perf_counter()
        how = await reload_plan(request.query.get("thread") == "1")
        return web.json_response({"seconds": time.perf_counter() - started, "how": how})

    app = web.Application()
    app.router.add_post("/job/{id}", job)
    app.router.add_post("/reload", reload)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()


async def reload_plan(on_thread: bool) -> str:
    """No reload in the bot yet: what one must do, load and validate the plan file and
    derive its rules, then start a fresh answer cache; on the loop, or on a thread."""
    import importlib

    from bot.commands import build_router

    for name in ("bot.planio.planfile", "bot.planfile"):
        try:
            load_plan = importlib.import_module(name).load_plan
            break
        except (ImportError, AttributeError):
            continue
    from bot.monitor.rules_from_plan import rules_from_plan

    def load() -> None:
        rules_from_plan(load_plan(Path(os.environ["CAPACITY_PLAN"])))

    if on_thread:
        await asyncio.to_thread(load)
    else:
        load()
    importlib.import_module("bot.slack.answers").Answers(build_router())
    where = "a worker thread" if on_thread else "the loop"
    return f"load_plan + rules_from_plan on {where}, a fresh Answers (no reload in the bot yet)"


if __name__ == "__main__":
    serve_wrapped(int(sys.argv[1]))
