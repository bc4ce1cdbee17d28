"""Plan input and output: the YAML file, the Markdown document, the change-log files."""
