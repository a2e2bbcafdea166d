"""Issue (or show) DRF API tokens for the named logins: `manage.py issue_tokens beijie_shuji zhen`.

Prints one `username<TAB>token` line per login, for scripts (scripts/schemathesis.sh) and for setting up
an API client. A token is a password-equivalent: --rotate replaces an existing one.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print an API token for each named login (creating it if needed)."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+")
        parser.add_argument("--rotate", action="store_true", help="replace existing tokens")

    def handle(self, *args, usernames, rotate=False, **options):
        User = get_user_model()
        users = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
        missing = [name for name in usernames if name not in users]
        if missing:
            raise CommandError(f"no active login named {', '.join(missing)}")
        for name in usernames:
            user = users[name]
            if rotate:
                Token.objects.filter(user=user).delete()
            token, _ = Token.objects.get_or_create(user=user)
            self.stdout.write(f"{name}\t{token.key}")
