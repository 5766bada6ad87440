"""Fast, deterministic tests: quick hashing, local memory mail, in-process tasks."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-a-secret-7c1d"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Concurrency tests run real threads, each with its own connection: SQLite needs a file for that
# (the default in-memory test database is private to one connection).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # TEST_DB_SUFFIX lets two test runs share a checkout without sharing a database.
    _name = f"test-db{env_str('TEST_DB_SUFFIX', '')}.sqlite3"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-artifacts" / _name)}  # noqa: F405
    (BASE_DIR / "test-artifacts").mkdir(exist_ok=True)  # noqa: F405

# The suite signs staff in with force_login in many places; the two-factor tests switch it back on
# (tests/staff/accounts/test_two_factor.py, tests/browser/test_two_factor.py).
STAFF_TWO_FACTOR_REQUIRED = False

# Off: the page tests read response.context and count the queries of a full render; the cache's own tests
# (tests/courses/test_public_cache.py) turn it on.
PUBLIC_PAGE_CACHE_SECONDS = 0

# Off for the same reason (and a user id is reused from one test to the next); tests/staff/test_sidebar.py
# turns it on.
SIDEBAR_CACHE_SECONDS = 0

# Off: the lockout tests post more wrong passwords a minute than the throttle allows; its own tests
# (tests/staff/accounts/test_sign_in_throttle.py) turn it on.
LOGIN_THROTTLE_PER_MINUTE = 0
