"""Demo site and demo users: one per role, so that every part of the product can be tried."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from courses.models import CourseIndexPage
from home.models import HomePage

DEFAULT_DEMO_PASSWORD = "Demo-normkritik-2026"  # noqa: S105  (demo only; printed at start)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    groups: tuple[str, ...] = ()
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser("medarbetare", "Alva", "Lindqvist", "Medarbetare (learner)"),
    DemoUser("chef", "Omar", "Haddad", "Chef (manager)", ("Managers",)),
    DemoUser("hr", "Kim", "Berg", "HR / jämställdhetsstrateg (HR)", ("HR",)),
    DemoUser("redaktor", "Sara", "Nilsson", "Redaktör (editor)", ("Editors", "Moderators")),
    DemoUser("admin", "Jonas", "Ek", "Administratör (admin)", (), True),
)

HOME_INTRO = (
    "Här utbildar vi oss i normkritik, jämställdhet, likabehandling och hur vi förebygger "
    "sexuella trakasserier – så att alla som bor i kommunen och alla som arbetar här bemöts "
    "med respekt."
)
HOME_BODY = (
    "<h2>Så fungerar det</h2>"
    "<p>Du ser vilka kurser du ska gå, hur långt du har kommit och när de ska vara klara. "
    "Kurserna består av korta moduler med text, film med textning och transkription, "
    "reflektionsuppgifter och kunskapstest. Du kan pausa när du vill och fortsätta där du slutade, "
    "på datorn eller i mobilen.</p>"
    "<h2>Varför</h2>"
    "<p>Diskrimineringslagen kräver att arbetsgivaren arbetar förebyggande med aktiva åtgärder. "
    "Målet är att minst 80 procent av alla chefer och medarbetare ska ha gått utbildningen, "
    "och att alla nyanställda och nya chefer går den under sin introduktion.</p>"
)


def _ensure_root() -> Page:
    # Wagtail's migrations create the root and the default locale; a flushed test database has
    # neither, so create them the same way.
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            instance=Page(
                title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
            )
        )
    return root


@transaction.atomic
def ensure_site() -> HomePage:
    """Make a HomePage the root of the default site, with a course catalogue below it."""
    home = HomePage.objects.first()
    if home is None:
        root = _ensure_root()
        home = HomePage(
            title="Välkommen till Normkritik LMS", slug="start", intro=HOME_INTRO, body=HOME_BODY
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Normkritik LMS",
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.site_name = "Normkritik LMS"
        site.save()
        # Wagtail's installer leaves a "Welcome to your new Wagtail site!" page: remove it.
        if old_root.specific_class is Page and not old_root.get_children().exists():
            old_root.delete()
    if not CourseIndexPage.objects.child_of(home).exists():
        catalogue = CourseIndexPage(
            title="Kurser",
            slug="kurser",
            intro="<p>Alla kurser som du kan gå. Kurser som är obligatoriska för dig syns under "
            "Mina kurser.</p>",
        )
        home.add_child(instance=catalogue)
        catalogue.save_revision().publish()
    return home


def ensure_courses() -> list:
    from .demo_courses import load_courses

    catalogue = CourseIndexPage.objects.live().order_by("path").first()
    return load_courses(catalogue=catalogue)


@transaction.atomic
def ensure_users(*, password: str) -> list[DemoUser]:
    from .roles import sync_roles

    sync_roles()
    User = get_user_model()
    for demo in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=demo.username)
        user.first_name = demo.first_name
        user.last_name = demo.last_name
        user.email = f"{demo.username}@demo.example"
        user.is_superuser = demo.is_superuser
        user.is_staff = demo.is_superuser
        user.set_password(password)
        user.save()
        for name in demo.groups:
            group, _ = Group.objects.get_or_create(name=name)
            user.groups.add(group)
    return list(DEMO_USERS)


SAMPLE_HR_FILE = Path(__file__).resolve().parent.parent / "people" / "sample_data" / "personal.csv"


@transaction.atomic
def ensure_organisation() -> int:
    """Import the sample municipality (once) with the demo learner, manager and HR among them."""
    from people import importing
    from people.models import HRScope, OrgUnit, Person
    from people.sample import DEMO_EMPLOYEES

    User = get_user_model()
    if not OrgUnit.objects.exists():
        # Link the demo users to their employee numbers first, so that the file matches them.
        for number, *_names, email, _code, _title, _manager, _sex in DEMO_EMPLOYEES:
            user = User.objects.get(email=email)
            Person.objects.get_or_create(user=user, defaults={"employee_number": number})
        plan = importing.plan_import(
            importing.read_rows(SAMPLE_HR_FILE.read_bytes(), SAMPLE_HR_FILE.name)
        )
        if not plan.ok:  # the shipped file is checked by the tests; this would be a bug
            raise RuntimeError("; ".join(importing.errors_as_text(plan.errors[:5])))
        importing.apply_plan(plan)
    hr = User.objects.get(username="hr")
    root = OrgUnit.get_first_root_node()
    HRScope.objects.get_or_create(user=hr, unit=root)
    return Person.objects.count()


DEMO_RULES = (
    # (name, course slug, audience, new hires within days, days to complete)
    ("Normdiplomering – alla chefer", "normdiplomering", "managers", None, 180),
    ("Från #metoo till metod – alla chefer", "fran-metoo-till-metod", "managers", None, 365),
    ("Introduktion för nyanställda", "antidiskriminering-introduktion", "everyone", 90, 60),
    ("Jämlikhet i styrning – alla medarbetare", "jamlikhet-i-styrning", "everyone", None, 365),
)


@transaction.atomic
def ensure_assignment_rules() -> int:
    """The demo municipality's rules (Borås: managers' norm diploma; Växjö: every new hire),
    evaluated at once so that the demo users see their assignments."""
    from assignments import services
    from assignments.models import AssignmentRule
    from courses.models import CoursePage
    from people.models import OrgUnit

    root = OrgUnit.get_first_root_node()
    courses = {c.slug: c for c in CoursePage.objects.all()}
    admin = get_user_model().objects.filter(username="hr").first()
    for name, slug, audience, hired_within, due_days in DEMO_RULES:
        if slug in courses:
            AssignmentRule.objects.get_or_create(
                name=name,
                defaults={
                    "course": courses[slug],
                    "unit": root,
                    "audience": audience,
                    "hired_within_days": hired_within,
                    "due_days": due_days,
                    "created_by": admin,
                },
            )
    return services.evaluate_rules().created
