"""Run the fake Slack on its own, for trying the bot without a workspace:

    python -m tests.fakeslack [--port 8765]

then, in another terminal, `SLACK_API_URL=http://127.0.0.1:8765/api/` with the tokens it
prints. It answers auth.test, conversations.info, chat.* and the rest as the tests use them,
records nothing to disk and stops on Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from tests.fakeslack.server import FakeSlack


async def _run(port: int, bot_token: str, app_token: str) -> None:
    slack = FakeSlack(bot_token, app_token)
    await slack.start(port=port)
    print(f"fake Slack on {slack.api_url}", flush=True)
    print(f"  SLACK_API_URL={slack.api_url}", flush=True)
    print(f"  SLACK_BOT_TOKEN={slack.bot_token}", flush=True)
    print(f"  SLACK_APP_TOKEN={slack.app_token}  (Socket Mode)", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await slack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakeslack", description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--bot-token", default="xoxb-fake-local")
    parser.add_argument("--app-token", default="xapp-fake-local")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run(args.port, args.bot_token, args.app_token))


if __name__ == "__main__":
    main()
