"""Wagtail imports this module of every app: staff's admin registers its viewsets, URLs, menu entries and
page hooks from ``staff.admin``."""

from staff import admin  # noqa: F401  (the admin package registers everything on import)
