"""HTTP routes beside Slack's: metric ingestion (later health and /metrics)."""
