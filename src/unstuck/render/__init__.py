"""Renderers: the report as terminal output (and later HTML and Markdown)."""
