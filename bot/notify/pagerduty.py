"""p0 alerts to PagerDuty's Events API v2: trigger when an alert fires, resolve when it
clears, both under one dedup key per alert.

The dedup key makes a resend safe: PagerDuty folds a second trigger with the same key into
the open incident, so this route may retry after a timeout without paging twice.
Reminders are not sent (the incident stays open and PagerDuty escalates on its own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp

from bot.notify.oneline import one_line
from bot.notify.poster import DeliveryError, Message, Sent, alert_key
from bot.notify.retry_after import retry_after

if TYPE_CHECKING:
    from bot.notify.compose import AlertLine, Payload

__all__ = ["PD_SEVERITY", "PagerDutyPoster", "event_for"]

# Events API v2 knows critical, error, warning and info.
PD_SEVERITY = {"p0": "critical", "p1": "error", "p2": "warning"}
_SUMMARY_MAX = 1024


def _summary(alert: AlertLine, kind: str) -> str:
    value = "no data" if alert.value is None else f"{alert.value:g}{alert.unit}"
    if kind == "nodata":
        state = f"{alert.metric} has sent no data recently"
    else:
        state = f"{alert.metric} is {value} (threshold {alert.op} {alert.threshold:g}{alert.unit})"
    # PagerDuty shows the summary as one line: a plan's names may hold line separators.
    return one_line(f"[{alert.severity}] {alert.title}: {state}", _SUMMARY_MAX)


def event_for(message: Message, routing_key: str, source: str = "capacity-bot") -> dict[str, Any]:
    """The Events API v2 body for one alert's message."""
    alert = message.payload.alerts[0]
    key = alert_key(alert.rule_id, alert.fired_at)
    if message.kind == "resolved":
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": key}
    details: dict[str, Any] = {
        "rule": alert.rule_id,
        "metric": alert.metric,
        "value": alert.value,
        "threshold": f"{alert.op} {alert.threshold:g}{alert.unit}",
        "held_seconds": alert.held_seconds,
    }
    if alert.action:
        details["action"] = alert.action
    if alert.runbook_id:
        details["runbook"] = f"/capacity scenario {alert.runbook_id}"
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": key,
        "client": "capacity-bot",
        "payload": {
            "summary": _summary(alert, message.kind),
            "source": source,
            "severity": PD_SEVERITY.get(alert.severity, "error"),
            "timestamp": alert.fired_at if alert.fired_at != "-" else message.payload.at,
            "component": alert.metric,
            "custom_details": details,
        },
    }


class PagerDutyPoster:
    """POSTs events to `url`; 202 is success, 429 and 5xx are retried, 4xx is for a person."""

    route = "pagerduty"
    # The dedup key folds a second trigger into the same incident: resending is safe.
    resend_safe = True

    def __init__(self, routing_key: str, url: str, *, timeout: float = 10.0) -> None:
        self._routing_key = routing_key
        self.url = url
        self.timeout = timeout

    async def send(self, message: Message) -> Sent:
        body = event_for(message, self._routing_key)
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as http,
                http.post(self.url, json=body) as resp,
            ):
                status = resp.status
                after = resp.headers.get("Retry-After")
                text = (await resp.text())[:300]
        except (TimeoutError, aiohttp.ClientError) as exc:
            # The event may or may not have arrived; the dedup key makes a resend safe.
            raise DeliveryError(
                f"pagerduty {type(exc).__name__}", retryable=True, code="transport"
            ) from exc
        if status == 202:
            return Sent("pagerduty", str(body["dedup_key"]))
        if status == 429 or status >= 500:
            raise DeliveryError(
                f"pagerduty {status}",
                retryable=True,
                retry_after=retry_after(after),
                code=f"http_{status}",
            )
        # 400 (invalid event, e.g. a malformed routing key) and other refusals: no retry helps.
        raise DeliveryError(
            f"pagerduty {status}: {text}", retryable=False, code=f"http_{status}", needs_person=True
        )

    async def mark_resolved(self, original: Sent, payload: Payload) -> None:
        """The resolve event (sent by `send`) is what closes the incident."""
