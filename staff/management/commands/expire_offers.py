"""Lapse offered seats past their deadline and pass each seat on; run often (e.g. every 15 minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from staff.services.enrollment import offers_expire


class Command(BaseCommand):
    help = "Cancel offers of a freed seat that were not answered in time, and offer the seat to the next in line."

    def handle(self, *args, **options) -> None:
        lapsed = offers_expire()
        self.stdout.write(f"{lapsed} expired offer(s) lapsed.")
