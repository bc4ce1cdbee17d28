"""The hostile probe of issue 15, as numbers: run it against a tree to get its figures.

    python bench/probe_security.py                      # this tree
    PYTHONPATH=/path/to/other/tree python bench/probe_security.py   # e.g. an older main

Serves the bot in-process on 127.0.0.1 against the fake Slack, sends each class of request
a bounded number of times and prints one line per class: what came back, what was logged,
what was stored. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import asyncio
import collections
import io
import json
import logging
import os
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app.serve import BotServer
from bot.core.config import Settings
from bot.deps import build_deps
from store import Store
from tests.fakeslack import FakeSlack, interactivity_body, sign, slash_command_body

SECRET = "probe-secret"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def counts(statuses: list[int]) -> str:
    return " ".join(f"{s} x{n}" for s, n in sorted(collections.Counter(statuses).items()))


class Probe:
    def __init__(self, slack: FakeSlack, db: Path) -> None:
        self.slack = slack
        self.log = io.StringIO()
        handler = logging.StreamHandler(self.log)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        import bot

        # This tree's log filter, where it has one (configure_logging installs it). Looked
        # up as a file: an editable install would import another tree's module instead.
        if (Path(bot.__file__).parent / "logsafe.py").exists():
            from bot import logsafe  # type: ignore[attr-defined]

            logsafe.install()
        settings = Settings(
            bot_token=slack.bot_token,
            signing_secret=SECRET,
            api_url=slack.api_url,
            alerts_channel="C0ALERTS",
            ingest_token="probe-token",
        )
        self.deps = build_deps(settings, store=Store(db))
        self.bot = BotServer(self.deps, host="127.0.0.1", port=0)

    async def post(self, body: bytes, headers: dict[str, str], path: str = "/slack/events") -> int:
        url = f"http://127.0.0.1:{self.bot.port}{path}"
        async with self.http.post(url, data=body, headers=headers) as resp:
            await resp.read()
            return resp.status

    def slash(self, text: str, **fields: Any) -> bytes:
        """A slash command whose response URL is the fake Slack's."""
        return slash_command_body(text, response_url=self.slack.new_response_url(), **fields)

    def forged(self) -> dict[str, str]:
        """Headers of a request signed with the wrong secret."""
        return {"Content-Type": FORM, **sign("not-the-secret", b"x")}

    async def signed(self, body: bytes, content_type: str = FORM, stamp: int | None = None) -> int:
        return await self.post(body, {"Content-Type": content_type, **sign(SECRET, body, stamp)})

    def log_bytes(self) -> int:
        return len(self.log.getvalue().encode())


