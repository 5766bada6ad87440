"""The rehearsal's settings: production's, with the collected static files in the rehearsal's own folder.

Everything else comes from the environment exactly as in production (SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL, DATABASE_REPLICA_URL, REDIS_URL, TASKS_BACKEND); tests/cluster/run.py sets them.
"""

import os
from pathlib import Path

from training_site.settings.production import *  # noqa: F403

# Production's storage needs whitenoise's manifest: collected once by run.py into a folder of the run, so
# that the checkout's own staticfiles/ is never touched.
STATIC_ROOT = Path(os.environ.get("CLUSTER_STATIC_ROOT", BASE_DIR / "test-artifacts" / "cluster" / "static"))  # noqa: F405
