"""Local development: DEBUG on, mail to the console, tasks in-process, a throwaway secret."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "") or "dev-only-not-a-secret-3b9f0c1e"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
ALLOWED_HOSTS = ALLOWED_HOSTS + ["[::1]", "0.0.0.0"]  # noqa: F405
# `make run` starts no worker: mail is sent in-process and shows on the console at once.
# TASKS_BACKEND=database queues it instead, for trying `make worker` (manage.py db_worker).
TASKS = task_settings(env_str("TASKS_BACKEND", "immediate"))  # noqa: F405
