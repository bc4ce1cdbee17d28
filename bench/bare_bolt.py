"""The framework's floor: a bare Bolt AsyncApp at its fastest, served like the bot.

    python bench/bare_bolt.py --port N --api-url URL --secret S

`process_before_response=True`, one `/capacity` listener that acks "ok", the same aiohttp
adapter the bot uses on `POST /slack/events`, and a `GET /healthz` that answers 200.
The benchmarks spawn it beside `capacity-bot serve`; nothing here imports the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import signal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()

    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    async def run() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        client = AsyncWebClient(token="xoxb-test", base_url=args.api_url)
        app = AsyncApp(client=client, signing_secret=args.secret, process_before_response=True)

        async def only_ack(ack: AsyncAck) -> None:
            await ack("ok")

        app.command("/capacity")(only_ack)

        async def events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await app.async_dispatch(await to_bolt_request(request))
            )

        async def healthz(request: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        web_app = web.Application()
        web_app.router.add_post("/slack/events", events)
        web_app.router.add_get("/healthz", healthz)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", args.port).start()
        await stop.wait()
        await runner.cleanup()

    asyncio.run(run())


if __name__ == "__main__":
    main()
