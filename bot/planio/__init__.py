"""The plan and its change log in and out of files: the YAML plan, the filled-in template
(Markdown), the change-log table and CSV."""
