"""The PDF renderer: Vietnamese text survives intact in our embedded font, and a document reads nothing
but the project's own static files, whatever its markup or its user text asks for."""

from __future__ import annotations

import http.server
import io
import logging
import pathlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from django.template import engines
from xhtml2pdf import files as xhtml2pdf_files
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import PERMISSIVE_POLICY

from staff.pdf.render import PdfRenderError, render_pdf, render_pdf_from_html, static_dir
from tests.pdf_text import pdftotext, pypdf_text

NAME = "Nguyễn Thị Hồng Hải"
TITLE = "Kỹ năng số cho cán bộ, công chức cấp xã – Đất đai"
PASSWD_MARKER = "root:x:0:0"


def hostile_markup(server_url: str) -> str:
    return (
        '<img src="/etc/passwd">'
        '<img src="file:///etc/hosts">'
        '<img src="../../../../../../etc/passwd">'
        '<img src="http://127.0.0.1:9/x.png">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        f'<img src="{server_url}/x.png">'
        f'<link rel="stylesheet" href="{server_url}/x.css">'
    )


def fonts_drawing_text(pdf: bytes) -> set[str]:
    """The base fonts of every run of visible text, as the content stream selects them."""
    used: set[str] = set()

    def visit(text: str, _cm: object, _tm: object, font: dict | None, _size: object) -> None:
        if text.strip():
            used.add(str(font["/BaseFont"]) if font else "<no font>")

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return used


