"""gunicorn.conf.py: each worker freezes what it loaded and collects less often (measured in
tests/bench/city: the collector was 15–20 ms of an admin list page)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

from gunicorn.config import Config

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
