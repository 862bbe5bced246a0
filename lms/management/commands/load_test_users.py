from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Give N active learners of a generated municipality a password, for the load test."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=200)
        parser.add_argument("--password", required=True)
        parser.add_argument("--out", required=True, help="file to write the usernames to")

    def handle(self, *args, count, password, out, **options):
        User = get_user_model()
        users = list(
            User.objects.filter(is_active=True, person__isnull=False, is_superuser=False).order_by(
                "pk"
            )[:count]
        )
        hashed = make_password(password)
        for user in users:
            user.password = hashed
        User.objects.bulk_update(users, ["password"])
        with open(out, "w") as handle:
            handle.write("\n".join(u.get_username() for u in users))
        self.stdout.write(f"{len(users)} load-test users")
