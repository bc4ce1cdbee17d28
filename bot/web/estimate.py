"""`POST /api/costs/estimate`: a team's CI posts Infracost's JSON; the alerts channel hears
what the change does to the monthly estimate against the built tier's budget, once per
distinct estimate (through the outbox, like every other message)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.core.offload import in_thread
from bot.domain.cost_plan import plan_currency
from bot.domain.estimate import EstimateError, estimate_words, read_estimate
from bot.domain.money import in_currency
from bot.domain.tiers import with_built
from bot.notify.estimate import estimate_notice
from bot.web.body import guarded_body
from bot.web.ingest import MAX_BODY, MAX_DEPTH

if TYPE_CHECKING:
    from bot.deps import Deps

__all__ = ["make_estimate_routes"]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)


def make_estimate_routes(deps: Deps) -> list[web.RouteDef]:
    """With CAPACITY_INGEST_TOKEN unset the endpoint answers 404, as if it did not exist."""

    async def post_estimate(request: web.Request) -> web.Response:
        data = await guarded_body(request, deps.settings.ingest_token, MAX_BODY)
        if isinstance(data, web.Response):
            return data
        source = request.query.get("source", "")[:80]
        return await in_thread(store_estimate, data, source, deps.clock())

    def store_estimate(data: bytes, source: str, now: datetime) -> web.Response:
        if b"[" * MAX_DEPTH in data or b"{" * MAX_DEPTH in data:
            return _error(400, f"body nests deeper than {MAX_DEPTH} levels")
        try:
            body: Any = json.loads(data)
        except (ValueError, RecursionError) as exc:
            return _error(400, f"body is not JSON: {str(exc)[:120]}")
        plan = with_built(deps.plan, deps.store.tiers.built_tier())
        try:
            estimate = read_estimate(body, plan_currency(plan))
        except EstimateError as exc:
            return _error(422, str(exc))
        channel = deps.settings.slack_channel("p1")
        with in_currency(plan.currency):
            words = estimate_words(plan, estimate)
            item = estimate_notice(plan, estimate, channel, now, source)
        if estimate.change == 0:
            # A change that moves nothing is not worth the channel's attention.
            return web.json_response({"ok": True, "posted": False, "summary": words})
        posted = deps.store.outbox.enqueue(item.dedup_key, item.kind, item.payload_json, now)
        return web.json_response({"ok": True, "posted": posted, "summary": words})

    return [web.post("/api/costs/estimate", post_estimate)]
