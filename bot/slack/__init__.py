"""The Slack front end: the Bolt app, its listeners and the answer cache."""
