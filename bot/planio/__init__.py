"""The plan and its change log in and out of files (YAML plan, Markdown table, CSV)."""
