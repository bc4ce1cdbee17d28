"""Make `python -m bot` the same program as `capacity-bot`."""

from bot.app.cli import main

raise SystemExit(main())
