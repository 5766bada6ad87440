"""The account tests mix transactional tests (real server processes, a live server) with ordinary ones."""

import pytest


@pytest.fixture(autouse=True)
def fresh_content_types():
    """A transactional test's flush re-creates the content types under new ids; Django's cache of them would
    then hand the next test stale ids (a foreign-key error when a permission is granted)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()
