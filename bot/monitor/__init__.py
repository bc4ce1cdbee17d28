"""Pure core of metric alerting and forecasting: no I/O, no clock (`now` is passed in)."""

from bot.domain.monitoring import SEVERITIES, AlertState, Event, Rule, Sample
from bot.monitor.evaluate import Evaluation, evaluate, silence
from bot.monitor.forecast import Trend, crossing, fit, forecast_value
from bot.monitor.group import Notification, group_events

__all__ = [
    "SEVERITIES",
    "AlertState",
    "Evaluation",
    "Event",
    "Notification",
    "Rule",
    "Sample",
    "Trend",
    "crossing",
    "evaluate",
    "fit",
    "forecast_value",
    "group_events",
    "silence",
]
