"""Reading PDFs back as their readers would: poppler's pdftotext (a tool nobody here wrote), else pypdf."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

PDFTOTEXT = "/usr/bin/pdftotext"


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext's text of the document; the test is skipped where poppler-utils is not installed."""
    if not Path(PDFTOTEXT).exists():
        pytest.skip(f"{PDFTOTEXT} is missing (apt-get install -y poppler-utils); the pypdf tests still check the text")
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True, timeout=30, text=True
    )
    return result.stdout


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext's text where it is installed, else pypdf's: for tests that must run everywhere."""
    return pdftotext(pdf, tmp_path) if shutil.which("pdftotext") else pypdf_text(pdf)
