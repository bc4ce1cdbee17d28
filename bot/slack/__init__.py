"""The Slack front end: the Bolt app, its listeners, the answer cache and the app manifest."""
