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
