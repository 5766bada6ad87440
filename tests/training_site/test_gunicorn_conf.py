"""gunicorn.conf.py: each worker freezes what it loaded and collects less often (measured in
tests/bench/city: the collector was 15–20 ms of an admin list page); the address, workers, timeouts and
access log come from the environment, and a gunicorn timeout not above the PDF limit refuses to start."""

from __future__ import annotations

import datetime as dt
import gc
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config  # type: ignore[import-untyped]
from gunicorn.glogging import Logger  # type: ignore[import-untyped]

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_gunicorn_reads_the_hook_from_the_checkout():
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    assert config.post_worker_init.__module__ == "<run_path>"


def test_a_worker_freezes_what_it_loaded_and_raises_the_threshold():
    hook = runpy.run_path(str(CONF))["post_worker_init"]
    before = gc.get_threshold()
    try:
        hook(None)
        assert gc.get_freeze_count() > 10_000  # the test process's Django, models and modules
        assert gc.get_threshold()[0] >= 10_000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


# --- Binding, workers, timeouts and the access log, from the environment (issue 13) ----------------------

GUNICORN_ENV = ("GUNICORN_BIND", "PORT", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "PDF_RENDER_TIMEOUT_SECONDS",
                "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_KEEPALIVE", "GUNICORN_MAX_REQUESTS",
                "GUNICORN_MAX_REQUESTS_JITTER", "GUNICORN_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS",
                "GUNICORN_ACCESS_LOG")


@pytest.fixture
def conf(monkeypatch):
    """The configuration file as gunicorn reads it, under the environment the test sets."""
    for name in GUNICORN_ENV:
        monkeypatch.delenv(name, raising=False)

    def load(**env: str) -> Config:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        config = Config()
        for name, value in runpy.run_path(str(CONF)).items():
            if name in config.settings:
                config.set(name, value)
        return config

    return load


def test_by_default_it_listens_on_the_loopback_with_workers_from_the_cores(conf):
    config = conf()

    assert config.bind == ["127.0.0.1:8000"]
    assert config.workers == runpy.run_path(str(CONF))["default_workers"](len(os.sched_getaffinity(0)))


def test_workers_are_twice_the_cores_plus_one_and_capped():
    default_workers = runpy.run_path(str(CONF))["default_workers"]

    assert [default_workers(cores) for cores in (1, 2, 4)] == [3, 5, 9]
    assert default_workers(64) == 12


def test_the_environment_sets_the_address_and_the_workers(conf):
    assert conf(PORT="5000").bind == ["0.0.0.0:5000"]
    config = conf(GUNICORN_BIND="10.0.0.5:8000, unix:/run/app.sock", WEB_CONCURRENCY="3")
    assert config.bind == ["10.0.0.5:8000", "unix:/run/app.sock"]  # GUNICORN_BIND wins over PORT
    assert config.workers == 3


def test_the_timeout_is_above_the_pdf_limit_with_a_margin(conf, settings):
    config = conf()

    assert config.timeout == 60
    assert config.timeout >= settings.PDF_RENDER_TIMEOUT_SECONDS + runpy.run_path(str(CONF))["TIMEOUT_MARGIN_SECONDS"]
    assert config.graceful_timeout == config.timeout  # a request in progress at a restart may finish
    assert config.keepalive > 10  # above HAProxy's "timeout http-keep-alive" of 10 s (docs/deploy.md)
    assert config.max_requests == 0, "workers are not recycled unless asked for (GUNICORN_MAX_REQUESTS)"
    assert config.limit_request_line == 8190 and config.limit_request_fields == 100


@pytest.mark.parametrize("env", [{"GUNICORN_TIMEOUT": "50"}, {"PDF_RENDER_TIMEOUT_SECONDS": "55"}],
                         ids=["timeout_too_short", "pdf_limit_too_long"])
def test_a_timeout_not_above_the_pdf_limit_refuses_to_load(conf, env):
    with pytest.raises(RuntimeError, match="PDF_RENDER_TIMEOUT_SECONDS"):
        conf(**env)


def test_a_worker_checks_the_timeout_against_the_settings_it_loaded(settings):
    # A --timeout on the command line overrides the file: the worker, with Django loaded, checks again.
    hook = runpy.run_path(str(CONF))["post_worker_init"]
    settings.PDF_RENDER_TIMEOUT_SECONDS = 45

    with pytest.raises(RuntimeError, match="PDF_RENDER_TIMEOUT_SECONDS=45"):
        hook(SimpleNamespace(cfg=SimpleNamespace(timeout=30)))


def test_gunicorn_itself_refuses_to_start_with_a_timeout_below_the_pdf_limit():
    env = {**os.environ, "GUNICORN_TIMEOUT": "30"}
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--check-config", "training_site.wsgi"],
                            cwd=CONF.parent, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode != 0
    assert "GUNICORN_TIMEOUT=30 s must be at least PDF_RENDER_TIMEOUT_SECONDS" in result.stdout + result.stderr


def test_proxies_allowed_to_forward_come_from_the_environment(conf):
    assert conf().forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert conf(FORWARDED_ALLOW_IPS="10.0.0.2,10.0.0.3").forwarded_allow_ips == ["10.0.0.2", "10.0.0.3"]


def test_the_access_log_goes_to_stdout_with_the_request_id(conf, capsys):
    config = conf()
    assert config.accesslog == "-"
    logger = Logger(config)
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("X-Request-ID", "4f1c0d2e-rid")])
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", "203.0.113.7")])
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/khoa-hoc/", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "10.0.0.2"}

    logger.access(response, request, environ, dt.timedelta(milliseconds=37))

    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "request_id=4f1c0d2e-rid" in line
    assert '"GET /khoa-hoc/ HTTP/1.1" 200 512 37ms' in line and '"203.0.113.7"' in line
