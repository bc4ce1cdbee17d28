"""The top of the house: the wiring. Entry points (`cli`, `serve`), the served web app
(`/slack/events`, `/healthz`, `/metrics`), the hooks that start and stop scheduled work, and
doctor's runner. It builds and connects the parts below; no logic of its own."""
