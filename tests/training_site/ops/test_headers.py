"""Every answer carries the Content-Security-Policy and the Permissions-Policy; public pages are strict, the
Wagtail admin gets only the inline scripts and styles Wagtail itself needs; and no template of ours has an
inline script, event handler, javascript: link or style, so the public policy never has to give way.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from tests import factories
from training_site.ops.permissions_policy import ContentSecurityPolicyMiddleware, permissions_policy_header
from training_site.settings import headers

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "templates"
# Never shown by a browser under our policy: PDF layouts (read by the PDF renderer) and e-mails (read by mail
# clients, where a style attribute is the only styling that works).
NOT_SERVED = ("pdf", "emails")

PUBLIC_STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {name: value for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}


@pytest.mark.django_db
def test_a_public_page_is_under_the_strict_policy_and_the_permissions_policy(client, training_centre):
    course = factories.course(title="Kỹ năng số cho cán bộ cấp xã", organizer=training_centre)

    for response in (client.get("/khoa-hoc/"), client.get(course.url), client.get("/dang-nhap/")):
        assert response.status_code == 200
        found = directives(response)
        assert {name: found.get(name) for name in PUBLIC_STRICT} == PUBLIC_STRICT
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "unsafe-eval" not in response["Content-Security-Policy"]
        features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()"


@pytest.mark.django_db
def test_an_admin_page_allows_inline_scripts_and_styles_and_nothing_else_more(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/admin/")

    assert response.status_code == 200
    found = directives(response)
    assert found["script-src"] == "'self' 'unsafe-inline'"
    assert found["style-src"] == "'self' 'unsafe-inline'"
    relaxed = {"script-src", "style-src"}
    assert {name: found[name] for name in PUBLIC_STRICT if name not in relaxed} == {
        name: value for name, value in PUBLIC_STRICT.items() if name not in relaxed}
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_a_static_file_and_a_not_found_page_carry_the_policies_too(client):
    for response in (client.get("/static/css/site.css"), client.get("/khong-co-trang-nay/")):
        assert directives(response)["default-src"] == "'self'"
        assert "camera=()" in response["Permissions-Policy"]


def _answer(request_path: str, **headers_of_the_view: str) -> HttpResponse:
    def view(request):
        response = HttpResponse("ok")
        for name, value in headers_of_the_view.items():
            response[name.replace("_", "-")] = value
        return response

    return ContentSecurityPolicyMiddleware(view)(RequestFactory().get(request_path))


def test_only_a_view_framable_by_our_own_pages_may_be_framed_and_then_only_by_them():
    assert directives(_answer("/khoa-hoc/"))["frame-ancestors"] == "'none'"
    # Wagtail's preview answers X-Frame-Options: SAMEORIGIN so that the page editor can frame it.
    assert directives(_answer("/admin/pages/3/edit/preview/", X_Frame_Options="SAMEORIGIN"))[
        "frame-ancestors"] == "'self'"
    assert directives(_answer("/khoa-hoc/", X_Frame_Options="DENY"))["frame-ancestors"] == "'none'"


def test_a_preview_that_already_carries_the_public_policy_gets_its_own():
    # Wagtail runs the preview's made-up request for the page's address through the middleware first.
    public = directives(_answer("/khoa-hoc/"))
    assert public["frame-ancestors"] == "'none'"
    policy = "; ".join(f"{name} {value}" for name, value in public.items())

    preview = directives(_answer("/admin/pages/3/edit/preview/", X_Frame_Options="SAMEORIGIN",
                                 Content_Security_Policy=policy))

    assert preview["frame-ancestors"] == "'self'"
    assert preview["default-src"] == "'self'" and preview["object-src"] == "'none'"


def test_the_admin_relaxation_stops_at_the_admin():
    assert directives(_answer("/administration-lookalike/"))["script-src"] == "'self'"
    assert directives(_answer("/admin/reports/"))["script-src"] == "'self' 'unsafe-inline'"


def test_the_permissions_policy_header_switches_features_off_or_to_our_origin():
    assert permissions_policy_header({"camera": [], "geolocation": ["self"]}) == "camera=(), geolocation=(self)"


@pytest.fixture
def reload_headers(monkeypatch) -> Iterator[pytest.MonkeyPatch]:
    """The headers settings module read again under the test's environment, and as it was afterwards."""
    yield monkeypatch
    monkeypatch.undo()
    importlib.reload(headers)


