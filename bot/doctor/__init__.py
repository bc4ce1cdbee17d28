"""`capacity-bot doctor` and the checks `/healthz` reports: one line each, ok or the fix."""

from bot.doctor.checks import Check
from bot.doctor.run import doctor, outside_checks, report, run_checks

__all__ = ["Check", "doctor", "outside_checks", "report", "run_checks"]
