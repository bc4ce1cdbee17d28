"""Routes by severity: which poster (Slack, PagerDuty, email) each alert goes to. Pure.

The plan's `alert_channels` say where each severity belongs (the template: p0 PagerDuty,
p1 Slack #alerts, p2 Email); the environment says which of those routes are configured.
A severity the plan does not route, or whose destination names no route we know, goes to
Slack. A severity whose route is not configured goes to Slack too, marked as such: an
alert is never dropped because a route is missing (check-plan, /healthz, `status` and
Home all say so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from bot.core.config import Settings
from bot.domain.monitoring import SEVERITIES, Rule, Severity
from bot.domain.plan import Plan
from bot.monitor.rules_from_plan import rules_from_plan

__all__ = [
    "ROUTE_NAMES",
    "Destination",
    "RouteGap",
    "RouteName",
    "Routes",
    "channel_name",
    "fix_for",
    "plan_routes",
    "route_gaps",
    "route_of_destination",
    "route_warnings",
    "routes_for",
]

RouteName = Literal["slack", "pagerduty", "email"]
ROUTE_NAMES: dict[str, str] = {"slack": "Slack", "pagerduty": "PagerDuty", "email": "Email"}
# What a route needs from the environment, for messages that tell how to fix a gap.
_NEEDS = {
    "pagerduty": "CAPACITY_PAGERDUTY_ROUTING_KEY",
    "email": "CAPACITY_SMTP_URL, CAPACITY_EMAIL_FROM and CAPACITY_EMAIL_TO",
    "slack": "CAPACITY_ALERTS_CHANNEL",
}


def route_of_destination(destination: str) -> RouteName | None:
    """`PagerDuty (phone call)` -> pagerduty, `Slack #alerts` -> slack, `Email` -> email."""
    text = destination.lower()
    if "pagerduty" in text or "pager duty" in text:
        return "pagerduty"
    if "slack" in text:
        return "slack"
    if "mail" in text:
        return "email"
    return None


def plan_routes(plan: Plan) -> dict[Severity, RouteName]:
    """The route the plan wants for each severity (Slack where it names none we know)."""
    wanted: dict[Severity, RouteName] = dict.fromkeys(SEVERITIES, "slack")
    for channel in plan.alert_channels:
        wanted[channel.severity] = route_of_destination(channel.destination) or "slack"
    return wanted


@dataclass(frozen=True)
class Destination:
    """Where one severity's alerts go now."""

    route: RouteName
    # Slack channel id; "pagerduty"; the email recipients.
    target: str
    # The plan's route; differs from `route` when that one is not configured.
    wanted: RouteName

    @property
    def fallback(self) -> bool:
        return self.route != self.wanted


@dataclass(frozen=True)
class Routes:
    by_severity: Mapping[Severity, Destination]

    def for_rule(self, rule: Rule) -> Destination:
        return self.by_severity[rule.severity]


def configured(settings: Settings) -> set[RouteName]:
    found: set[RouteName] = set()
    if settings.alerts_channel:
        found.add("slack")
    if settings.pagerduty_routing_key is not None:
        found.add("pagerduty")
    if settings.smtp_url is not None and settings.email_to and settings.email_from:
        found.add("email")
    return found


def routes_for(plan: Plan, settings: Settings) -> Routes:
    ready = configured(settings)
    out: dict[Severity, Destination] = {}
    for severity, wanted in plan_routes(plan).items():
        route: RouteName = wanted if wanted in ready else "slack"
        if route == "pagerduty":
            target = "pagerduty"
        elif route == "email":
            target = ", ".join(settings.email_to)
        else:
            target = settings.slack_channel(severity)
        out[severity] = Destination(route, target, wanted)
    return Routes(out)


@dataclass(frozen=True)
class RouteGap:
    """Rules of one severity whose route is not configured (their alerts go to Slack)."""

    severity: Severity
    wanted: RouteName
    rule_ids: tuple[str, ...]

    def describe(self) -> str:
        name = ROUTE_NAMES[self.wanted]
        count = len(self.rule_ids)
        rules = ", ".join(self.rule_ids[:3]) + (", …" if count > 3 else "")
        return (
            f"{self.severity} alerts route to {name}, which is not configured "
            f"(set {_NEEDS[self.wanted]}); {count} rule(s) ({rules}) post to Slack instead"
        )


