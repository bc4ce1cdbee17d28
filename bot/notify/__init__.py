"""Notifications: decide what to post (pure), deliver it through the outbox, record it."""
