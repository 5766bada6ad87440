"""Local development: DEBUG on, mail to the console, a throwaway secret."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "") or "dev-only-not-a-secret-3b9f0c1e"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
ALLOWED_HOSTS = ALLOWED_HOSTS + ["[::1]", "0.0.0.0"]  # noqa: F405
