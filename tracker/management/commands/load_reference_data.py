from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.db import transaction

from tracker.periods import ReportingPeriod
from tracker.services import records_ensure, returns_open

FIXTURES = ["catalogue.json", "register.json"]


class Command(BaseCommand):
    help = (
        "Load the catalogue and the ICS register from fixtures/, and give every ICS a record for every trackable "
        "item. Idempotent: rows are matched by natural key, so running it again changes nothing, and an edited "
        "fixture updates its row in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixture-dir", type=Path, default=settings.BASE_DIR / "fixtures")

    def handle(self, *args, fixture_dir: Path, **options):
        with transaction.atomic():
            for name in FIXTURES:
                call_command("loaddata", str(fixture_dir / name), verbosity=options["verbosity"])
            created = records_ensure()
            current = ReportingPeriod.current()
            opened = returns_open(current.previous) + returns_open(current)
        if options["verbosity"]:
            self.stdout.write(f"{created} new progress records (not assessed); {opened} returns opened.")
