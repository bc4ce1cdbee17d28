"""The Slack front end: the verified HTTP intake and the Bolt wiring."""
