"""Settings shared by every environment. Safe by default: DEBUG is off unless asked for."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(filter(None, [
        _options.get("options", ""), f"-c random_page_cost={env_str('DB_RANDOM_PAGE_COST', '1.1')}"]))

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
# Behind the load balancer the client's address is the first of X-Forwarded-For (DESIGN.md, section 4).
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
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
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
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
