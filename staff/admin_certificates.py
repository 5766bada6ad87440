"""Wagtail admin for certificates: scoped list, revoke and reissue."""
