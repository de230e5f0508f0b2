from django.core.management import BaseCommand

from tracker.periods import ReportingPeriod
from tracker.services import returns_open


class Command(BaseCommand):
    help = (
        "Open the current period's quarterly return (and the previous period's, still due) for every ICS that has "
        "none, and tell each one's members. Idempotent: run it daily from cron or a systemd timer; a second run "
        "opens nothing and tells nobody."
    )

    def handle(self, *args, **options):
        current = ReportingPeriod.current()
        opened = returns_open(current.previous) + returns_open(current)
        if options["verbosity"]:
            self.stdout.write(f"{opened} returns opened.")
