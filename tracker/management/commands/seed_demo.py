from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from django.db import transaction

from tracker.choices import Role
from tracker.models import IntegratedCareSystem, Membership

DEMO_PASSWORD = "demo-password-2026"
# (username, full name, role, ODS code or None for the national team)
DEMO_USERS = [
    ("wy.editor", "Wendy Yates", Role.EDITOR, "QWO"),
    ("wy.viewer", "Will Young", Role.VIEWER, "QWO"),
    ("gm.editor", "Grace Mills", Role.EDITOR, "QOP"),
    ("gm.viewer", "Gary Marsh", Role.VIEWER, "QOP"),
    ("national", "Nadia Patel", Role.NATIONAL, None),
]


class Command(BaseCommand):
    help = "Create demo logins (and, with --with-progress, clearly labelled synthetic progress)."

    def add_arguments(self, parser):
        parser.add_argument("--with-progress", action="store_true", help="Also create synthetic progress records.")
        parser.add_argument("--allow-production", action="store_true", help="Run even when DEBUG is off.")

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("Demo logins have a published password: refusing to create them with DEBUG off.")
        User = get_user_model()
        for username, full_name, role, ods_code in DEMO_USERS:
            first, last = full_name.split(" ", 1)
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.nhs.uk"},
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            system = IntegratedCareSystem.objects.get(ods_code=ods_code) if ods_code else None
            Membership.objects.update_or_create(user=user, defaults={"role": role, "system": system})
            self.stdout.write(f"  {username:<10} {role.label:<14} {system or 'all systems'}")
        self.stdout.write(self.style.SUCCESS(f"Demo logins ready; the password for each is {DEMO_PASSWORD}"))
        if options["with_progress"]:
            from tracker.demo import create_demo_progress

            count = create_demo_progress()
            self.stdout.write(self.style.SUCCESS(f"{count} demonstration progress records created (labelled as demo)."))
