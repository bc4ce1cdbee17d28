"""The terminal as a user drives it: real subprocesses of `python -m bot`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CAPACITY_", "SLACK_"))}
    environ.update(env)
    environ["HOME"] = env.get("HOME", str(ROOT / ".pytest_cache"))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=environ,
        timeout=60,
    )


def test_ask_prints_one_answer() -> None:
    done = run("ask", "tier 2")
    assert done.returncode == 0
    assert "$95/mo -> $415/mo (+$320/mo, +337%)" in done.stdout
    assert "Dedicated queue service (5 workers)" in done.stdout


def test_ask_bad_input_exits_2_with_message_on_stderr() -> None:
    done = run("ask", "tier 9")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "There is no tier 9" in done.stderr
    assert "/capacity tier 2" in done.stderr


def test_shell_answers_each_line_until_quit() -> None:
    done = run("shell", stdin="tier 1\n/capacity breakeven\n\nteir 2\nquit\ntiers\n")
    assert done.returncode == 0
    assert "$40/mo -> $95/mo (+$55/mo, +137%)" in done.stdout
    assert "465 instructors" in done.stdout
    assert "Did you mean `tier`?" in done.stdout
    assert "Growth tiers" not in done.stdout  # nothing after quit
    assert done.stdout.rstrip().endswith("bye")


def test_shell_ends_cleanly_at_end_of_input() -> None:
    done = run("shell", stdin="help\n")
    assert done.returncode == 0 and "/capacity compute RPS" in done.stdout


def test_capacity_plan_selects_the_plan_for_every_command() -> None:
    done = run("ask", "tiers", CAPACITY_PLAN=str(DATA / "second-plan.yaml"))
    assert done.returncode == 0 and "Podcast hosting" in done.stdout


def test_check_plan_default_is_valid_with_warnings() -> None:
    done = run("check-plan")
    assert done.returncode == 0
    assert "valid" in done.stdout and "3 warning(s)" in done.stdout


def test_check_plan_reports_each_error_located(tmp_path: Path) -> None:
    text = (DATA / "second-plan.yaml").read_text()
    broken = text.replace("cost_change: 300", "cost_change: lots").replace("price: 12", "price: 0")
    path = tmp_path / "broken.yaml"
    path.write_text(broken)
    done = run("check-plan", str(path))
    assert done.returncode == 1
    assert "error: tiers[2].changes[0].cost_change:" in done.stdout
    assert "error: pricing.price:" in done.stdout


def test_bad_configuration_is_one_line_naming_the_variable() -> None:
    done = run("ask", "tiers", CAPACITY_TIMEZONE="Mars/Olympus")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "CAPACITY_TIMEZONE" in done.stderr


def test_a_crontab_the_scheduler_would_refuse_stops_start_up_with_one_line() -> None:
    done = run("ask", "tiers", CAPACITY_DIGEST_CRON="99 9 * * mon")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "CAPACITY_DIGEST_CRON" in done.stderr and "Traceback" not in done.stderr


def test_shell_records_the_built_tier_for_slack_to_see(tmp_path: Path) -> None:
    db = str(tmp_path / "capacity.db")
    done = run("shell", stdin="built 1\nquit\n", CAPACITY_DB=db)
    assert done.returncode == 0 and "Built tier: Tier 1: 10x Growth" in done.stdout
    shown = run("ask", "built", CAPACITY_DB=db)
    assert "Built: Tier 1: 10x Growth" in shown.stdout
    assert "recorded in the terminal" in shown.stdout and "<@" not in shown.stdout
    log = run("ask", "changes", CAPACITY_DB=db)
    assert "Tier 1: 10x Growth built (was Tier 0)" in log.stdout


def test_check_plan_warns_of_a_rule_that_can_never_fire(tmp_path: Path) -> None:
    from bot.planio.planfile import default_plan_text

    rule = 'text: "> 80% capacity", rule: {metric: storage_pct, op: ">", value: 80}'
    path = tmp_path / "plan.yaml"
    path.write_text(default_plan_text().replace(rule, rule.replace("80", "180")))
    done = run("check-plan", str(path))
    assert done.returncode == 0
    assert (
        "  warning: thresholds[4].rule: storage_pct > 180% can never fire:"
        " storage_pct ranges 0% to 100%\n"
    ) in done.stdout
