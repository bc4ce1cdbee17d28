"""`/capacity plan sections` and `plan section NAME` in Slack (issue 22): a short section in
the answer's blocks, within Block Kit's limits; a long one uploaded as a file, whole."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app.serve import BotServer
from bot.deps import build_deps
from store import Store
from tests.conftest import DATA, NOW
from tests.fakeslack import FakeSlack, slash_command_body
from tests.slack.conftest import TIMEOUT, post_signed, settings_for

LONG = "\n".join(f"- Step {n}: restore the shard {n} from the nightly dump" for n in range(120))


@pytest.fixture
async def bot(slack: FakeSlack, tmp_path: Path) -> AsyncIterator[BotServer]:
    doc = tmp_path / "plan.md"
    text = (DATA / "plans" / "thorough-tiers.md").read_text(encoding="utf-8")
    doc.write_text(f"{text}\n## Restore Runbook\n\n{LONG}\n", encoding="utf-8")
    settings = settings_for(slack).model_copy(update={"plan_path": doc})
    deps = build_deps(settings, store=Store(":memory:"))
    deps.clock = lambda: NOW
    server = BotServer(deps, host="127.0.0.1", port=0)
    await server.start()
    yield server
    await server.stop()
    deps.close()


async def ask(bot: BotServer, text: str) -> dict[str, object]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        status, answer = await post_signed(http, bot, slash_command_body(text, user_id="U1"))
    assert status == 200
    return dict(answer)


async def test_sections_are_listed_and_a_short_one_is_shown_in_blocks(bot: BotServer) -> None:
    listed = await ask(bot, "plan sections")
    assert "Restore Runbook" in html.unescape(str(listed["text"]))
    shown = await ask(bot, "plan section cost projections")
    blocks = shown["blocks"]
    assert isinstance(blocks, list) and len(blocks) <= 50
    text = html.unescape(str(blocks))
    assert "| 2027-04 | 220 | 0 → 1 | $1,150 | $6,800 |" in text
    assert all(len(str(b.get("text", {}).get("text", ""))) <= 3000 for b in blocks)


async def test_a_long_section_comes_as_a_file_whole(slack: FakeSlack, bot: BotServer) -> None:
    answer = await ask(bot, "plan section restore")
    assert "comes as a file" in html.unescape(str(answer["text"]))
    files = await slack.wait_for(
        lambda: [f for f in slack.files.values() if f.completed], timeout=10
    )
    content = (files[0].data or b"").decode()
    assert files[0].name == "restore-runbook.md"
    assert content == f"## Restore Runbook\n\n{LONG}\n"
