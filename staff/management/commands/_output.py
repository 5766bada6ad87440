"""Helpers shared by the commands that write files (a leading underscore: Django lists no command here)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import CommandError


def output_path(value: str) -> Path:
    """The file to write; its folder must exist (we create no folders on someone's behalf)."""
    target = Path(value).expanduser()
    if target.is_dir():
        raise CommandError(f"--output {value} is a directory; give a file name such as lop-hoc.pdf.")
    if not target.parent.is_dir():
        raise CommandError(f"The folder {target.parent} does not exist.")
    return target


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file next to ``target``, then rename it into place.

    The rename is atomic on one filesystem, so a crash or an error mid-way never leaves a half-written
    file under the final name, and a reader never sees one.
    """
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
