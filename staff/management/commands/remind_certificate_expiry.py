import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from staff.services.certificates import REMINDER_DAYS, certificates_remind_expiring


class Command(BaseCommand):
    help = (f"Remind officials whose certificates expire within {', '.join(map(str, REMINDER_DAYS))} days. "
            "Safe to run again, or on two hosts: each reminder goes once.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Count days from this date (YYYY-MM-DD) instead of today.")

    def handle(self, *args, date: str | None, **options):
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date must look like 2026-11-26, not {date!r}.") from exc
        sent = certificates_remind_expiring(today=today)
        self.stdout.write(self.style.SUCCESS(f"Sent {sent} certificate expiry reminder(s)."))