async def main() -> None:
    import bot

    print(f"tree: {Path(bot.__file__).resolve().parents[1]}")
    tmp = Path(tempfile.mkdtemp())
    async with FakeSlack() as slack:
        p = Probe(slack, tmp / "capacity.db")
        await p.bot.start()
        p.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        out: dict[str, str] = {}
        garbage = {
            "bad JSON": (JSON, b"{not json"),
            "bad payload=": (FORM, b"payload=%7Bnot-json"),
            "JSON list": (JSON, b"[1, 2, 3]"),
            "invalid UTF-8": (JSON, b"\xff\xfe\x00"),
            "deep JSON": (JSON, b"[" * 100_000 + b"]" * 100_000),
        }
        for name, (ctype, body) in garbage.items():
            got = [await p.post(body, {"Content-Type": ctype}) for _ in range(100)]
            out[f"unsigned {name}"] = counts(got)
        before = p.log_bytes()
        stamp_abc = {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64}
        body = p.slash("tier 2")
        got = [await p.post(body, {"Content-Type": FORM, **stamp_abc}) for _ in range(200)]
        out["timestamp abc"] = f"{counts(got)}, log {p.log_bytes() - before:,} bytes"
        before, started = p.log_bytes(), time.monotonic()
        big = b"command=/capacity&text=" + b"x" * 1_000_000
        got = [await p.post(big, p.forged()) for _ in range(20)]
        spent = time.monotonic() - started
        out["20 unsigned 1 MB bodies"] = (
            f"{counts(got)}, log {p.log_bytes() - before:,} bytes in {spent:.2f} s"
        )
        # A raw line break in the body (Slack would encode it; a forger need not).
        forged = b"command=/capacity&text=x\n2026-01-01 00:00:00,000 ERROR capacity_bot forged"
        await p.post(forged, p.forged())
        lines = [ln for ln in p.log.getvalue().splitlines() if ln.startswith("2026-01-01")]
        out["forged log lines (unsigned %0A)"] = str(len(lines))
        url = slack.new_response_url(channel="C1", user_id="U1")
        await p.post(slash_command_body("tier 2", response_url=url), p.forged())
        logged = p.log.getvalue()
        out["response URLs in the log"] = str(
            logged.count("/response/") + logged.count("%2Fresponse%2F")
        )
        texts = ["payload", "log payload size", "tier 2 payload", "{tier 2}", "payload=1"]
        got = [await p.signed(p.slash(t)) for t in texts]
        got += [
            await p.signed(p.slash("tier 2", channel_name=c))
            for c in ("payload-team", "payloads", "{json")
        ]
        out["signed texts/channels with `payload` or `{`"] = counts(got)
        stamp = int(time.time())
        replays = []
        for i in range(50):
            body = p.slash(f"metric mau {900 + i}")
            await p.signed(body, stamp=stamp)
            replays.append(await p.signed(body, stamp=stamp))
        out["byte-identical replay (2nd send)"] = counts(replays) + (
            f", samples stored {p.deps.store.metrics.count()} of 50 distinct"
        )
        out["foreign response_url"] = await foreign_response_url(p)
        out.update(await buttons_and_forms(p))
        out.update(await metrics_api(p))
        lines = p.log.getvalue().splitlines()
        out["log lines in all, and the longest"] = (
            f"{len(lines):,}, {max(len(ln) for ln in lines):,} characters"
        )
        mode = stat.S_IMODE(os.stat(tmp / "capacity.db").st_mode)
        out["database file mode"] = oct(mode)
        await p.http.close()
        await p.bot.stop()
        p.deps.close()
    for name, value in out.items():
        print(f"{name}: {value}")
    if os.environ.get("PROBE_LOG"):  # the whole log, to look at
        Path(os.environ["PROBE_LOG"]).write_text(p.log.getvalue(), encoding="utf-8")


async def foreign_response_url(p: Probe) -> str:
    hits: list[str] = []

    async def catch(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/{tail:.*}", catch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/steal"
    statuses = []
    for action, value in (("capacity_share", "tier 2"), ("changes_more", "changes")):
        statuses.append(await p.signed(interactivity_body(click(action, value, url))))
    statuses.append(await p.signed(slash_command_body("boom", response_url=url)))
    await asyncio.sleep(0.5)
    await runner.cleanup()
    return f"{counts(statuses)}; posts that reached 127.0.0.1:{port}: {len(hits)}"


def click(action: str, value: str, response_url: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T1", "domain": "fake"},
        "user": {"id": "U1", "username": "u", "team_id": "T1"},
        "api_app_id": "A0FAKE",
        "trigger_id": "2.3.def",
        "container": {"type": "message", "message_ts": "1.0", "channel_id": "C1"},
        "channel": {"id": "C1", "name": "general"},
        "message": {"type": "message", "ts": "1.0", "text": "x"},
        "response_url": response_url,
        "actions": [{"action_id": action, "block_id": "b", "type": "button", "value": value}],
    }


def submission(fields: dict[str, Any], meta: str, view_id: str) -> bytes:
    values = {}
    for name, value in fields.items():
        kind = "datepicker" if name == "date" else "plain_text_input"
        key = "selected_date" if name == "date" else "value"
        values[name] = {"value": {"type": kind, key: value}}
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "api_app_id": "A0FAKE",
        "view": {
            "id": view_id,
            "type": "modal",
            "callback_id": "change_log_modal",
            "private_metadata": meta,
            "state": {"values": values},
        },
    }
    return interactivity_body(payload)


