"""Where uploaded and generated files live: the local folder by default, an S3-compatible store by environment.

base.py reads DEFAULT_FILE_STORAGE_BACKEND from here (the "default" entry of STORAGES). Every file of ours
(exports, certificate batches, roster uploads, Wagtail's images and documents) goes through Django's storage
API, so several app servers and workers share one store when FILE_STORAGE=s3 (DESIGN.md section 4).

FILE_STORAGE=local (the default): FileSystemStorage at MEDIA_ROOT, for one machine and for development.
FILE_STORAGE=s3: django-storages' S3Storage, for AWS, MinIO, Ceph or a cloud's S3, configured by
  S3_BUCKET (required), S3_ENDPOINT_URL (empty for AWS itself), S3_REGION, S3_ACCESS_KEY_ID,
  S3_SECRET_ACCESS_KEY (both empty: boto3's own chain, e.g. an instance role), S3_PREFIX (a folder inside
  the bucket), S3_URL_EXPIRY_SECONDS (how long a link to a file works, 600), S3_DEFAULT_ACL ("private";
  empty for a store that refuses ACLs, whose bucket must then be private) and S3_ADDRESSING_STYLE ("path"
  for a MinIO reached by address, "virtual", or empty for boto3's choice).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

FILE_STORAGE_CHOICES = ("local", "s3")
# Files are personal data (certificates, exports of officials' records): a link to one is signed and lives
# ten minutes, long enough for a page to load its images (the public page cache keeps a page 5 s; the
# sidebar's avatar 300 s), short enough that a copied link soon stops working.
DEFAULT_URL_EXPIRY_SECONDS = 600


def _text(environ: Mapping[str, str], name: str, default: str = "") -> str:
    return environ.get(name, default).strip()


def _whole_number(environ: Mapping[str, str], name: str, default: int) -> int:
    value = _text(environ, name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds, got {value!r}") from exc
    if number <= 0:
        raise ImproperlyConfigured(f"{name} must be above 0, got {number}")
    return number


def file_storage_kind(environ: Mapping[str, str]) -> str:
    kind = _text(environ, "FILE_STORAGE", "local").lower() or "local"
    if kind not in FILE_STORAGE_CHOICES:
        raise ImproperlyConfigured(f"FILE_STORAGE must be one of {', '.join(FILE_STORAGE_CHOICES)}, got {kind!r}")
    return kind


def file_storage_backend(environ: Mapping[str, str]) -> dict[str, Any]:
    """The STORAGES["default"] entry that the environment asks for; ImproperlyConfigured on a bad one."""
    if file_storage_kind(environ) == "local":
        # No OPTIONS: FileSystemStorage reads MEDIA_ROOT and MEDIA_URL from the settings.
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = _text(environ, "S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET (the bucket that holds the files)")
    addressing_style = _text(environ, "S3_ADDRESSING_STYLE").lower()
    if addressing_style not in ("", "path", "virtual", "auto"):
        raise ImproperlyConfigured(f"S3_ADDRESSING_STYLE must be path, virtual or auto, got {addressing_style!r}")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": _text(environ, "S3_ENDPOINT_URL") or None,
        "region_name": _text(environ, "S3_REGION") or None,
        # Empty keys fall back on boto3's own chain (environment, instance role) rather than on "".
        "access_key": _text(environ, "S3_ACCESS_KEY_ID") or None,
        "secret_key": _text(environ, "S3_SECRET_ACCESS_KEY") or None,
        "location": _text(environ, "S3_PREFIX").strip("/"),
        "default_acl": _text(environ, "S3_DEFAULT_ACL", "private") or None,
        # Every link to a file is signed and expires; nothing in the bucket is readable by its bare address.
        "querystring_auth": True,
        "querystring_expire": _whole_number(environ, "S3_URL_EXPIRY_SECONDS", DEFAULT_URL_EXPIRY_SECONDS),
        # Like FileSystemStorage: a second file of the same name gets a new name instead of replacing the first.
        "file_overwrite": False,
        # Version 4 signatures: the only kind MinIO, Ceph and the newer AWS regions all accept.
        "signature_version": "s3v4",
    }
    if addressing_style:
        options["addressing_style"] = addressing_style
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def file_storage_origins(environ: Mapping[str, str]) -> list[str]:
    """The origins a browser loads files from besides our own (for the Content-Security-Policy's img-src).

    Wagtail's images on public pages and in the admin are links into the store when FILE_STORAGE=s3."""
    if file_storage_kind(environ) != "s3":
        return []
    endpoint = _text(environ, "S3_ENDPOINT_URL")
    bucket = _text(environ, "S3_BUCKET")
    if endpoint:
        parts = urlsplit(endpoint)
        origins = [f"{parts.scheme}://{parts.netloc}"]
        if _text(environ, "S3_ADDRESSING_STYLE").lower() == "virtual":
            origins.append(f"{parts.scheme}://{bucket}.{parts.netloc}")
        return origins
    region = _text(environ, "S3_REGION")
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins


FILE_STORAGE = file_storage_kind(os.environ)
DEFAULT_FILE_STORAGE_BACKEND: dict[str, Any] = file_storage_backend(os.environ)
FILE_STORAGE_ORIGINS: list[str] = file_storage_origins(os.environ)
