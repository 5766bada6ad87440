"""staff's Wagtail admin, one module per subject, plus base.py (the scoped viewsets everything is built
on), urls.py (every admin URL of ours) and menu.py (every menu entry). Importing the package registers
all of it (``staff/wagtail_hooks.py`` does, as Wagtail asks)."""

from staff.admin import assets, menu, replication, urls  # noqa: F401  (their hooks register on import)
