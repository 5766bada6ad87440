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

Why a time limit of our own. xhtml2pdf's server policy gives up after 60 s, which is gunicorn's timeout
too: gunicorn killed the worker first and the user got nothing (issue 13). A render now gets
``PDF_RENDER_TIMEOUT_SECONDS`` (45 s) from the moment ``render_pdf`` is called, the template's rendering
included, and gunicorn.conf.py refuses to start unless its timeout is above that with a margin. Past the
limit ``PdfRenderTimeoutError`` is raised, which training_site/ops/busy.py answers with a Vietnamese
"the document is taking too long, try again" (503), not a 500.

What the limit can and cannot do: xhtml2pdf cannot be cancelled from outside, so the limit is its own
cooperative deadline (``max_render_seconds``), checked before each HTML element is parsed and after each
flowable is placed on a page, in whatever thread renders (a web request, a db_worker task, a command).
One step that runs long by itself (a huge table cell laid out, a font subset, an image decoded; the
policy bounds the sizes of those) is not interrupted: the render stops at the next check, so it can run
past the limit by that step. We do not use ``signal.alarm`` as a hard stop: it works only in the main
thread and interrupts whatever runs, a database call included. Gunicorn's timeout remains the hard stop.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import RenderLimitError, ResourceAccessPolicy

__all__ = ["PdfRenderError", "PdfRenderTimeoutError", "fonts_dir", "render_pdf", "render_pdf_from_html",
           "resource_policy", "static_dir"]


# xhtml2pdf only warns when a @font-face cannot be read or a family is unknown, then draws in Helvetica.
# For us that is a broken document (Vietnamese comes out as boxes), so these warnings fail the render.
_FONT_WARNING_MARKERS = ("@font-face", "font families", "Cannot embed the font")


class PdfRenderError(Exception):
    """xhtml2pdf could not produce a complete PDF; never hand the caller a half-rendered document."""


class PdfRenderTimeoutError(PdfRenderError):
    """The render took longer than PDF_RENDER_TIMEOUT_SECONDS and was abandoned."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"PDF rendering abandoned after {seconds:g} s (PDF_RENDER_TIMEOUT_SECONDS)")
        self.seconds = seconds


def static_dir() -> Path:
    """The project's own static sources (not STATIC_ROOT): the one directory documents may read from."""
    return Path(settings.BASE_DIR) / "static"


def fonts_dir() -> Path:
    return static_dir() / "fonts"


def render_timeout_seconds() -> float:
    return float(settings.PDF_RENDER_TIMEOUT_SECONDS)


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
        max_render_seconds=render_timeout_seconds(),
    )


def render_pdf(template_name: str, context: Mapping[str, Any]) -> bytes:
    """Render ``templates/pdf/<template_name>`` with ``context`` (autoescaped as usual) and return the PDF.

    ``template_name`` may be given as ``"certificate.html"`` or ``"pdf/certificate.html"``.
    """
    if not template_name.startswith("pdf/"):
        template_name = f"pdf/{template_name}"
    started = time.monotonic()
    html = render_to_string(template_name, dict(context))
    return render_pdf_from_html(html, started=started)


def render_pdf_from_html(html: str, *, started: float | None = None) -> bytes:
    """Convert already-rendered HTML to PDF under the project's resource policy.

    Relative URLs in the HTML resolve against ``static/`` (``url("fonts/DejaVuSans.ttf")``). Raises
    ``PdfRenderError`` when xhtml2pdf reports an error, raises while converting, or could not embed a
    declared font; ``PdfRenderTimeoutError`` past PDF_RENDER_TIMEOUT_SECONDS, counted from ``started`` (a
    ``time.monotonic()``, when the caller began: the template's rendering counts), else from now.
    """
    limit = render_timeout_seconds()
    started = time.monotonic() if started is None else started
    left = limit - (time.monotonic() - started)
    if left <= 0:
        raise PdfRenderTimeoutError(limit)
    policy = dataclasses.replace(resource_policy(), max_render_seconds=left)
    dest = io.BytesIO()
    try:
        status = pisa.CreatePDF(
            html,
            dest=dest,
            # Names a document inside static/ so relative URLs resolve there; the file need not exist.
            path=str(static_dir() / "document.html"),
            encoding="utf-8",
            resource_policy=policy,
        )
    except RenderLimitError as exc:
        # The same error says "too deep" or "too large"; only the clock tells a timeout apart.
        if time.monotonic() - started >= limit:
            raise PdfRenderTimeoutError(limit) from exc
        raise PdfRenderError(f"PDF conversion failed: {exc}") from exc
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
