"""The bottom of the house: plumbing every other part may use and that uses nothing of ours
but itself. Settings (the only reader of the environment), the log format and its
scrubbing, the bot's own counters, the health registry, and offload to a worker thread."""