def test_with_single_sign_on_forms_may_lead_to_the_city_portal(reload_headers):
    reload_headers.setenv("OIDC_RP_CLIENT_ID", "training")
    reload_headers.setenv("OIDC_OP_AUTHORIZATION_ENDPOINT", "https://sso.city.example/auth/realms/cbcc/authorize")

    reloaded = importlib.reload(headers)

    assert reloaded.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] == ["'self'", "https://sso.city.example"]


def test_without_single_sign_on_forms_go_only_to_us(reload_headers):
    reload_headers.delenv("OIDC_RP_CLIENT_ID", raising=False)
    reload_headers.setenv("OIDC_OP_AUTHORIZATION_ENDPOINT", "https://sso.city.example/authorize")

    assert importlib.reload(headers).CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] == ["'self'"]


def test_with_files_in_s3_images_may_come_from_the_store(reload_headers):
    from training_site.settings import storage

    reload_headers.setenv("FILE_STORAGE", "s3")
    reload_headers.setenv("S3_BUCKET", "city-files")
    reload_headers.setenv("S3_ENDPOINT_URL", "https://files.city.example")
    importlib.reload(storage)
    try:
        img_src = importlib.reload(headers).CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    finally:
        reload_headers.undo()
        importlib.reload(storage)
    assert img_src == ["'self'", "data:", "https://files.city.example"]


# What the policy refuses, as it would appear in a template's source.
INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=[\"']application/(?:ld\+)?json)[^>]*>", re.I),
    "event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S),
    "javascript: link": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S),
    "style element": re.compile(r"<style\b", re.I),
}


def inline_code(text: str) -> list[str]:
    """What in a template's text the policy would refuse, by kind."""
    return [kind for kind, pattern in INLINE.items() if pattern.search(text)]


@pytest.mark.parametrize("snippet, kind", [
    ("<script>alert(1)</script>", "inline script"),
    ('<script type="module">import "x";</script>', "inline script"),
    ('<button type="button" onclick="send()">', "event handler"),
    ('<select name="u"\n  onchange="this.form.submit()">', "event handler"),
    ('<a href="javascript:history.back()">', "javascript: link"),
    ('<p class="code" style="font-size:2rem">', "style attribute"),
    ("<style>.x { color: red }</style>", "style element"),
])
def test_the_scan_finds_each_kind_of_inline_code(snippet, kind):
    assert inline_code(snippet) == [kind]


def test_the_scan_lets_external_scripts_data_and_classes_through():
    assert inline_code('<script src="{% static \'js/progress.js\' %}" defer></script>') == []
    assert inline_code('<script type="application/json" id="x">{"a": 1}</script>') == []
    assert inline_code('<p class="muted" data-onclick="x" data-style="y">Mở lớp online</p>') == []


def test_no_template_of_ours_has_inline_code_the_policy_would_refuse():
    offenders = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES)
        if relative.parts[0] in NOT_SERVED:
            continue
        # A template comment ({# #} or {% comment %}) may mention what is forbidden without doing it.
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", path.read_text(encoding="utf-8"),
                      flags=re.S)
        if found := inline_code(text):
            offenders[str(relative)] = found
    assert offenders == {}
    assert len(list(TEMPLATES.rglob("*.html"))) > 50  # the scan really read the templates


def test_our_scripts_build_no_code_from_text():
    for path in sorted((ROOT / "static" / "js").rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\beval\(|new Function\(|setAttribute\(\s*[\"'](?:on|style)|javascript:", text), path


def test_no_html_written_in_our_python_has_inline_code_either():
    offenders = {}
    for package in ("staff", "courses"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            if found := inline_code(path.read_text(encoding="utf-8")):
                offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}
