"""Renderers for reports: human text and the JSON contract (``reports/schema``)."""
