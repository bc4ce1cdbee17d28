"""`POST /api/costs`: a bill over HTTP (FOCUS or plain CSV, plain or gzip), whole or nothing.

The same bearer token as /api/metrics. The body is read up to 1 MiB, then parsed and
stored on a worker thread: a bill of thousands of lines never holds the event loop.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.core.offload import in_thread
from bot.domain.bill_bytes import Hashed, TooLarge, body_lines
from bot.domain.bill_read import import_summary, read_bill
from bot.domain.bills import BillRefused
from bot.domain.cost_plan import plan_currency
from bot.web.body import guarded_body
from bot.web.ingest import MAX_BODY
from store.vitals import STORE_ERRORS, describe_error, is_disk_full

if TYPE_CHECKING:
    from bot.deps import Deps

__all__ = ["MAX_OPENED", "make_cost_routes"]

log = logging.getLogger(__name__)

# A gzip body may open to this much (a month of daily FOCUS rows is well under it).
MAX_OPENED = 64 * 1024 * 1024


def _error(status: int, message: str, **extra: Any) -> web.Response:
    return web.json_response({"ok": False, "error": message, **extra}, status=status)


def make_cost_routes(deps: Deps) -> list[web.RouteDef]:
    """With CAPACITY_INGEST_TOKEN unset the endpoint answers 404, as if it did not exist."""

    async def post_costs(request: web.Request) -> web.Response:
        data = await guarded_body(request, deps.settings.ingest_token, MAX_BODY)
        if isinstance(data, web.Response):
            return data
        name = request.query.get("name", "api")[:100]
        return await in_thread(store_bill, bytes(data), name, deps.clock())

    def store_bill(data: bytes, name: str, now: datetime) -> web.Response:
        plan = deps.plan
        try:
            lines = Hashed(body_lines(data, MAX_OPENED))
            bill = read_bill(lines, plan)
        except TooLarge as exc:
            return _error(413, str(exc))
        except ValueError as exc:
            return _error(400, str(exc))
        except BillRefused as exc:
            return _error(
                422,
                f"bill refused, nothing stored: {exc.problems[0]}",
                problems=exc.problems,
                expected=exc.example,
            )
        try:
            result = deps.store.costs.import_bill(bill.kind, bill.lines, name, lines.digest, now)
        except STORE_ERRORS as exc:
            # Nothing was stored (one transaction): a full disk is a 507, else a 503.
            log.warning("POST /api/costs: bill not stored: %s", exc)
            reason = describe_error(exc)
            deps.store.vitals.wrote(False, now, reason)
            status = 507 if is_disk_full(exc) else 503
            return _error(status, f"{reason}; nothing was stored, send the bill again later")
        deps.store.vitals.wrote(True, now)
        when = result.at if result.duplicate else None
        summary = import_summary(
            name, bill.kind, result.lines, result.total, result.replaced, when, plan_currency(plan)
        )
        return web.json_response(
            {
                "ok": True,
                "kind": bill.kind,
                "stored": 0 if result.duplicate else result.lines,
                "replaced": result.replaced,
                "duplicate": result.duplicate,
                "summary": summary,
            }
        )

    return [web.post("/api/costs", post_costs)]
