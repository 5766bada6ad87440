"""Print the current second-factor code of a demo staff login: a development tool, off unless DEBUG is on."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from staff.demo.two_factor import DEMO_STAFF_LOGINS, current_code, demo_device


class Command(BaseCommand):
    help = "Print the current 6-digit second-factor code of a demo staff login (seed_demo's demo secret)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help=f"A demo staff login: {', '.join(DEMO_STAFF_LOGINS)}.")
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args: Any, username: str, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("demo_code is a development tool and DEBUG is off; add --force if this really is "
                               "a demo database.")
        device = demo_device(username)
        if device is None:
            raise CommandError(f"{username!r} has no demo second factor; demo staff logins are "
                               f"{', '.join(DEMO_STAFF_LOGINS)} (run `manage.py seed_demo` first).")
        code, seconds_left = current_code(device)
        self.stdout.write(code)
        self.stderr.write(f"Code for {username}; it changes in {seconds_left} seconds.")
