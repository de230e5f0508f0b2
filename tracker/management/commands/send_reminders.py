import datetime

from django.core.management import BaseCommand, CommandError

from tracker.services import notifications


class Command(BaseCommand):
    help = (
        "Write today's reminders to the outbox (returns due in 14 and in 3 days, late returns, target dates within "
        "14 days and passed), send the daily digests, then deliver whatever is due. Idempotent: run it daily from "
        "cron or a systemd timer; a second run, here or on another machine, sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        try:
            today = datetime.date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError:
            raise CommandError(f"--today {options['today']!r} is not a date: use YYYY-MM-DD.") from None
        created = notifications.reminders_send(today=today)
        digests = notifications.notifications_send_digests()
        sent, failed = notifications.notifications_deliver_due()
        if options["verbosity"]:
            self.stdout.write(
                f"{created} new reminders; {digests} digests sent; {sent} notifications delivered"
                + (", delivery failing: the rest wait for the next run." if failed else ".")
            )
