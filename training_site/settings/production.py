"""Production: refuses to start without a real secret and real hosts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_list, env_str

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", "") or ""
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith(("dev-", "test-", "django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the real host names (comma-separated) in production.")

# Behind a TLS-terminating load balancer; app servers stay stateless (DESIGN.md, section 4).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# HAProxy checks app servers over plain HTTP: a redirect to https would count as healthy, whatever the
# database says.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

# Redis (REDIS_URL) is what the app servers share besides the database: the cache (public pages, the admin
# sidebar), the sign-in throttle's counters (staff/auth/throttle.py) and a copy of each session. Sessions are
# "cached_db": read from Redis, written to both, so a Redis restart signs nobody out; while Redis is down,
# signed-in pages fail (docs/deploy.md: run it supervised). Without REDIS_URL each process has its own memory
# cache: fine for one process, wrong for several.
CACHE_URL = env_str("REDIS_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "dao-tao"),
                          # A Redis that stops answering costs a request at most this, not a hung worker.
                          "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Persistent database connections: opening one costs a PostgreSQL backend fork and ~2 ms of a web worker's
# CPU per request (measured on the seat race, issue 12). Checked before reuse, so a restarted server or a
# failover (issue 13) costs one failed check, not a failed request. DB_CONN_MAX_AGE=0 turns it off (behind a
# transaction-pooling PgBouncer, for instance).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
if "replica" in DATABASES:  # noqa: F405
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]  # noqa: F405
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
