"""Wagtail admin for exports: personnel records, training records, the yearly reform report, export jobs."""
