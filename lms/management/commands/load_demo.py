from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms import demo


class Command(BaseCommand):
    help = "Create or refresh the demo site and one demo user per role. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=demo.DEFAULT_DEMO_PASSWORD)
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Also run when DEBUG is off (demo users have a known password).",
        )

    def handle(self, *args, password: str, allow_production: bool, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "Refusing to create demo users with a known password while DEBUG is off. "
                "Pass --allow-production if this really is a demo installation."
            )
        home = demo.ensure_site()
        from accessibility.demo import ensure_statement

        ensure_statement(home)
        courses = demo.ensure_courses()
        self.stdout.write(f"Demo courses: {', '.join(c.title for c in courses)}")
        users = demo.ensure_users(password=password)
        people = demo.ensure_organisation()
        self.stdout.write(f"Demo organisation: {people} people (people/sample_data/personal.csv).")
        assigned = demo.ensure_assignment_rules()
        self.stdout.write(f"Demo assignment rules: {assigned} new assignments.")
        from lms.demo_history import ensure_history

        completions = ensure_history()
        if completions:
            self.stdout.write(f"Demo history: {completions} completions over 18 months.")
        from diplomas.demo import ensure_diplomas

        self.stdout.write(f"Demo diplomas: {ensure_diplomas()} new (PDFs rendered on demand).")
        from certification.demo import ensure_certification

        if ensure_certification():
            self.stdout.write("Demo certification: Jämställd arbetsplats, one plan to review.")
        from assignments.demo import ensure_renewal_due

        if ensure_renewal_due():
            self.stdout.write("Demo renewal: the manager's #metoo completion has lapsed.")
        from reports.demo import ensure_goals

        if ensure_goals():
            self.stdout.write("Demo coverage goals: norm diploma, equality in governance.")
        from workplace_meetings.demo import ensure_meetings

        self.stdout.write(f"Demo workplace meetings: {ensure_meetings()} new.")
        from external_organisations.demo import DEMO_USERS as EXTERNAL_DEMO_USERS
        from external_organisations.demo import ensure_external

        organisation = ensure_external(password=password, home=home)
        self.stdout.write(f"Demo external organisation: {organisation}.")
        self.stdout.write(self.style.SUCCESS("Demo content and users are ready."))
        for user in users:
            self.stdout.write(
                f"  {user.role:<32} användarnamn: {user.username:<12} lösenord: {password}"
            )
        for username, _first, _last, role in EXTERNAL_DEMO_USERS:
            self.stdout.write(f"  {role:<32} användarnamn: {username:<12} lösenord: {password}")
