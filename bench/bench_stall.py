"""Does heavy work stall the bot? Ack latency of `/capacity tier 2` while it runs.

    python bench/bench_stall.py              # 3 interleaved runs (a few minutes)
    python bench/bench_stall.py --runs 5 --json out.json

Each run spawns a fresh `capacity-bot serve` (HTTP on 127.0.0.1, a fake Slack on a thread
of this process, a fresh SQLite file holding 100,000 change-log entries) and sends a signed
`/capacity tier 2` every 50 ms throughout. Then, one at a time, each preceded by an idle
window of the same pings:

1. ingest: a year of one-minute samples for three metrics, POSTed to /api/metrics in the
   largest accepted batches (10,000 samples), one after the other;
2. rollup: the hourly rollup job that follows (run now rather than at the top of the hour);
3. export: `/capacity changes export` of the 100,000 entries, until the files are uploaded;
4. digest: the weekly digest job with its chart, until it is queued;
5. reload: the plan reloaded from its file (CAPACITY_PLAN = the default plan as YAML);
   the bot has no reload yet, so the control port does what one would, on the loop
   ("reload") and with the file read and validated on a worker thread ("reload-thread").

The served process is `python -m bot serve` wrapped (bench/stall_server.py) only to add a
control port that runs a scheduled job's own function on demand. Start to a healthy
/healthz and idle RSS are taken from the plain CLI, beside a bare Bolt app, every run.
Figures printed are medians over runs. Every loop is bounded; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    ROOT,
    Child,
    SlackProcess,
    bare_args,
    bot_env,
    free_port,
    percentiles,
    rss_mb,
    signed_command,
    wait_healthy,
)

INTERVAL = 0.05
IDLE = 2.0
BATCH = 10_000
# name: (start, step, lowest, highest): a random walk kept inside the plan's range.
METRICS = {
    "mau": (850.0, 2.0, 0.0, 1e7),
    "cpu_pct": (40.0, 0.5, 0.0, 95.0),
    "api_p95_ms": (300.0, 5.0, 50.0, 700.0),
}
MINUTES = 365 * 24 * 60
CHANGES = 100_000
INGEST_TOKEN = "bench-ingest"
# The embedded default plan as a file (Markdown plans are another issue's work).
PLAN_FILE = ROOT / "bot" / "data" / "default-plan.yaml"
PHASES = ("ingest", "rollup", "export", "digest", "reload", "reload-thread")
ONLY = set(os.environ.get("BENCH_STALL_ONLY", ",".join(PHASES)).split(","))


# -- load (here) -------------------------------------------------------------------------------


class Pinger:
    """A signed `/capacity tier 2` every INTERVAL, whatever the answers do (open loop)."""

    def __init__(self, http: aiohttp.ClientSession, port: int) -> None:
        self.http, self.url = http, f"http://127.0.0.1:{port}/slack/events"
        self.sent: list[tuple[float, float]] = []  # (sent at, latency ms; inf = failed)
        self.inflight: dict[asyncio.Task[None], float] = {}
        self._task: asyncio.Task[None] | None = None

    async def _one(self) -> None:
        body, headers = signed_command("tier 2")
        start = time.perf_counter()
        latency = float("inf")
        try:
            async with self.http.post(self.url, data=body, headers=headers) as resp:
                await resp.read()
                if resp.status == 200:
                    latency = (time.perf_counter() - start) * 1000
        except (aiohttp.ClientError, TimeoutError):
            pass
        self.sent.append((start, latency))

    async def _run(self) -> None:
        due = time.perf_counter()
        while True:
            task = asyncio.create_task(self._one())
            self.inflight[task] = time.perf_counter()
            task.add_done_callback(self.inflight.pop)
            due += INTERVAL
            await asyncio.sleep(max(0.0, due - time.perf_counter()))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(*self.inflight, return_exceptions=True)

    async def window(self, t0: float, t1: float) -> list[float]:
        """Latencies (ms) of pings sent in [t0, t1], once all of them have answered."""
        for _ in range(400):  # stragglers get at most 20 s (the client timeout is 60)
            if all(sent > t1 for sent in self.inflight.values()):
                break
            await asyncio.sleep(0.05)
        return [lat for s, lat in self.sent if t0 <= s <= t1]


def ingest_bodies(end: float, minutes: int = MINUTES) -> list[bytes]:
    """A year of one-minute samples for METRICS, ending at `end`, as request bodies."""
    rng = random.Random(14)
    rows: list[str] = []
    for metric, (level, step, lowest, highest) in METRICS.items():
        value = level
        start = int(end) // 60 * 60 - minutes * 60
        for i in range(minutes):
            value = min(highest, max(lowest, value + rng.uniform(-step, step * 1.01)))
            rows.append(f'{{"metric":"{metric}","value":{value:.3f},"at":{start + i * 60}}}')
    return [
        ('{"samples":[' + ",".join(rows[i : i + BATCH]) + "]}").encode()
        for i in range(0, len(rows), BATCH)
    ]


def seed_changes(db: Path, count: int = CHANGES) -> float:
    """100,000 change-log entries through the CLI's `import-changes`; seconds taken."""
    lines = ["| Date | Change | Reason | Impact |", "|---|---|---|---|"]
    for i in range(count):
        day = f"20{20 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        lines.append(f"| {day} | Bench change {i} | Load test | +${i % 90} /mo |")
    source = db.with_suffix(".md")
    source.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAPACITY_DB": str(db)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "import-changes", str(source)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=str(ROOT),
    )
    return time.perf_counter() - started


