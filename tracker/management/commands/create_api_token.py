from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from tracker.models import ApiToken


class Command(BaseCommand):
    help = "Create a personal API token for a user and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user “{username}”.")
        _, key = ApiToken.issue(user, name)
        self.stdout.write(key)
