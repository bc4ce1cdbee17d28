"""The bot's own HTTP routes beside Slack's: health, metrics, ingestion."""