async def buttons_and_forms(p: Probe) -> dict[str, str]:
    out: dict[str, str] = {}
    url = p.slack.new_response_url(channel="C1", user_id="U1")
    before = p.deps.store.metrics.count()
    await p.signed(interactivity_body(click("capacity_share", "metric mau 123456", url)))
    await asyncio.sleep(0.3)
    out["Share value `metric mau 123456`: samples written"] = str(
        p.deps.store.metrics.count() - before
    )
    good = {"date": "2026-11-20", "change": "Original", "reason": "because"}
    await p.signed(submission(good, '{"c":"C1","k":"k0"}', "V0"))
    edit = {**good, "change": "Forged edit"}
    await p.signed(submission(edit, '{"c":"C1","k":"k1","e":true}', "V1"))
    first = p.deps.store.changes.get(1)
    out['metadata "e": true edits entry #1'] = str(first is not None and first.change != "Original")
    count = p.deps.store.changes.count()
    tampered = [
        ({**good, "change": "nl channel"}, '{"c":"C1\\nINFO forged","k":"k2"}'),
        ({**good, "change": ["a", "list"]}, '{"c":"C1","k":"k3"}'),
        ({**good, "change": {"a": 1}}, '{"c":"C1","k":"k4"}'),
        ({**good, "change": "date1", "date": "20261120"}, '{"c":"C1","k":"k5"}'),
        ({**good, "change": "date2", "date": "2026-W47-5"}, '{"c":"C1","k":"k6"}'),
        ({**good, "change": "date3", "date": "0001-01-01"}, '{"c":"C1","k":"k7"}'),
        ({**good, "change": "\u200b\u202e\u2066"}, '{"c":"C1","k":"k8"}'),
    ]
    for i, (fields, meta) in enumerate(tampered):
        await p.signed(submission(fields, meta, f"VT{i}"))
    stored = p.deps.store.changes.count() - count
    out["tampered forms stored (newline channel, list, dict, 3 dates, invisible)"] = (
        f"{stored} of {len(tampered)}"
    )
    formulas = ["=1+1", "+1", "-1+1", "@SUM(A1)"] * 3
    for i, text in enumerate(formulas):
        meta = f'{{"c":"C1","k":"kf{i}"}}'
        await p.signed(submission({**good, "change": f"{text} {i}"}, meta, f"VF{i}"))
    from bot.commands import changes as changes_cmd

    ctx = p.deps.context("U1", "C1")
    export = getattr(changes_cmd, "export_files", None)
    entries = getattr(changes_cmd, "export_entries", None)
    if export and entries:
        csv_text = export(entries(ctx)).csv
        import csv

        rows = list(csv.DictReader(io.StringIO(csv_text, newline="")))
        raw = sum(1 for row in rows if row["change"][:1] in ("=", "+", "-", "@"))
        formula_rows = sum(1 for row in rows if row["change"].lstrip("'")[:1] in "=+-@")
        out["CSV cells starting = + - @"] = f"{raw} of {formula_rows} formula entries"
    return out


async def metrics_api(p: Probe) -> dict[str, str]:
    bodies = {
        "5,000-digit number": b'{"samples": [{"metric": "mau", "value": ' + b"9" * 5000 + b"}]}",
        "100k-deep JSON": b"[" * 100_000 + b"]" * 100_000,
        "metric as list": json.dumps({"samples": [{"metric": ["mau"], "value": 1}]}).encode(),
        "metric as object": json.dumps({"samples": [{"metric": {"a": 1}, "value": 1}]}).encode(),
    }
    auth = {"Authorization": "Bearer probe-token", "Content-Type": JSON}
    got = {}
    for name, body in bodies.items():
        statuses = [await p.post(body, auth, "/api/metrics") for _ in range(5)]
        got[f"/api/metrics {name}"] = counts(statuses)
    return got


if __name__ == "__main__":
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    sys.setrecursionlimit(3000)
    asyncio.run(main())
