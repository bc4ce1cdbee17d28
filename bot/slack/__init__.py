"""The Slack front end: Bolt wiring, listeners, the app manifest."""
