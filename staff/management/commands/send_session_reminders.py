"""Day-before reminders; run daily (cron / systemd timer). Safe to run twice or on two hosts."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from staff.services.notifications import session_reminders_send


class Command(BaseCommand):
    help = "Remind confirmed participants of the sessions starting tomorrow (each person once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD), e.g. to catch up a missed run.")

    def handle(self, *args, **options) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today must be a date as YYYY-MM-DD, got {options['today']!r}") from exc
        claimed = session_reminders_send(today=today)
        self.stdout.write(f"{claimed} session reminder(s) queued.")
