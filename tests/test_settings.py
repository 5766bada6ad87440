"""Settings: production refuses to start without real secrets, and passes the deploy checklist with them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_SECRET = "k8#Qz!v2Lr@9pW$e4Tn&6Yb^1Mx*3Hc(7Gd)5Fs_0Ja+Ku=Ro-Ni~Sl"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG",
                                                          "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    clean.update(DJANGO_SETTINGS_MODULE="training_site.settings.production", **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True,
                          text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret():
    result = manage("check", ALLOWED_HOSTS="dao-tao.example.invalid")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_hosts():
    result = manage("check", SECRET_KEY=STRONG_SECRET)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deploy_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=STRONG_SECRET,
                    ALLOWED_HOSTS="dao-tao.example.invalid")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("value", ["ture", "2"])
def test_a_misspelt_boolean_fails_loudly(value, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from training_site.settings.env import env_bool

    monkeypatch.setenv("SOME_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def task_backend(settings_module: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "TASKS_BACKEND"}}
    clean.update(DJANGO_SETTINGS_MODULE=settings_module, SECRET_KEY=STRONG_SECRET,
                 ALLOWED_HOSTS="dao-tao.example.invalid", **env)
    code = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=60)


def test_production_queues_tasks_in_the_database_for_db_worker():
    result = task_backend("training_site.settings.production")
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend", result.stderr


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "django_tasks.backends.immediate.ImmediateBackend"),  # make run shows mail without a worker
    ({"TASKS_BACKEND": "database"}, "django_tasks_db.DatabaseBackend"),
])
def test_dev_runs_tasks_in_process_unless_asked_for_the_queue(env, expected):
    result = task_backend("training_site.settings.dev", **env)
    assert result.stdout.strip() == expected, result.stderr


def test_a_misspelt_task_backend_fails_loudly():
    result = task_backend("training_site.settings.production", TASKS_BACKEND="databse")
    assert result.returncode != 0
    assert "TASKS_BACKEND" in result.stderr


def test_tests_run_tasks_in_process(settings):
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert "django_tasks_db" in settings.INSTALLED_APPS


def production_shell(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"}}
    clean.update(DJANGO_SETTINGS_MODULE="training_site.settings.production", SECRET_KEY=STRONG_SECRET,
                 ALLOWED_HOSTS="dao-tao.example.invalid", **env)
    return subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_production_with_redis_keeps_cache_sessions_and_the_sign_in_throttle_there():
    """The issue's first finding: REDIS_URL set and no client installed, every cache access failed."""
    code = (
        "from django.conf import settings; from django.core.cache import cache\n"
        "from importlib import import_module\n"
        "from staff.auth.throttle import sign_in_attempt_allowed\n"
        "cache.set('settings-test', 'Nguyễn'); print(cache.get('settings-test'))\n"
        "from django.core.cache import caches; print(type(caches['default']).__name__, settings.SESSION_ENGINE)\n"
        "store = import_module(settings.SESSION_ENGINE).SessionStore(); print(store.__class__.__module__)\n"
        "print(sign_in_attempt_allowed('192.0.2.77'))\n"
        "cache.delete('settings-test')\n"
    )
    result = production_shell(code, REDIS_URL="redis://127.0.0.1:6379/9")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert lines[0] == "Nguyễn"
    assert lines[1] == "RedisCache django.contrib.sessions.backends.cached_db"
    assert lines[2] == "django.contrib.sessions.backends.cached_db"
    assert lines[3] == "True"


def test_production_without_redis_uses_database_sessions():
    result = production_shell("from django.conf import settings; print(settings.SESSION_ENGINE)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.contrib.sessions.backends.db"
