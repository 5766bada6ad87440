"""The benchmark's settings: production's, plus the floor view's URL (tests/bench/city/urls.py).

Everything else comes from the environment exactly as in production (SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, REDIS_URL); the runner sets them (tests/bench/city/run.py).
"""

import os

from training_site.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.bench.city.urls"

# The collected static files (with whitenoise's manifest, which production's storage needs) live beside the
# benchmark's output, collected once by run.py, so that the checkout's own staticfiles/ is never touched.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(BASE_DIR / "test-artifacts" / "bench-static"))  # noqa: F405
