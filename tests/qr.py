"""Read QR codes out of a PDF as a phone would, with zxing-cpp (a test-only dependency)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image
from pypdf import PdfReader


def _decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image.convert("L"))]


def qr_urls_in_pdf(pdf: bytes) -> list[str]:
    """Every QR code's text in the PDF: first from the embedded images, else from the rendered pages."""
    found: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for embedded in page.images:
            found += _decode(embedded.image)
    if found or shutil.which("pdftoppm") is None:
        return found
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(source), str(Path(folder) / "page")], check=True)
        for png in sorted(Path(folder).glob("page*.png")):
            found += _decode(Image.open(png))
    return found