def route_gaps(rules: Iterable[Rule], routes: Routes) -> list[RouteGap]:
    gaps: list[RouteGap] = []
    rules = list(rules)
    for severity in SEVERITIES:
        dest = routes.by_severity[severity]
        mine = tuple(r.id for r in rules if r.severity == severity)
        if mine and dest.fallback:
            gaps.append(RouteGap(severity, dest.wanted, mine))
    return gaps


def route_warnings(plan: Plan, settings: Settings) -> list[str]:
    """check-plan's warnings: destinations that name no route, routes not configured."""
    warnings = [
        f"alert_channels[{i}].destination: {c.destination!r} names no route capacity-bot "
        f"knows (PagerDuty, Slack, Email); {c.severity} alerts go to Slack"
        for i, c in enumerate(plan.alert_channels)
        if route_of_destination(c.destination) is None
    ]
    gaps = route_gaps(rules_from_plan(plan), routes_for(plan, settings))
    return warnings + [f"alert_channels: {gap.describe()}" for gap in gaps]


_CHANNEL_NAME = re.compile(r"#[\w.-]+")


def channel_name(plan: Plan, routes: Routes, channel: str) -> str | None:
    """`#alerts` for the channel a severity posts to, from the plan's destination text
    ("Slack #alerts"): the bot knows channel ids, people know names."""
    for channel_of in plan.alert_channels:
        dest = routes.by_severity.get(channel_of.severity)
        found = _CHANNEL_NAME.search(channel_of.destination)
        if dest is not None and dest.target == channel and found:
            return found.group(0)
    return None


def fix_for(route: str, reason: str, target: str, name: str | None = None) -> str:
    """What a person does about a delivery problem; `target` is a channel id or recipients,
    `name` the channel's name when known."""
    if reason.startswith("message_refused"):
        return (
            "the message could not be sent as composed (the bot's log has the error); it is "
            "retried every few minutes: report it, or remove odd characters from the plan's names"
        )
    if route == "slack":
        where = f"{name} ({target})" if name else f"the channel {target}"
        fixes = {
            "not_in_channel": f"/invite @capacity-bot in {name or where}",
            "channel_not_found": (
                f"the channel {target} is not one the bot can see: set CAPACITY_ALERTS_CHANNEL "
                "to the channel's id (a private channel needs /invite @capacity-bot first)"
            ),
            "is_archived": f"{where} is archived: unarchive it or point CAPACITY_ALERTS_CHANNEL "
            "at another channel",
            "invalid_auth": "Slack refused SLACK_BOT_TOKEN: reinstall the app and set the new "
            "token",
            "account_inactive": "the bot's Slack account is deactivated: reinstall the app and "
            "set the new SLACK_BOT_TOKEN",
            "token_revoked": "SLACK_BOT_TOKEN was revoked: reinstall the app and set the new token",
            "missing_scope": "the app lacks the chat:write scope: reinstall it from the "
            "manifest (`capacity-bot manifest`)",
        }
        return fixes.get(
            reason,
            f"Slack refused the message ({reason}); it is retried hourly: report it, or "
            "check the plan's names and texts for what Slack will not take",
        )
    if route == "pagerduty":
        return f"PagerDuty refused the event ({reason}): check CAPACITY_PAGERDUTY_ROUTING_KEY"
    if route == "email":
        if reason == "auth_refused":
            return "the mail server refused the login: check the credentials in CAPACITY_SMTP_URL"
        if reason == "starttls_unavailable":
            return "the mail server offers no STARTTLS: use smtps:// or a server that does"
        if reason == "recipients_refused":
            return f"the mail server refused {target}: check CAPACITY_EMAIL_TO"
        return f"the mail server refused the message ({reason}): check CAPACITY_SMTP_URL"
    return reason
