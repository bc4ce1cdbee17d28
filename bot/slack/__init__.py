"""The Slack front end: the verified HTTP intake, the Bolt app, its listeners and the
answer cache."""
