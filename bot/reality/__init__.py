"""The plan held against what was measured: the hourly statistics read once, the plan's
assumptions assessed and what fails first forecast from them. Reads the store only; below
the notify pipeline, the digest's gather and the commands that all share it."""

from bot.reality.measure import gather_hours, measured_now, reality_of

__all__ = ["gather_hours", "measured_now", "reality_of"]
