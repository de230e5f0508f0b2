from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from django.db import transaction

from tracker.choices import Role
from tracker.models import IntegratedCareSystem, Membership, Region

DEMO_PASSWORD = "demo-password-2026"
# (username, full name, role, ODS code or None for the national team)
# (username, full name, role, ODS code for ICS roles or region code for a reviewer, or None for the national team).
# Addresses are at example.com, reserved for documentation: no real person is ever mailed from a demo.
DEMO_USERS = [
    ("wy.approver", "Amina Yusuf", Role.APPROVER, "QWO"),
    ("wy.editor", "Wendy Yates", Role.EDITOR, "QWO"),
    ("wy.viewer", "Will Young", Role.VIEWER, "QWO"),
    ("gm.editor", "Grace Mills", Role.EDITOR, "QOP"),
    ("gm.viewer", "Gary Marsh", Role.VIEWER, "QOP"),
    ("ney.reviewer", "Neil Eastwood", Role.REVIEWER, "Y63"),
    ("national", "Nadia Patel", Role.NATIONAL, None),
]


class Command(BaseCommand):
    help = "Create demo logins (and, with --with-progress, clearly labelled synthetic progress and a year of returns)."

    def add_arguments(self, parser):
        parser.add_argument("--with-progress", action="store_true", help="Also create synthetic progress records.")
        parser.add_argument("--allow-production", action="store_true", help="Run even when DEBUG is off.")

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("Demo logins have a published password: refusing to create them with DEBUG off.")
        User = get_user_model()
        for username, full_name, role, place in DEMO_USERS:
            first, last = full_name.split(" ", 1)
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            system = IntegratedCareSystem.objects.get(ods_code=place) if place and role != Role.REVIEWER else None
            region = Region.objects.get(code=place) if role == Role.REVIEWER else None
            Membership.objects.update_or_create(user=user, defaults={"role": role, "system": system, "region": region})
            self.stdout.write(f"  {username:<13} {role.label:<18} {system or region or 'all systems'}")
        self.stdout.write(self.style.SUCCESS(f"Demo logins ready; the password for each is {DEMO_PASSWORD}"))
        if options["with_progress"]:
            from tracker.demo import create_demo_progress

            count = create_demo_progress(with_returns=True)
            self.stdout.write(self.style.SUCCESS(f"{count} demonstration progress records created (labelled as demo)."))
            sent = self._notify_demo_logins()
            self.stdout.write(self.style.SUCCESS(f"{sent} notifications for the demo logins (labelled as demo)."))

    def _notify_demo_logins(self) -> int:
        """What the demo logins' ICSs would have been sent by now, through the real service: the current return's
        opening, marked "Demo data:" as the return is demo. Running this again adds nothing. (Reminders to the demo
        owners come from `send_reminders`, as in production: seeding would otherwise mail dozens to the console.)"""
        from tracker.models import QuarterlyReturn
        from tracker.periods import ReportingPeriod
        from tracker.services import notifications

        demo_systems = {place for _, _, role, place in DEMO_USERS if place and role != Role.REVIEWER}
        current = QuarterlyReturn.objects.filter(
            period=ReportingPeriod.current().code, system__ods_code__in=demo_systems
        ).select_related("system")
        return sum(notifications.notify_period_opened(r) for r in current)
