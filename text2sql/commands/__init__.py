"""CLI command groups. Every module here defines `register(app)`; `text2sql.cli` calls them all."""
