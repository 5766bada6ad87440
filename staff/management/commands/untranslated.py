"""List the messages of the installed Wagtail/Django apps that have no Vietnamese translation.

Run after upgrading Wagtail or Django: a new release brings new msgids, which staff would meet in English.
The msgids come from each app's own English catalog (``<app>/locale/en/LC_MESSAGES/django.po`` and
``djangojs.po``); "translated" means present in the merged Vietnamese catalog Django itself builds (the
project's ``locale/``, ``locale/packages/`` and every installed app's ``vi`` catalog). Fill the gaps in
``locale/packages/vi/LC_MESSAGES/*.po`` (terms: docs/glossary.md) and compile them.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation.trans_real import CONTEXT_SEPARATOR, DjangoTranslation

# The apps whose messages staff meet in the admin: --check fails when one of these has a gap.
STAFF_FACING = (
    "django", "django.contrib.auth", "wagtail", "wagtail.admin", "wagtail.snippets", "wagtail.users",
    "wagtail.documents", "wagtail.images", "wagtail.search", "wagtail.contrib.settings", "wagtail.sites",
    "wagtail.contrib.redirects", "wagtail.embeds",
)
DOMAINS = ("django", "djangojs")


def package_catalogs() -> list[tuple[str, str, Path]]:
    """(app name, domain, English .po) for Django itself and every installed app outside the project."""
    found = []
    django_po = Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    if django_po.exists():
        found.append(("django", "django", django_po))
    base_dir = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base_dir) and ".venv" not in path.parts:
            continue  # the project's own apps: makemessages and the fragments cover them
        for domain in DOMAINS:
            po = path / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                found.append((config.name, domain, po))
    return found


def untranslated(language: str = "vi") -> dict[str, list[str]]:
    """App name → msgids (with ``context|`` in front when they have one) missing from the merged catalog."""
    try:
        import polib  # type: ignore[import-untyped]  # a development requirement: this is a maintenance tool
    except ImportError as error:
        raise CommandError("untranslated reads .po files with polib: pip install -r requirements-dev.txt") from error
    # The merged catalog Django builds for the language (private, but the only complete view of it).
    catalogs = {domain: DjangoTranslation(language, domain=domain)._catalog  # type: ignore[attr-defined]
                for domain in DOMAINS}
    missing: dict[str, list[str]] = {}
    for app_name, domain, po_path in package_catalogs():
        catalog = catalogs[domain]
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete or not entry.msgid:
                continue
            key = f"{entry.msgctxt}{CONTEXT_SEPARATOR}{entry.msgid}" if entry.msgctxt else entry.msgid
            if (key if not entry.msgid_plural else (key, 0)) in catalog:
                continue
            label = f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid
            missing.setdefault(app_name, []).append(label)
    return missing


class Command(BaseCommand):
    help = ("List the msgids of the installed Wagtail/Django apps that have no Vietnamese translation, by app. "
            "--check exits with status 1 when a staff-facing app has any.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--check", action="store_true",
                            help=f"Exit with status 1 if a staff-facing app ({', '.join(STAFF_FACING)}) has a gap.")
        parser.add_argument("--counts", action="store_true", help="Only the count per app, not the msgids.")
        parser.add_argument("--language", default="vi")

    def handle(self, *args: Any, check: bool, counts: bool, language: str, **options: Any) -> None:
        missing = untranslated(language)
        for app_name in sorted(missing):
            marker = " (staff-facing)" if app_name in STAFF_FACING else ""
            self.stdout.write(f"{app_name}: {len(missing[app_name])} untranslated{marker}")
            if not counts:
                for msgid in missing[app_name]:
                    self.stdout.write("    " + msgid.replace("\n", "\\n"))
        gaps = sum(len(missing[name]) for name in missing if name in STAFF_FACING)
        self.stdout.write(f"Staff-facing apps: {gaps} untranslated message(s).")
        if check and gaps:
            raise SystemExit(1)
