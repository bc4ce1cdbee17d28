"""HTTP routes beside Slack's: metric ingestion, health and /metrics."""
