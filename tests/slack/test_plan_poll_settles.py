"""The plan file's poll applies a file only once it has settled: a served bot whose plan
document is rewritten in place in chunks (as a script or an editor without atomic saves
does) applies it once, complete: one reload message, one change-log entry. A file saved
again unchanged applies nothing and posts nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.deps import build_deps
from store import Store
from tests.fakeslack import FakeSlack
from tests.slack.conftest import SECRET
from tests.slack.test_plan_reload import settings_for_file, settled_poll
from tests.support.serve_process import ROOT, free_port, serve_process, stop_process

TEMPLATE = ROOT / "tests" / "data" / "capacity-planning-template.md"
ROW = "| Monitoring | Basic logs | APM (Datadog/New Relic) | +$50/mo |"


def reload_messages(slack: FakeSlack) -> list[str]:
    texts = [m.text or "" for m in slack.messages_in("C0ALERTS")]
    return [text for text in texts if "plan reloaded" in text]


@pytest.mark.timeout(180)
async def test_a_plan_rewritten_in_chunks_is_applied_once_complete(
    slack: FakeSlack, tmp_path: Path
) -> None:
    template = TEMPLATE.read_text(encoding="utf-8")
    assert ROW in template
    document = tmp_path / "capacity-plan.md"
    document.write_text(template, encoding="utf-8")
    db = tmp_path / "capacity.db"
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "CAPACITY_ALERTS_CHANNEL": "C0ALERTS",
        "CAPACITY_DB": str(db),
        "CAPACITY_PLAN": str(document),
    }
    port = free_port()
    proc = await serve_process(env, port, cwd=tmp_path, output=asyncio.subprocess.DEVNULL)
    try:
        await asyncio.sleep(6)  # started, and polled the file once
        edited = template.replace(ROW, ROW.replace("+$50/mo", "+$85/mo"))
        lines = edited.splitlines(keepends=True)
        quarter = len(lines) // 4
        # In place, a quarter at a time, 2 s apart: each poll (every 5 s) can see a part.
        with document.open("w", encoding="utf-8") as f:
            for start in range(0, len(lines), quarter):
                f.writelines(lines[start : start + quarter])
                f.flush()
                await asyncio.sleep(2)
        await slack.wait_for(lambda: reload_messages(slack), timeout=30)
        await asyncio.sleep(6)  # one more poll: nothing more may come
        (message,) = reload_messages(slack)
        assert "version 2" in message
    finally:
        await stop_process(proc)
    store = Store(db)
    try:
        assert len(store.changes.search("reloaded")) == 1
    finally:
        store.close()


async def test_a_plan_saved_again_unchanged_applies_and_posts_nothing(tmp_path: Path) -> None:
    document = tmp_path / "capacity-plan.md"
    document.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    deps = build_deps(settings_for_file(document), store=Store(":memory:"))
    try:
        document.write_text(document.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        outcome = await settled_poll(deps)
        assert outcome is not None and outcome.changes == () and deps.plan_version == 1
        assert deps.store.outbox.counts() == {}  # nothing to post
        assert deps.store.changes.search("reloaded") == []
    finally:
        deps.close()
