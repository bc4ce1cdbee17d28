"""Notifications: compose what to post (pure), deliver it through the outbox, record it.

The routes are posters side by side, each behind the `Poster` protocol (bot.notify.poster):
`slack.py` today; a pager or email poster joins beside it.
"""
