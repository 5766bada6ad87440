"""The screenshot set of the staff screens (docs/screenshots/), desktop and phone: `make screenshots`.

A throwaway SQLite database gets the demo data; a development server serves it; Playwright (Debian's
chromium) signs in as each staff persona with the demo's second factor and photographs every admin address
the persona's own sidebar offers, at 1280×800 and 390×844. The addresses are read from the sidebar itself
(Wagtail's ``wagtail-sidebar-props``), so a new menu entry is photographed without anyone listing it here.
Each address is shot once, by the first persona below who reaches it: the narrowest scope first, as most
HR officers see the platform. docs/screenshots/README.md lists the set.

Synthetic demo data only; nothing here reaches outside the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.processes import ROOT, free_port, running

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "demo-2026"
# (username, who they are) — narrowest scope first.
PERSONAS = (
    ("hr.khuongdinh", "HR officer of Phường Khương Đình"),
    ("tochuc", "Organizer (training centre)"),
    ("hr.thanhpho", "City HR (Sở Nội vụ)"),
    ("admin", "Administrator"),
)
SIZES = ((1280, 800, "desktop"), (390, 844, "phone"))
# Screens the sidebar does not list (an object's page, a step of a workflow), found in the demo data by the
# shell below: (persona, file name, path). Each persona's own screens, as they reach them from a list.
DETAIL_SCREENS = """
import datetime as dt, json
from django.urls import reverse
from django.utils import timezone
from courses.models import CatalogPage, CoursePage, CourseSession
from staff.models import Certificate, Official, Unit
today = timezone.localdate()
ward = Unit.objects.get(code="P-KHUONGDINH")
past = CourseSession.objects.filter(end_date__lt=today, enrollments__isnull=False).order_by("-end_date").first()
current = (CourseSession.objects.filter(start_date__lte=today, end_date__gte=today).order_by("start_date").first()
           or past)
future = CourseSession.objects.filter(start_date__gt=today).order_by("start_date").first()
checkin = CourseSession.objects.filter(self_checkin=True, start_date__lte=today, end_date__gte=today).first()
official = Official.objects.filter(unit=ward).order_by("pk")[0].pk
day = min(today, current.end_date).isoformat()
screens = [
    ("hr.khuongdinh", "official", reverse("officials:inspect", args=[official])),
    ("hr.khuongdinh", "official-edit", reverse("officials:edit", args=[official])),
    ("hr.khuongdinh", "invitations-new", reverse("staff_invitations_new")),
    ("hr.khuongdinh", "nominate-class", reverse("staff_nominate", args=[future.pk])),
    ("tochuc", "class-current", reverse("staff_class_participants", args=[current.pk])),
    ("tochuc", "class-current-attendance", reverse("staff_class_attendance", args=[current.pk, day])),
    ("tochuc", "class-closed", reverse("staff_class_participants", args=[past.pk])),
    ("tochuc", "class-closed-attendance",
     reverse("staff_class_attendance", args=[past.pk, past.start_date.isoformat()])),
    ("tochuc", "class-certificates-print", reverse("staff_class_certificates_print", args=[past.pk])),
    ("tochuc", "certificate", reverse("certificates:inspect", args=[Certificate.objects.order_by("pk")[0].pk])),
    ("admin", "page-editor", reverse("wagtailadmin_pages:edit", args=[CoursePage.objects.order_by("pk")[0].pk])),
    ("admin", "page-editor-new-course",
     reverse("wagtailadmin_pages:add", args=["courses", "coursepage", CatalogPage.objects.get().pk])),
]
if checkin:
    screens.append(("tochuc", "checkin-screen",
                    reverse("staff_class_checkin_screen", args=[checkin.pk, today.isoformat()])))
print(json.dumps(screens))
"""
SKIP = re.compile(r"/admin/(logout|login)/|/admin/.*\?")  # sign-out, and links that carry a query


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def admin_links(props: object) -> Iterator[str]:
    """Every admin address in the sidebar's packed props (menu items nest inside groups)."""
    if isinstance(props, str):
        if props.startswith("/admin/"):
            yield props
    elif isinstance(props, dict):
        for value in props.values():
            yield from admin_links(value)
    elif isinstance(props, list):
        for value in props:
            yield from admin_links(value)


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.removeprefix("/admin/").lower()).strip("-") or "dashboard"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.jpg"):
        old.unlink()

    with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "training_site.settings.dev",
               "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3", "TASKS_BACKEND": "immediate"}
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        details = json.loads(manage(env, "shell", "-c", DETAIL_SCREENS).strip().splitlines()[-1])
        port = free_port()
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        with running(command, log=Path(folder) / "server.log", env=env) as server:
            url = f"http://127.0.0.1:{port}"
            server.wait_until(lambda: _answers(f"{url}/dang-nhap/"), seconds=60, what="the demo server")
            shots = photograph(url, env, args.out, details)
    index = ["# Staff screens", "",
             "Refreshed by `make screenshots` (tests/screenshots.py) from the demo data. Each screen is shown as "
             "the first of these personas who reaches it sees it: " + ", ".join(f"`{u}` ({w})" for u, w in PERSONAS)
             + ".", "", "| screen | persona | desktop (1280×800) | phone (390×844) |", "|---|---|---|---|"]
    for path, title, persona, files in shots:
        index.append(f"| {title} (`{path}`) | `{persona}` | ![]({files[0]}) | ![]({files[1]}) |")
    (args.out / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    print(f"{len(shots)} screens, {2 * len(shots)} images in {args.out}")


def photograph(url: str, env: dict[str, str], out: Path,
               details: list[list[str]]) -> list[tuple[str, str, str, list[str]]]:
    from playwright.sync_api import sync_playwright

    done: set[str] = set()
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for username, _who in PERSONAS:
            context = browser.new_context(base_url=url, locale="vi-VN", viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto("/admin/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button[type=submit]").first.click()
            page.wait_for_load_state()
            code = manage(env, "demo_code", username).split()[0]
            page.locator("input[name=code]").fill(code)
            page.locator("input[name=code]").press("Enter")
            page.wait_for_url(re.compile(r"/admin/"))
            props = json.loads(page.locator("#wagtail-sidebar-props").text_content() or "{}")
            names = {path: name for persona, name, path in details if persona == username}
            paths = ["/admin/", *dict.fromkeys(link for link in admin_links(props) if not SKIP.search(link)), *names]
            for path in paths:
                if path in done:
                    continue
                done.add(path)
                files = []
                for width, height, kind in SIZES:
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(path)
                    name = f"{names.get(path) or slug(path)}-{kind}.jpg"
                    page.screenshot(path=str(out / name), full_page=True, type="jpeg", quality=70)
                    files.append(name)
                title = page.title().split(" - ")[0].strip()
                shots.append((path, title, username, files))
            context.close()
        browser.close()
    return shots


def _answers(address: str) -> bool:
    import requests

    try:
        return requests.get(address, timeout=2).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":
    main()
