"""``python -m tests.bench.city.data --scale S --database-url URL``."""

import sys

from . import main

sys.exit(main())
