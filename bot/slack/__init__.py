"""The Slack front end: the verified HTTP intake, the Bolt app, its listeners, the answer
cache and the app manifest."""
