"""What the tests share: the fake Slack fixture and its workers (slack.py), a settable clock
and Deps over a store (metrics_helpers.py), `python -m bot serve` and Prometheus as real
processes (serve_process.py; clocked_serve.py starts the bot's clock at a chosen instant
and can make its event loop's thread refuse every SQLite write), stand-in servers on
127.0.0.1 (local_server.py, pdserver.py, smtpserver.py) and a large plan (largeplan.py)."""
