"""The project's one PDF renderer: a Django template under ``templates/pdf/`` in, PDF bytes out.

Callers wrap the bytes (an ``HttpResponse``, a file saved through the storage API, an e-mail attachment);
nothing else in the project calls xhtml2pdf.

Why a resource policy. The HTML handed to xhtml2pdf decides what the renderer reads: ``<img src>``,
``<link href>``, ``@import``, ``@font-face`` and the ``<pdf:*>`` tags all reach the network and the
filesystem. Our documents carry user text (names, course titles) and will carry templates edited over
the years, so one careless ``|safe`` would otherwise let a document read ``/etc/passwd`` or the settings
into a certificate, or make the server fetch an internal URL (SSRF). xhtml2pdf's server policy confines
local reads to the directories named here and caps sizes, depth and time; we also turn remote fetches off
altogether, because a PDF of ours never needs anything that is not shipped with the project. The same
policy is why the fonts live in ``static/fonts/``: a system font outside the allowed roots is refused and
the text silently falls back to Helvetica, which has no Vietnamese glyphs.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

__all__ = ["PdfRenderError", "fonts_dir", "render_pdf", "render_pdf_from_html", "resource_policy", "static_dir"]


# xhtml2pdf only warns when a @font-face cannot be read or a family is unknown, then draws in Helvetica.
# For us that is a broken document (Vietnamese comes out as boxes), so these warnings fail the render.
_FONT_WARNING_MARKERS = ("@font-face", "font families", "Cannot embed the font")


class PdfRenderError(Exception):
    """xhtml2pdf could not produce a complete PDF; never hand the caller a half-rendered document."""


def static_dir() -> Path:
    """The project's own static sources (not STATIC_ROOT): the one directory documents may read from."""
    return Path(settings.BASE_DIR) / "static"


def fonts_dir() -> Path:
    return static_dir() / "fonts"


def resource_policy() -> ResourceAccessPolicy:
    """What a rendering document may read: the shipped static files, nothing on the network.

    ``server()`` switches every limit on (sizes, nesting depth, render time) and denies local reads outside
    the named roots; ``allow_remote=False`` refuses http(s) to every host, public ones included. The fonts
    directory is named on its own so that narrowing ``base_dir`` later cannot cut the fonts off silently.
    """
    return ResourceAccessPolicy.server(
        base_dir=static_dir(),
        extra_roots=(fonts_dir(),),
        allow_remote=False,
    )


def render_pdf(template_name: str, context: Mapping[str, Any]) -> bytes:
    """Render ``templates/pdf/<template_name>`` with ``context`` (autoescaped as usual) and return the PDF.

    ``template_name`` may be given as ``"certificate.html"`` or ``"pdf/certificate.html"``.
    """
    if not template_name.startswith("pdf/"):
        template_name = f"pdf/{template_name}"
    html = render_to_string(template_name, dict(context))
    return render_pdf_from_html(html)


def render_pdf_from_html(html: str) -> bytes:
    """Convert already-rendered HTML to PDF under the project's resource policy.

    Relative URLs in the HTML resolve against ``static/`` (``url("fonts/DejaVuSans.ttf")``). Raises
    ``PdfRenderError`` when xhtml2pdf reports an error, raises while converting, or could not embed a
    declared font.
    """
    dest = io.BytesIO()
    try:
        status = pisa.CreatePDF(
            html,
            dest=dest,
            # Names a document inside static/ so relative URLs resolve there; the file need not exist.
            path=str(static_dir() / "document.html"),
            encoding="utf-8",
            resource_policy=resource_policy(),
        )
    except Exception as exc:  # xhtml2pdf raises whatever its parser or ReportLab raised
        raise PdfRenderError(f"PDF conversion failed: {exc}") from exc

    # xhtml2pdf keeps the unformatted message; the fragment shows where in the document it arose.
    problems = [
        f"line {line}: {message} (near {fragment!r})"
        for mode, line, message, fragment in status.log
        if mode == "error" or (mode == "warning" and any(marker in message for marker in _FONT_WARNING_MARKERS))
    ]
    if status.err or problems:
        raise PdfRenderError("PDF conversion reported problems: " + "; ".join(problems or ["unknown error"]))

    data = dest.getvalue()
    if not data.startswith(b"%PDF-"):
        raise PdfRenderError("PDF conversion produced no PDF")
    return data
