"""Wagtail admin for roster and attendance imports."""
