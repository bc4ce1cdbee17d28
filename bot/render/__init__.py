"""Reply -> a medium: plain text (terminal) or Block Kit (Slack). Pure functions."""
