from django.core.management import BaseCommand

from tracker.services import notifications


class Command(BaseCommand):
    help = (
        "Send every notification that is due: new ones the task queue has not sent, and failed ones whose retry "
        "time has come. Safe beside the worker and on several machines at once (rows are locked, skip locked)."
    )

    def handle(self, *args, **options):
        sent, failed = notifications.notifications_deliver_due()
        if options["verbosity"]:
            self.stdout.write(f"{sent} notifications delivered" + (", delivery failing." if failed else "."))
