"""Make `python -m bot` the same program as `capacity-bot`."""

from bot.cli import main

raise SystemExit(main())