def page_fonts(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def sample_pdf() -> bytes:
    return render_pdf("sample.html", {"name": NAME, "title": TITLE})


@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets; any request at all is a fetch we forbid."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fetch_spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Record the lowest-level reads xhtml2pdf.files makes: open(), Path.read_bytes() and HTTP requests."""
    calls: dict[str, list[str]] = {"open": [], "read_bytes": [], "http": [], "connect": []}

    real_open = open

    def spy_open(file, *args, **kwargs):
        calls["open"].append(str(file))
        return real_open(file, *args, **kwargs)

    real_read_bytes = pathlib.Path.read_bytes

    def spy_read_bytes(self: pathlib.Path) -> bytes:
        calls["read_bytes"].append(str(self))
        return real_read_bytes(self)

    real_request = xhtml2pdf_files.NetworkFileUri._request

    def spy_request(self, uri: str):
        calls["http"].append(uri)
        return real_request(self, uri)

    real_connect = xhtml2pdf_files.httplib.HTTPConnection.connect

    def spy_connect(self) -> None:
        calls["connect"].append(f"{self.host}:{self.port}")
        return real_connect(self)

    # files.py calls the builtin open by its global name, so a module attribute shadows it for that module only.
    monkeypatch.setattr(xhtml2pdf_files, "open", spy_open, raising=False)
    monkeypatch.setattr(pathlib.Path, "read_bytes", spy_read_bytes)
    monkeypatch.setattr(xhtml2pdf_files.NetworkFileUri, "_request", spy_request)
    # HTTPSConnection.connect calls up to this one, so both schemes are seen.
    monkeypatch.setattr(xhtml2pdf_files.httplib.HTTPConnection, "connect", spy_connect)
    return calls


def assert_nothing_fetched(pdf: bytes, calls: dict[str, list[str]], requests: list[str]) -> None:
    static = static_dir().resolve()
    local_reads = [Path(p).resolve() for p in calls["open"] + calls["read_bytes"]]
    outside = [p for p in local_reads if not p.is_relative_to(static)]
    assert outside == [], f"read outside static/: {outside}"
    assert calls["http"] == []
    assert calls["connect"] == []
    assert requests == []
    assert PASSWD_MARKER not in pypdf_text(pdf)
    assert PASSWD_MARKER.encode() not in pdf
    # The spy is wired: the fonts themselves were read through it.
    assert any(p.name == "DejaVuSans.ttf" for p in local_reads)


def test_a_sample_render_is_one_call_returning_pdf_bytes():
    pdf = render_pdf("sample.html", {"name": NAME, "title": TITLE})

    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF-")


def test_the_template_may_be_named_with_its_folder():
    assert render_pdf("pdf/sample.html", {"name": NAME, "title": TITLE}).startswith(b"%PDF-")


def test_vietnamese_name_and_title_keep_every_diacritic_with_pypdf(sample_pdf):
    text = pypdf_text(sample_pdf)

    assert NAME in text
    assert TITLE in text


def test_vietnamese_name_and_title_keep_every_diacritic_with_pdftotext(sample_pdf, tmp_path):
    text = pdftotext(sample_pdf, tmp_path)

    assert NAME in text
    assert TITLE in text


def test_rendering_logs_no_font_or_glyph_warning(caplog):
    caplog.set_level(logging.DEBUG, logger="xhtml2pdf")
    caplog.set_level(logging.DEBUG, logger="reportlab")

    render_pdf("sample.html", {"name": NAME, "title": TITLE})

    records = [r for r in caplog.records if r.name.startswith(("xhtml2pdf", "reportlab"))]
    # Capture works: the two @font-face sources are announced at DEBUG ("Load font ...").
    assert sum("Load font" in r.getMessage() for r in records) == 2
    suspicious = [
        r.getMessage()
        for r in records
        if r.levelno >= logging.WARNING
        or any(
            word in r.getMessage().lower()
            for word in ("glyph", "not found", "could not", "missing", "helvetica", "blocked", "font famil")
        )
    ]
    assert suspicious == []


def test_the_pdf_embeds_dejavu_and_draws_no_text_in_helvetica(sample_pdf):
    # Embedded subsets are named "/ABCDEF+DejaVuSans"; the prefix changes from build to build.
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= {name.lstrip("/").split("+", 1)[-1] for name in page_fonts(sample_pdf)}
    drawing = fonts_drawing_text(sample_pdf)
    assert drawing, "no text found in the PDF"
    # ReportLab selects Helvetica once when a page starts, before any text; that is not drawing with it.
    assert all("DejaVuSans" in name for name in drawing), drawing


def test_hostile_user_text_is_escaped_and_fetches_nothing(fetch_spy, counting_server):
    server_url, requests = counting_server

    pdf = render_pdf("sample.html", {"name": hostile_markup(server_url), "title": TITLE})

    assert_nothing_fetched(pdf, fetch_spy, requests)
    # Autoescaped: the tags come out as text, not as elements.
    assert '<img src="/etc/passwd">' in pypdf_text(pdf).replace("\n", "")


def test_hostile_tags_in_template_markup_fetch_nothing(fetch_spy, counting_server, tmp_path):
    server_url, requests = counting_server
    template_file = tmp_path / "hostile.html"
    template_file.write_text(
        '{% extends "pdf/base.html" %}{% block content %}<h1>{{ name }}</h1>'
        + hostile_markup(server_url)
        + "{% endblock %}",
        encoding="utf-8",
    )
    html = engines["django"].from_string(template_file.read_text(encoding="utf-8")).render({"name": NAME})

    pdf = render_pdf_from_html(html)

    assert_nothing_fetched(pdf, fetch_spy, requests)
    assert NAME in pypdf_text(pdf)


def test_the_counting_server_and_spies_do_see_a_fetch_when_no_policy_stops_it(fetch_spy, counting_server):
    """Control for the two tests above: without our policy the same markup reaches the server."""
    server_url, requests = counting_server

    pisa.CreatePDF(f'<img src="{server_url}/x.png">', dest=io.BytesIO(), resource_policy=PERMISSIVE_POLICY)

    assert requests
    assert fetch_spy["http"]
    assert fetch_spy["connect"]


def test_a_font_outside_the_allowed_roots_fails_the_render_instead_of_falling_back_to_helvetica():
    html = (
        "<html><head><style>"
        '@font-face { font-family: TrainingSans; src: url("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"); }'
        "body { font-family: TrainingSans; }"
        f"</style></head><body><p>{NAME}</p></body></html>"
    )

    with pytest.raises(PdfRenderError, match="font"):
        render_pdf_from_html(html)


def test_a_missing_shipped_font_fails_the_render():
    html = (
        "<html><head><style>"
        '@font-face { font-family: TrainingSans; src: url("fonts/NoSuchFont.ttf"); }'
        "body { font-family: TrainingSans; }"
        f"</style></head><body><p>{NAME}</p></body></html>"
    )

    with pytest.raises(PdfRenderError):
        render_pdf_from_html(html)


def test_the_shipped_fonts_and_their_licence_are_in_the_repository():
    fonts = static_dir() / "fonts"

    assert (fonts / "DejaVuSans.ttf").read_bytes()[:4] == b"\x00\x01\x00\x00"
    assert (fonts / "DejaVuSans-Bold.ttf").read_bytes()[:4] == b"\x00\x01\x00\x00"
    assert "bitstream-vera" in (fonts / "DejaVu-LICENSE.txt").read_text(encoding="utf-8")
