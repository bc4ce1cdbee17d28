"""capacity-bot: the team's capacity plan, live in Slack and in a terminal."""

__all__ = ["__version__"]
__version__ = "0.1.0"
