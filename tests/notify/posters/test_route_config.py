"""Routes from the plan's alert channels and the environment; a route that is not
configured never drops an alert; rows queued before routes existed still go to Slack."""

from __future__ import annotations

import html
import io
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from bot.commands import build_router
from bot.commands.home import home_reply
from bot.core.config import ConfigError, Settings, load_settings
from bot.monitor.routes import plan_routes, route_of_destination, routes_for
from bot.notify.deliver import Worker
from bot.notify.health import delivery_health
from bot.notify.slack import SlackPoster, make_client
from bot.planio.planfile import default_plan
from bot.render.text import render_text
from store import Store
from tests.fakeslack import FakeSlack
from tests.notify.posters.helpers import CHANNEL, hold, routed_deps, with_severities
from tests.support.metrics_helpers import T0, Clock
from tests.support.slack import worker_for

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
OLD_DB = Path(__file__).parents[2] / "data" / "outbox-before-routes.db"


def test_the_templates_alert_channels_become_routes() -> None:
    assert plan_routes(default_plan()) == {"p0": "pagerduty", "p1": "slack", "p2": "email"}
    assert route_of_destination("Opsgenie") is None
    assert route_of_destination("E-mail to on-call") == "email"


def test_a_channel_per_severity_for_alerts_that_go_to_slack() -> None:
    settings = Settings(alerts_channel="C_P1", alerts_channel_p0="C_P0")
    routes = routes_for(default_plan(), settings)
    # p0 would page, but PagerDuty is not configured: its own Slack channel instead.
    assert (routes.by_severity["p0"].route, routes.by_severity["p0"].target) == ("slack", "C_P0")
    assert routes.by_severity["p0"].fallback
    assert routes.by_severity["p1"].target == "C_P1"
    assert routes.by_severity["p2"].target == "C_P1"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CAPACITY_SMTP_URL": "mail.example.com:25"},
            "CAPACITY_SMTP_URL: must start with smtp://",
        ),
        ({"CAPACITY_SMTP_URL": "smtp://u:secret@mail:x"}, "CAPACITY_SMTP_URL: has a port"),
        ({"CAPACITY_SMTP_URL": "smtp://mail:25"}, "CAPACITY_EMAIL_FROM: must be set"),
        (
            {"CAPACITY_SMTP_URL": "smtp://mail:25", "CAPACITY_EMAIL_FROM": "bot@example.com"},
            "CAPACITY_EMAIL_TO: must be set",
        ),
        ({"CAPACITY_EMAIL_TO": "ops@example.com, nobody"}, "CAPACITY_EMAIL_TO: 'nobody'"),
        ({"CAPACITY_PAGERDUTY_URL": "events.pagerduty.com"}, "CAPACITY_PAGERDUTY_URL: must be"),
    ],
)
def test_bad_route_configuration_is_one_line_naming_the_variable(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert str(caught.value).startswith(message)
    assert "secret" not in str(caught.value)


def test_check_plan_warns_about_routes_that_are_not_configured(tmp_path: Path) -> None:
    import yaml

    # Imported here: bot.shell binds sys.stdout as a default when first imported, and a
    # module-level import at collection would pin pytest's capture for later tests.
    from bot.shell import check_plan

    plan = with_severities(default_plan(), error_rate_pct="p0", storage_pct="p2")
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan.model_dump(mode="json", by_alias=True)))
    out = io.StringIO()
    assert check_plan(str(path), Settings(), out) == 0
    text = out.getvalue()
    assert "p0 alerts route to PagerDuty, which is not configured" in text
    assert "CAPACITY_PAGERDUTY_ROUTING_KEY" in text and "threshold.error_rate_pct.0" in text
    assert "p2 alerts route to Email" in text
    out = io.StringIO()
    check_plan(str(path), Settings(pagerduty_routing_key="k" * 32), out)
    assert "PagerDuty, which is not configured" not in out.getvalue()
    channels = [c.model_copy(update={"destination": "Opsgenie"}) for c in plan.alert_channels]
    odd = plan.model_copy(update={"alert_channels": tuple(channels)})
    path.write_text(yaml.safe_dump(odd.model_dump(mode="json", by_alias=True)))
    out = io.StringIO()
    check_plan(str(path), Settings(), out)
    assert "alert_channels[0].destination: 'Opsgenie' names no route" in out.getvalue()


async def test_a_p0_alert_without_pagerduty_posts_to_slack_and_says_so(slack: FakeSlack) -> None:
    clock = Clock()
    deps = routed_deps(clock, severities={"error_rate_pct": "p0"})
    worker = worker_for(deps, slack, routes=True, base_delay=0.5)
    await hold(deps, worker, clock, "error_rate_pct", 5, 6)
    (posted,) = slack.messages_in(CHANNEL)
    assert "Error rate" in html.unescape(posted.text or "") and "[p0]" in (posted.text or "")
    assert "PagerDuty is not configured for p0 alerts, so this came here instead" in (
        posted.text or ""
    )
    health = delivery_health(deps.plan, deps.settings, deps.store)
    assert health["ok"] is False
    assert health["degraded"] == ["p0 route pagerduty not configured (1 rules post to Slack)"]
    status = render_text(build_router().dispatch("status", deps.context(user_id="U1")))
    assert "p0 alerts route to PagerDuty, which is not configured" in status
    assert "threshold.error_rate_pct.0" in status  # and it is listed as firing
    home = render_text(home_reply(deps.context(user_id="U1"), build_router()))
    assert "p0 alerts route to PagerDuty, which is not configured" in home
    assert "threshold.error_rate_pct.0" in home


async def test_rows_queued_before_routes_are_delivered_to_slack(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """tests/data/outbox-before-routes.db was written by main at 951759f (before routes):
    a queued firing warning and a queued digest."""
    path = tmp_path / "capacity.db"
    shutil.copy(OLD_DB, path)
    store = Store(path)
    (firing, digest) = store.outbox.by_status("queued")
    assert (firing.route, digest.route) == ("slack", "slack")
    poster = SlackPoster(make_client(slack.bot_token, slack.api_url, timeout=5))
    worker = Worker(store, poster, Clock(T0 + timedelta(hours=1)))
    assert await worker.run_once() == 2
    texts = [html.unescape(m.text or "") for m in slack.messages_in("C_ALERTS")]
    assert any("Error rate" in t for t in texts) and any("old digest" in t for t in texts)
    assert store.outbox.counts() == {"sent": 2}
    store.close()
    again = Store(path)  # migrating twice is a no-op
    assert again.outbox.counts() == {"sent": 2}
    again.close()
