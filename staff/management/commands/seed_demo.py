from django.core.management.base import BaseCommand, CommandError

from staff.demo import seed_demo
from staff.demo.organisation import DEMO_PASSWORD, LOGINS


class Command(BaseCommand):
    help = "Load the synthetic demo data (units, officials, courses, logins). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--officials", type=int, default=200, help="How many demo officials (default 200).")

    def handle(self, *args, officials: int, **options):
        if officials < 1:
            raise CommandError("--officials must be at least 1.")
        counts = seed_demo(officials=officials)
        summary = ", ".join(f"{label.split('.')[-1]}={count}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}"))
        logins = ", ".join(username for username, *_ in LOGINS)
        self.stdout.write(f"Demo logins ({logins}) use the password {DEMO_PASSWORD!r}.")
