"""Scheduled work: alert evaluation and delivery, the Prometheus pull, the weekly digest."""
