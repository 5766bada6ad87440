"""Settings shared by every environment. Safe by default: DEBUG is off unless asked for."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str
from .headers import *  # noqa: F403  (CSP and Permissions-Policy)
from .headers import HEADER_APPS, HEADER_MIDDLEWARE
from .storage import DEFAULT_FILE_STORAGE_BACKEND

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # First: its db_worker (with task leases) replaces django-tasks-db's (training_site/apps.py).
    "training_site",
    "courses",
    "staff",
    "wagtail.api.v2",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    *HEADER_APPS,
]

MIDDLEWARE = [
    # A request id for every log line of the request, and in the X-Request-ID answer (training_site/ops/logs.py).
    "training_site.ops.logs.RequestIdMiddleware",
    # Bodies bigger than any form or upload may be are refused before a worker reads them.
    "training_site.ops.uploads.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    *HEADER_MIDDLEWARE,
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sign-in posts per address and minute, counted in the shared cache (staff/auth/throttle.py).
    "staff.auth.throttle.SignInThrottleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "training_site.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Typed text composed to NFC before any form, filter or search reads it (courses/text.py says why).
    "courses.text.NFCInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Anonymous visitors get the rendered public page from the cache: inside CSRF (a hit still sets a new
    # visitor's token cookie) and the language, before authentication, so that a hit costs no query.
    "courses.cache.PublicPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff roles need a verified second factor before any admin page opens (staff/auth/two_factor.py).
    "staff.auth.two_factor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # A lock or statement timeout becomes "busy, please try again" (503), never a 500 (training_site/ops/busy.py).
    "training_site.ops.busy.BusyMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by authenticate() into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "training_site.urls"
WSGI_APPLICATION = "training_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded default is a SQLite file next to the code; production and CI give DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing half-way;
    # WAL lets readers go on while one writes (../shared/DESIGN.md, "Technical facts").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # PostgreSQL's default random_page_cost (4) prices an index probe as a seek on a spinning disk: with 600
    # of 100,000 officials wanted it then reads all 100,000 (a ward's officials list, 62 ms at city scale,
    # against 21 ms at 1.1). The working set lives in memory or on SSD on any host we run on; 1.1 is the
    # usual setting there. Set per connection so CI's plan tests (tests/staff/plans) see production's planner.
    # Timeouts (issue 13): a web request waits at most DB_LOCK_TIMEOUT_MS for a row lock and runs no statement
    # longer than DB_STATEMENT_TIMEOUT_MS, so one stuck transaction cannot stall every app server; the
    # enrollment path answers "busy, try again" (training_site/ops/busy.py). Workers and the scheduler set
    # their own, longer limits on their connections (training_site/ops/timeouts.py).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(filter(None, [
        _options.get("options", ""), f"-c random_page_cost={env_str('DB_RANDOM_PAGE_COST', '1.1')}",
        f"-c lock_timeout={env_int('DB_LOCK_TIMEOUT_MS', 3000)}",
        f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 30000)}"]))
    # A database host that stops answering fails a new connection within this, not the system's TCP timeout.
    _options["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT_SECONDS", 5)

# Limits for background workers and the scheduler (milliseconds; 0 = none): a big export may run for minutes.
WORKER_LOCK_TIMEOUT_MS = env_int("WORKER_LOCK_TIMEOUT_MS", 30_000)
WORKER_STATEMENT_TIMEOUT_MS = env_int("WORKER_STATEMENT_TIMEOUT_MS", 30 * 60_000)

# A read replica (streaming, read-only): report and dashboard reads go there when it is configured
# (training_site/ops/routers.py); everything else, and every write, stays on the primary.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL", ""), conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # Short: a replica that stops answering sends the reads back to the primary (routers.replica_reads), and
    # /readyz must answer within the balancer's check timeout (3 s) even then.
    DATABASES["replica"]["OPTIONS"]["connect_timeout"] = env_int("DB_REPLICA_CONNECT_TIMEOUT_SECONDS", 1)
    # Tests have no second server: the alias reads the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["training_site.ops.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/dang-nhap/"
# --- Accounts and sign-in (staff/auth, issue 10) -------------------------------------------------------
# Axes first: it refuses a locked-out account or address before any password is checked. Our backend
# accepts the employee code, the e-mail or the phone number in the one "username" field.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "staff.auth.backends.IdentifierBackend",
]
# Lockout (django-axes). The state lives in the database (axes' own tables), which every app server
# shares; a lockout is per account and, separately, per address, for AXES_COOLOFF_MINUTES.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours, as axes counts them
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "staff.auth.lockout.lockout_username"
AXES_WHITELIST_CALLABLE = "staff.auth.lockout.is_single_sign_on"
# A success forgets that account's own failures only: axes' default would also wipe the failures against a
# colleague's account from the same address, letting anyone with an account guess without ever locking it.
AXES_HANDLER = "staff.auth.lockout.AccountResetHandler"
AXES_VERBOSE = False
# Behind AXES_PROXY_COUNT load balancers the client's address is read from X-Forwarded-For, counted from the
# right (staff/auth/lockout.py client_address; the sign-in throttle uses the same address).
AXES_CLIENT_IP_CALLABLE = "staff.auth.lockout.client_address"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
# X-Forwarded-For is believed only from these peers (addresses or networks, comma-separated); empty: from any
# peer, which is safe only when nothing but the balancers can reach the app servers.
try:
    TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network(item, strict=False) for item in env_list("TRUSTED_PROXIES", [])]
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES must list addresses or networks: {exc}") from exc
# Activation links sent with invitations are valid this many days, and used once.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# Nobody is invited twice within this many hours, however often a batch is started.
INVITATION_RESEND_WINDOW_HOURS = env_int("INVITATION_RESEND_WINDOW_HOURS", 24)
# Messages sent per second by one worker, whatever the channel (providers throttle their senders).
INVITATION_SEND_RATE = env_int("INVITATION_SEND_RATE", 50)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 2 * 60 * 60)
# The message channels (staff/channels). "console" prints in development; the providers' settings come
# from the environment, so that a city only configures them.
MESSAGE_CHANNELS = {
    "email": {"BACKEND": "staff.channels.email.EmailChannel"},
    "sms": {
        "BACKEND": env_str("SMS_BACKEND", "staff.channels.console.ConsoleChannel"),
        "URL": env_str("SMS_API_URL", "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"),
        "API_KEY": env_str("SMS_API_KEY", ""),
        "SECRET_KEY": env_str("SMS_SECRET_KEY", ""),
        "BRANDNAME": env_str("SMS_BRANDNAME", ""),
        "TIMEOUT": env_int("SMS_TIMEOUT_SECONDS", 10),
    },
    "zalo": {
        "BACKEND": env_str("ZALO_BACKEND", "staff.channels.console.ConsoleChannel"),
        "URL": env_str("ZALO_ZNS_URL", "https://business.openapi.zalo.me/message/template"),
        "ACCESS_TOKEN": env_str("ZALO_ACCESS_TOKEN", ""),
        "TEMPLATE_INVITATION": env_str("ZALO_TEMPLATE_INVITATION", ""),
        "TIMEOUT": env_int("ZALO_TIMEOUT_SECONDS", 10),
    },
}
# Two-factor (django-otp): every staff role needs a verified TOTP device before any admin page opens.
STAFF_TWO_FACTOR_REQUIRED = env_bool("STAFF_TWO_FACTOR_REQUIRED", True)
# The issuer shown in authenticator apps.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Bồi dưỡng CBCC")
# Single sign-on (OpenID Connect), on when OIDC_RP_CLIENT_ID is set (staff/auth/oidc.py).
OIDC_ENABLED = bool(env_str("OIDC_RP_CLIENT_ID", ""))
if OIDC_ENABLED:
    OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
    OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
    # Which claim names the official, and which roster field it is matched with.
    OIDC_OFFICIAL_CLAIM = env_str("OIDC_OFFICIAL_CLAIM", "personal_id")
    OIDC_OFFICIAL_FIELD = env_str("OIDC_OFFICIAL_FIELD", "personal_id")
    OIDC_CREATE_USER = False
    OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Cổng đăng nhập của thành phố")
    LOGIN_REDIRECT_URL_FAILURE = "/dang-nhap/?sso=refused"
    AUTHENTICATION_BACKENDS.append("staff.auth.oidc.OfficialOIDCBackend")
# --- end of accounts and sign-in -----------------------------------------------------------------------
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Public pages' cache (courses/cache.py) ---------------------------------------------------------------
# The default cache (Redis in production, see production.py; per-process memory otherwise) keeps each public
# page for anonymous visitors at most this long, besides the version bumped on publish and on seat changes:
# it bounds what no signal announces. 0 turns the cache off (the test settings do, but for its own tests).
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 5)
# The admin sidebar, built once per user and kept this long (staff/admin/sidebar.py); 0 builds it every page.
SIDEBAR_CACHE_SECONDS = env_int("SIDEBAR_CACHE_SECONDS", 300)

# Vietnamese first, English second. Dates read dd/mm/yyyy in both (training_site/formats).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# The project's own catalog first (makemessages writes it), then our Vietnamese for Wagtail's and Django's own
# messages, which their packaged catalogs leave mostly untranslated (`manage.py untranslated` lists the gaps).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "packages"]
FORMAT_MODULE_PATH = ["training_site.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
WAGTAIL_CONTENT_LANGUAGES = [("vi", "Tiếng Việt")]
# ASCII page URLs ("/khoa-hoc/ky-nang-so/", not "/khoa-hoc/k%E1%BB%B9-…"); Vietnamese letters, đ included,
# are transliterated by courses/models/slugs.py on the server and in the editor. Existing slugs are kept.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_BACKEND,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Background work goes through django-tasks. Mail and batches are queued in the database and run by
# `manage.py db_worker`, so a slow mail server never holds a request or a seat lock. "immediate" runs
# tasks in-process after the transaction commits (dev and tests: no worker to forget).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def task_settings(backend: str) -> dict:
    if backend not in TASK_BACKENDS:
        raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, got {backend!r}")
    return {"default": {"BACKEND": TASK_BACKENDS[backend]}}


TASKS = task_settings(env_str("TASKS_BACKEND", "database"))

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "dao-tao@example.invalid")

WAGTAIL_SITE_NAME = "Bồi dưỡng CBCC"
WAGTAILADMIN_BASE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# No Gravatar: staff avatars would be fetched from a foreign service (and show as a broken image offline).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# No check for new Wagtail releases from the administrators' browsers: a call to a foreign service that the
# Content-Security-Policy blocks anyway (connect-src 'self'); upgrades are the operators' (docs/deploy.md).
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]

# Search folds Vietnamese (courses/search.py): the query and the indexed text both lose diacritics
# and "đ" becomes "d", so "ky nang" finds "Kỹ năng" on SQLite and PostgreSQL alike.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "courses.search",
        "SEARCH_CONFIG": "simple",
    }
}

WAGTAILAPI_SEARCH_ENABLED = True
WAGTAILAPI_LIMIT_MAX = 100
REST_FRAMEWORK = {"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}

# How many periods (tiết) an official owes a year until the yearly rule lands with the HR issue.
TRAINING_DEFAULT_REQUIRED_PERIODS = env_int("TRAINING_DEFAULT_REQUIRED_PERIODS", 40)

# LOG_FORMAT=json: one JSON object per line with the request id (training_site/ops/logs.py), for the log
# collector of several hosts; "text" is for a person reading a terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "training_site.ops.logs.JsonFormatter"},
                   "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "filters": {"request_id": {"()": "training_site.ops.logs.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line per task and per page event drowns what matters; warnings still show.
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# --- Exports and reports (staff/exports, staff/reports) ------------------------------------------------
# Training-record exports with more rows than this run as a background task ("My exports"); 0 = always.
EXPORT_BACKGROUND_THRESHOLD_ROWS = env_int("EXPORT_BACKGROUND_THRESHOLD_ROWS", 5000)
# Rows fetched per database round trip by exporters, and written between two progress updates of a job.
EXPORT_CHUNK_ROWS = env_int("EXPORT_CHUNK_ROWS", 2000)

# --- Roster and attendance imports (staff/imports/limits.py) -------------------------------------
# Checked before any row is parsed; an XLSX is a zip, so its table of contents is checked as well.
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 32 * 1024 * 1024)
IMPORT_MAX_ZIP_ENTRIES = env_int("IMPORT_MAX_ZIP_ENTRIES", 200)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 60)
# A confirmed roster of more rows than this is imported by a background job HR watches; 0 = always.
IMPORT_BACKGROUND_THRESHOLD_ROWS = env_int("IMPORT_BACKGROUND_THRESHOLD_ROWS", 2000)
# --- end of import limits ---------------------------------------------------------------------------

# --- Running on several hosts (training_site/ops, issue 13; docs/deploy.md) --------------------------------
# Request bodies larger than this are refused (413) from their Content-Length, before a worker reads them;
# the largest legitimate body is an import upload (IMPORT_MAX_FILE_BYTES) with its form around it.
UPLOAD_MAX_BODY_BYTES = env_int("UPLOAD_MAX_BODY_BYTES", IMPORT_MAX_FILE_BYTES + 1024 * 1024)
# The "busy" answer's Retry-After (seconds).
BUSY_RETRY_AFTER_SECONDS = env_int("BUSY_RETRY_AFTER_SECONDS", 5)
# A PDF taking longer than this to render is abandoned with an error; it must stay below gunicorn's timeout
# (gunicorn.conf.py), or gunicorn kills the worker first and the user gets nothing.
PDF_RENDER_TIMEOUT_SECONDS = env_int("PDF_RENDER_TIMEOUT_SECONDS", 45)
# Background workers (training_site/ops/workers.py): each renews its heartbeat this often; a task whose
# worker has not beaten for TASK_LEASE_SECONDS is queued again, at most TASK_MAX_ATTEMPTS runs in all.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 60)
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3)
if TASK_LEASE_SECONDS < 3 * WORKER_HEARTBEAT_SECONDS:
    # A lease of fewer beats takes a worker that missed one or two (a slow database) for dead.
    raise ImproperlyConfigured("TASK_LEASE_SECONDS must be at least 3 × WORKER_HEARTBEAT_SECONDS, got "
                               f"{TASK_LEASE_SECONDS} and {WORKER_HEARTBEAT_SECONDS}")
# /readyz (training_site/ops/health.py) reports the worker heartbeat's and the oldest queued task's age, and
# flags them past these.
READYZ_MAX_HEARTBEAT_AGE_SECONDS = env_int("READYZ_MAX_HEARTBEAT_AGE_SECONDS", 120)
READYZ_MAX_QUEUE_AGE_SECONDS = env_int("READYZ_MAX_QUEUE_AGE_SECONDS", 600)
# The name this host goes by in the scheduler's claims and the workers' heartbeats (default: the host name).
OPS_HOST_NAME = env_str("OPS_HOST_NAME", "")
# Sign-in throttling (before axes' per-account lockout): at most this many sign-in attempts per address a
# minute, counted in the shared cache (Redis in production). 0 turns it off.
LOGIN_THROTTLE_PER_MINUTE = env_int("LOGIN_THROTTLE_PER_MINUTE", 30)