async def post_json(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.post(url) as resp:
        data: dict[str, Any] = await resp.json()
        if resp.status != 200:
            raise RuntimeError(f"{url}: {resp.status} {data}")
        return data


async def start_metrics(http: aiohttp.ClientSession, slack: SlackProcess) -> dict[str, float]:
    """Spawn to healthy and idle RSS: the plain CLI and the bare Bolt app, one after the other."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("bare", "bot"):
            port = free_port()
            env = bot_env(slack.api_url, port, CAPACITY_DB=str(Path(tmp) / "start.db"))
            args = (
                bare_args(port, slack.api_url)
                if kind == "bare"
                else [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"]
            )
            async with Child(args, env) as child:
                await wait_healthy(http, port, child)
                out[f"{kind}_healthy_s"] = time.perf_counter() - child.spawned
                pinger = Pinger(http, port)
                for _ in range(20):
                    await pinger._one()
                await asyncio.sleep(0.5)
                out[f"{kind}_idle_rss_mb"] = rss_mb(child.pid)
    return out


async def one_run(
    http: aiohttp.ClientSession, slack: SlackProcess, seeded: Path, bodies: list[bytes]
) -> dict[str, Any]:
    figures: dict[str, Any] = await start_metrics(http, slack)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "capacity.db"
        shutil.copy(seeded, db)
        plan_file = Path(tmp) / "plan.yaml"
        shutil.copy(PLAN_FILE, plan_file)
        port, control_port = free_port(), free_port()
        env = bot_env(
            slack.api_url,
            port,
            CAPACITY_DB=str(db),
            CAPACITY_PLAN=str(plan_file),
            CAPACITY_INGEST_TOKEN=INGEST_TOKEN,
            CAPACITY_RAW_RETENTION_DAYS="366",  # else a year's backfill is refused
            CAPACITY_DIGEST_CRON="0 0 1 1 *",  # never due during the run: no catch-up
            # BENCH_STALL_DIAGNOSE, BENCH_SWITCH_INTERVAL: for bench/stall_server.py
            **{k: v for k, v in os.environ.items() if k.startswith("BENCH_")},
        )
        me = [sys.executable, str(Path(__file__).resolve().parent / "stall_server.py")]
        me.append(str(control_port))
        async with Child(me, env) as child:
            await wait_healthy(http, port, child)
            pinger = Pinger(http, port)
            for _ in range(20):  # warm up
                await pinger._one()
            figures["wrapped_idle_rss_mb"] = rss_mb(child.pid)
            control = f"http://127.0.0.1:{control_port}"
            ingest_url = f"http://127.0.0.1:{port}/api/metrics"
            auth = {"Authorization": f"Bearer {INGEST_TOKEN}", "Content-Type": "application/json"}

            async def ingest() -> None:
                for body in bodies:
                    async with http.post(ingest_url, data=body, headers=auth) as resp:
                        assert resp.status == 200, (resp.status, await resp.text())

            async def export() -> None:
                before = await slack.count(http, "files.completeUploadExternal")
                body, headers = signed_command("changes export")
                async with http.post(pinger.url, data=body, headers=headers) as resp:
                    assert resp.status == 200
                for _ in range(2400):  # at most two minutes
                    if await slack.count(http, "files.completeUploadExternal") > before:
                        return
                    await asyncio.sleep(0.05)
                raise TimeoutError("the export never arrived")

            async def digest() -> None:
                await post_json(http, f"{control}/job/weekly-digest")
                figures["rss_after_digest_mb"] = rss_mb(child.pid)

            async def reload() -> None:
                # The bot's own reload when it has one: the plan file changes (a metric's
                # description), and the job that polls the file for changes runs.
                text = plan_file.read_text()
                plan_file.write_text(text.replace("Monthly active users", "Active users", 1))
                try:
                    await post_json(http, f"{control}/job/plan.reload")
                    figures["reload_how"] = "the bot's plan.reload job, the file changed"
                except RuntimeError:
                    figures["reload_how"] = (await post_json(http, f"{control}/reload"))["how"]

            async def reload_thread() -> None:
                await post_json(http, f"{control}/reload?thread=1")

            work: dict[str, Callable[[], Awaitable[object]]] = {
                "ingest": ingest,
                "rollup": lambda: post_json(http, f"{control}/job/metrics.rollup"),
                "export": export,
                "digest": digest,
                "reload": reload,
                "reload-thread": reload_thread,
            }
            pinger.start()
            try:
                for name in [p for p in PHASES if p in ONLY]:
                    t0 = time.perf_counter()
                    await asyncio.sleep(IDLE)
                    t1 = time.perf_counter()
                    rss_before = rss_mb(child.pid)
                    await work[name]()
                    t2 = time.perf_counter()
                    figures[name] = {
                        "idle": await pinger.window(t0, t1),
                        "work": await pinger.window(t1, t2),
                        "seconds": t2 - t1,
                        "rss": (rss_before, rss_mb(child.pid)),
                    }
                await asyncio.sleep(IDLE)
                figures["rss_end_mb"] = rss_mb(child.pid)
            finally:
                await pinger.stop()
    return figures


def report(runs: list[dict[str, Any]]) -> None:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    print(f"\nack latency of a signed `/capacity tier 2` every {INTERVAL * 1000:.0f} ms, ms")
    print(f"median of {len(runs)} runs (idle = the {IDLE:.0f} s just before the work)")
    head = (
        f"{'work':<14}{'secs':>6}  {'idle p50/p99/max':>22}  {'during p50/p99/max':>22}"
        f"  fails  RSS MB before -> after"
    )
    print(head)
    for name in [p for p in PHASES if p in ONLY]:
        idle = [percentiles(r[name]["idle"]) for r in runs]
        work = [percentiles(r[name]["work"]) for r in runs]
        fails = sum(1 for r in runs for x in r[name]["work"] if x == float("inf"))
        i = [med([p[k] for p in idle]) for k in range(3)]
        w = [med([p[k] for p in work]) for k in range(3)]
        secs = med([r[name]["seconds"] for r in runs])
        rss = [med([r[name]["rss"][k] for r in runs]) for k in range(2)]
        print(
            f"{name:<14}{secs:>6.2f}  {i[0]:>6.1f} {i[1]:>7.1f} {i[2]:>7.1f}  "
            f"{w[0]:>6.1f} {w[1]:>7.1f} {w[2]:>7.1f}  {fails:>5}  {rss[0]:.0f} -> {rss[1]:.0f}"
        )
    for key in (
        "bare_healthy_s",
        "bot_healthy_s",
        "bare_idle_rss_mb",
        "bot_idle_rss_mb",
        "wrapped_idle_rss_mb",
        "rss_after_digest_mb",
        "rss_end_mb",
    ):
        values = [r[key] for r in runs if key in r]
        if not values:
            continue
        print(f"{key:<22}{med(values):>9.2f}   runs: {', '.join(f'{v:.2f}' for v in values)}")
    print(f"reload: {runs[0].get('reload_how')}")


async def bench(runs: int, json_path: str | None, days: int, changes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, SlackProcess() as slack:
        # Seeding through the CLI takes a minute or more; the file is kept between runs.
        seeded = Path(tempfile.gettempdir()) / f"capacity-bench-{changes}-changes.db"
        if not seeded.exists():
            partial = Path(tmp) / "seeded.db"
            print(f"seeding {changes:,} changes: {seed_changes(partial, changes):.1f} s")
            shutil.copy(partial, seeded)
        started = time.perf_counter()
        bodies = await asyncio.to_thread(ingest_bodies, time.time(), days * 24 * 60)
        size = sum(len(b) for b in bodies) / 1e6
        print(
            f"{len(bodies)} ingest bodies, {size:.0f} MB, built in "
            f"{time.perf_counter() - started:.1f} s"
        )
        timeout = aiohttp.ClientTimeout(total=60)
        connector = aiohttp.TCPConnector(limit=200)
        results = []
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
            for n in range(runs):
                started = time.perf_counter()
                results.append(await one_run(http, slack, seeded, bodies))
                print(f"run {n + 1}/{runs}: {time.perf_counter() - started:.0f} s")
        report(results)
        if json_path:
            Path(json_path).write_text(json.dumps(results, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", help="also write every run's raw figures here")
    parser.add_argument("--days", type=int, default=365, help="days of samples to post")
    parser.add_argument("--changes", type=int, default=CHANGES, help="change-log entries")
    args = parser.parse_args()
    asyncio.run(bench(args.runs, args.json, args.days, args.changes))


if __name__ == "__main__":
    main()
