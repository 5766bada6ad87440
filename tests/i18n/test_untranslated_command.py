"""`manage.py untranslated`: the gaps of the merged Vietnamese catalog, by app; --check fails on a staff-facing gap."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings


def run(*args: str) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("untranslated", *args, stdout=out)
    except SystemExit as stop:
        return out.getvalue(), int(stop.code or 0)
    return out.getvalue(), 0


def test_with_the_package_catalog_no_staff_facing_message_is_left_in_english():
    output, status = run("--check", "--counts")

    assert status == 0, output
    assert "Staff-facing apps: 0 untranslated message(s)." in output


def test_without_the_package_catalog_it_lists_the_gaps_by_app_and_check_fails():
    project_only = [path for path in settings.LOCALE_PATHS if path.name != "packages"]
    assert len(project_only) == len(settings.LOCALE_PATHS) - 1

    with override_settings(LOCALE_PATHS=project_only):
        output, status = run("--check")

    assert status == 1
    assert "wagtail.admin: " in output and "(staff-facing)" in output
    assert "\n    Search…\n" in output  # a msgid Wagtail's own Vietnamese catalog leaves untranslated
    assert "\n    abbrev. day Sunday|Sun\n" in output  # a context is shown in front of its msgid
    counts = {line.split(": ")[0]: int(line.split(": ")[1].split()[0]) for line in output.splitlines()
              if line and not line.startswith(" ") and not line.startswith("Staff-facing")}
    assert counts["wagtail.admin"] > 500


@pytest.mark.parametrize("flag", [[], ["--counts"]])
def test_without_check_it_only_reports(flag):
    with override_settings(LOCALE_PATHS=[settings.BASE_DIR / "locale"]):
        _output, status = run(*flag)

    assert status == 0
