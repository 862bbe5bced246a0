"""A synthetic municipality at any scale, for benchmarks and the load test.

`generate(people=60_000, units=1_000, courses=20)` writes a 4-level unit tree, people with a
realistic role and sex mix, hire dates over 30 years and leavers, courses with modules and a
final quiz, and three years of progress: module progress, course rounds, completions and quiz
attempts (about 10 million module-progress rows at full size). Deterministic for a seed.

PostgreSQL gets COPY; other databases get bulk_create. Ids are assigned here so that rows can
refer to each other without reading anything back.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from assignments.models import Assignment, AssignmentRule, Audience, EndReason
from courses.models import CourseIndexPage, CoursePage
from modules.models import ModulePage
from people.models import OrgUnit, Person, Sex
from progress.models import Completion, CourseProgress, ModuleProgress
from quizzes.models import Choice, Question, Quiz, QuizAttempt, QuizQuestion

MODULES_PER_COURSE = 8
START_SHARE = 0.9  # of people who have started a given course
FINISH_SHARE = 0.75  # of starters who have finished it
MANAGER_SHARE = 0.08
LEAVER_SHARE = 0.08
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def insert(
    model: type[models.Model],
    fields: list[str],
    rows: Iterable[tuple],
    *,
    label: str,
    total: int | None = None,
) -> int:
    """Write rows (tuples in `fields` order, primary key included) as fast as the database can."""
    table = model._meta.db_table
    columns = [model._meta.get_field(f).column for f in fields]
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
                    if total and count % 500_000 == 0:
                        say(f"  {label}: {count:,} / {total:,}")
            pk = model._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{pk}'), "
                f"COALESCE((SELECT MAX({pk}) FROM {table}), 1))"
            )
    else:
        attnames = [model._meta.get_field(f).attname for f in fields]
        batch: list[models.Model] = []
        for row in rows:
            batch.append(model(**dict(zip(attnames, row, strict=True))))
            count += 1
            if len(batch) == 5000:
                model.objects.bulk_create(batch)
                batch = []
        model.objects.bulk_create(batch)
    say(f"  {label}: {count:,} rows")
    return count


def _unit_tree(rng: random.Random, units: int) -> list[dict]:
    """A 4-level tree: municipality, administrations, units, sub-units."""
    admins = max(2, units // 50)
    level3 = max(admins, units // 5)
    level4 = max(0, units - 1 - admins - level3)
    nodes: list[dict] = [{"code": "M", "name": "Syntetiska kommunen", "parent": None}]
    for a in range(admins):
        nodes.append({"code": f"F{a:03d}", "name": f"Förvaltning {a + 1}", "parent": 0})
    first_admin = 1
    level3_start = len(nodes)
    for u in range(level3):
        nodes.append(
            {"code": f"E{u:04d}", "name": f"Enhet {u + 1}", "parent": first_admin + u % admins}
        )
    for s in range(level4):
        nodes.append(
            {
                "code": f"S{s:05d}",
                "name": f"Arbetsgrupp {s + 1}",
                "parent": level3_start + rng.randrange(level3),
            }
        )
    # Materialised paths the way treebeard builds them.
    children: dict[int | None, list[int]] = {}
    for index, node in enumerate(nodes):
        children.setdefault(node["parent"], []).append(index)
    root_step = OrgUnit.objects.filter(depth=1).count() + 1
    nodes[0]["path"] = OrgUnit._get_path(None, 1, root_step)
    nodes[0]["depth"] = 1
    order = [0]
    for index in order:
        for number, child in enumerate(children.get(index, []), start=1):
            nodes[child]["path"] = OrgUnit._get_path(
                nodes[index]["path"], nodes[index]["depth"] + 1, number
            )
            nodes[child]["depth"] = nodes[index]["depth"] + 1
            order.append(child)
    for index, node in enumerate(nodes):
        node["numchild"] = len(children.get(index, []))
    return nodes


def _courses(count: int) -> list[tuple[CoursePage, list[ModulePage], Quiz]]:
    from lms import demo

    home = demo.ensure_site()
    catalogue = CourseIndexPage.objects.child_of(home).first()
    made = []
    for number in range(1, count + 1):
        course = CoursePage(
            title=f"Syntetisk kurs {number}",
            slug=f"syntetisk-{number}",
            summary="En genererad kurs för mätningar.",
            sequential=True,
            validity_months=36,
        )
        catalogue.add_child(instance=course)
        quiz = Quiz.objects.create(
            title=f"Slutprov {number}", slug=f"syntetiskt-prov-{number}", max_attempts=3
        )
        question = Question(kind="single", text="Vad gäller?")
        question.choices = [Choice(text="Rätt", is_correct=True), Choice(text="Fel")]
        question.save()
        QuizQuestion.objects.create(quiz=quiz, question=question)
        modules = []
        for m in range(1, MODULES_PER_COURSE + 1):
            body = [{"type": "paragraph", "value": f"<p>Modul {m}.</p>"}]
            if m == MODULES_PER_COURSE:
                body.append({"type": "quiz", "value": {"quiz": quiz.pk, "required": True}})
            module = ModulePage(title=f"Modul {m}", slug=f"modul-{m}", body=body)
            course.add_child(instance=module)
            modules.append(module)
        made.append((course, modules, quiz))
    return made


@transaction.atomic
def generate(
    *,
    people: int = 60_000,
    units: int = 1_000,
    courses: int = 20,
    seed: int = 2026,
    log: Callable[[str], None] = say,
) -> dict[str, int]:
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    log(f"Units ({units}), people ({people:,}), courses ({courses}) …")
    tree = _unit_tree(rng, units)
    unit_id = _next_id(OrgUnit)
    for offset, node in enumerate(tree):
        node["id"] = unit_id + offset
    counts["units"] = insert(
        OrgUnit,
        ["id", "path", "depth", "numchild", "code", "name", "active"],
        (
            (n["id"], n["path"], n["depth"], n["numchild"], f"{n['code']}-{seed}", n["name"], True)
            for n in tree
        ),
        label="units",
    )
    workplaces = [n["id"] for n in tree if n["depth"] >= 3] or [tree[0]["id"]]

    User = get_user_model()
    password = make_password(None)
    user_id, person_id = _next_id(User), _next_id(Person)
    joined = NOW - timedelta(days=1)
    people_rows = []
    managers: list[tuple[int, int]] = []
    for i in range(people):
        uid = user_id + i
        if i < len(tree):  # one manager per unit
            unit, manager = tree[i]["id"], True
            managers.append((tree[i]["id"], uid))
        else:
            unit, manager = rng.choice(workplaces), rng.random() < MANAGER_SHARE - 0.02
        start = (NOW - timedelta(days=rng.randint(30, 30 * 365))).date()
        left = (
            start + timedelta(days=rng.randint(30, 3 * 365))
            if (rng.random() < LEAVER_SHARE)
            else None
        )
        if left and left > NOW.date():
            left = None
        sex = rng.choices([Sex.WOMAN, Sex.MAN, Sex.OTHER], weights=[77, 21, 2])[0]
        people_rows.append((uid, person_id + i, unit, manager, start, left, sex))
    counts["users"] = insert(
        User,
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        (
            (
                p[0],
                password,
                False,
                f"p{p[0]}-{seed}@synt.example",
                "Förnamn",
                f"Person {p[0]}",
                f"p{p[0]}-{seed}@synt.example",
                False,
                p[5] is None,
                joined,
            )
            for p in people_rows
        ),
        label="users",
    )
    counts["people"] = insert(
        Person,
        [
            "id",
            "user",
            "employee_number",
            "unit",
            "is_manager",
            "is_staff_member",
            "position_title",
            "start_date",
            "end_date",
            "sex",
            "updated_at",
        ],
        (
            (p[1], p[0], f"S{seed}-{p[1]}", p[2], p[3], not p[3], "", p[4], p[5], p[6], NOW)
            for p in people_rows
        ),
        label="people",
    )
    through = OrgUnit.managers.through
    OrgUnit.managers.through.objects.bulk_create(
        [through(orgunit_id=u, user_id=m) for u, m in managers], batch_size=5000
    )

    made = _courses(courses)
    counts["courses"] = len(made)
    counts.update(_history(rng, people_rows, made))
    counts.update(_assignments(rng, tree, people_rows, made))
    if connection.vendor == "postgresql":
        # Fresh COPYs have no planner statistics; a live database has them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts.update(_reminders_sent())
    log("Done: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


def _history(rng: random.Random, people_rows: list[tuple], made) -> dict[str, int]:
    """Three years of course rounds, module progress, completions and quiz attempts."""
    cp_id, mp_id = _next_id(CourseProgress), _next_id(ModuleProgress)
    completion_id, attempt_id = _next_id(Completion), _next_id(QuizAttempt)
    rounds: list[tuple] = []
    module_rows: list[tuple] = []
    completions: list[tuple] = []
    attempts: list[tuple] = []
    snapshot = json.dumps(
        {
            "title": "Slutprov",
            "pass_mark_percent": 80,
            "feedback_policy": "after_submit",
            "questions": [],
        }
    )
    three_years = 3 * 365 * 24 * 3600
    for uid, _pid, _unit, _manager, hired, _left, _sex in people_rows:
        for course, modules, quiz in made:
            if rng.random() > START_SHARE:
                continue
            started = NOW - timedelta(seconds=rng.randrange(three_years))
            started = max(started, datetime.combine(hired, datetime.min.time(), UTC))
            finished = rng.random() < FINISH_SHARE
            done = len(modules) if finished else rng.randrange(len(modules))
            steps = [started + timedelta(hours=6 * n) for n in range(len(modules))]
            completed_at = steps[-1] if finished else None
            rounds.append(
                (
                    cp_id,
                    uid,
                    course.pk,
                    1,
                    started,
                    completed_at,
                    modules[min(done, len(modules) - 1)].pk,
                )
            )
            touched = min(done + 1, len(modules))
            for n in range(touched):
                module_rows.append(
                    (
                        mp_id,
                        cp_id,
                        modules[n].pk,
                        steps[n],
                        steps[n] + timedelta(minutes=20) if n < done else None,
                    )
                )
                mp_id += 1
            if finished:
                completions.append(
                    (
                        completion_id,
                        uid,
                        course.pk,
                        cp_id,
                        completed_at,
                        (completed_at + timedelta(days=3 * 365)).date(),
                    )
                )
                completion_id += 1
                tries = 2 if rng.random() < 0.25 else 1
                for number in range(1, tries + 1):
                    passed = number == tries
                    attempts.append(
                        (
                            attempt_id,
                            uid,
                            quiz.pk,
                            number,
                            modules[-1].pk,
                            snapshot,
                            "{}",
                            "[]",
                            completed_at - timedelta(minutes=30),
                            completed_at - timedelta(minutes=20),
                            100 if passed else 40,
                            passed,
                        )
                    )
                    attempt_id += 1
            cp_id += 1
    counts = {}
    counts["course_rounds"] = insert(
        CourseProgress,
        ["id", "user", "course", "round", "started_at", "completed_at", "last_module"],
        rounds,
        label="course rounds",
        total=len(rounds),
    )
    counts["module_progress"] = insert(
        ModuleProgress,
        ["id", "course_progress", "module", "started_at", "completed_at"],
        module_rows,
        label="module progress",
        total=len(module_rows),
    )
    counts["completions"] = insert(
        Completion,
        ["id", "user", "course", "course_progress", "completed_at", "valid_until"],
        completions,
        label="completions",
    )
    counts["quiz_attempts"] = insert(
        QuizAttempt,
        [
            "id",
            "user",
            "quiz",
            "number",
            "module",
            "snapshot",
            "answers",
            "locked_questions",
            "started_at",
            "submitted_at",
            "score_percent",
            "passed",
        ],
        attempts,
        label="quiz attempts",
    )
    return counts


RULE_START = NOW - timedelta(days=2 * 365)
EXEMPT_SHARE = 0.005


def _rule_shapes(tree: list[dict], count: int) -> list[dict]:
    """One rule per course, the mix a municipality has: basics for everyone, the managers'
    course, the new-hire introduction, then courses each administration chose for itself."""
    root = tree[0]
    admins = [n for n in tree if n["depth"] == 2] or [root]
    shapes = []
    for index in range(count):
        if index < 5:
            shape = {"unit": root, "audience": Audience.EVERYONE, "hired": None, "due": 365}
        elif index == 5:
            shape = {"unit": root, "audience": Audience.MANAGERS, "hired": None, "due": 180}
        elif index == 6:
            shape = {"unit": root, "audience": Audience.EVERYONE, "hired": 365, "due": 90}
        else:
            admin = admins[(index - 7) % len(admins)]
            shape = {"unit": admin, "audience": Audience.EVERYONE, "hired": None, "due": 365}
        shapes.append(shape)
    return shapes


def _assignments(rng: random.Random, tree: list[dict], people_rows: list[tuple], made):
    """Rules, and the assignments they made over two years: open ones for the employed (some
    exempted), ended ones for people who left."""
    shapes = _rule_shapes(tree, len(made))
    unit_path = {n["id"]: n["path"] for n in tree}
    rules = []
    for (course, _modules, _quiz), shape in zip(made, shapes, strict=True):
        rules.append(
            AssignmentRule(
                name=f"{course.title} – {shape['unit']['name']}",
                course=course,
                unit_id=shape["unit"]["id"],
                audience=shape["audience"],
                hired_within_days=shape["hired"],
                due_days=shape["due"],
            )
        )
    AssignmentRule.objects.bulk_create(rules)
    AssignmentRule.objects.filter(pk__in=[r.pk for r in rules]).update(created_at=RULE_START)
    assignment_id = _next_id(Assignment)
    rows = []
    for rule, shape in zip(rules, shapes, strict=True):
        prefix = shape["unit"]["path"]
        for uid, _pid, unit, manager, hired, left, _sex in people_rows:
            if not unit_path[unit].startswith(prefix):
                continue
            if shape["audience"] == Audience.MANAGERS and not manager:
                continue
            assigned = max(RULE_START.date(), hired)
            if shape["hired"] is not None:
                if hired < RULE_START.date():
                    continue  # hired before the rule existed: never a new hire under it
                due = hired + timedelta(days=shape["due"])
            else:
                due = assigned + timedelta(days=shape["due"])
            if left is not None and left <= assigned:
                continue
            assigned_at = datetime.combine(assigned, datetime.min.time(), UTC) + timedelta(hours=3)
            ended_at, reason = None, ""
            if left is not None:
                ended_at = datetime.combine(left, datetime.min.time(), UTC) + timedelta(hours=3)
                reason = EndReason.LEFT
            exempted = ended_at is None and rng.random() < EXEMPT_SHARE
            rows.append(
                (
                    assignment_id,
                    uid,
                    rule.course_id,
                    rule.pk,
                    assigned_at,
                    due,
                    ended_at,
                    reason,
                    assigned_at + timedelta(days=7) if exempted else None,
                    "Utbildad hos tidigare arbetsgivare" if exempted else "",
                )
            )
            assignment_id += 1
    return {
        "assignment_rules": len(rules),
        "assignments": insert(
            Assignment,
            [
                "id",
                "user",
                "course",
                "rule",
                "assigned_at",
                "due_on",
                "ended_at",
                "end_reason",
                "exempted_at",
                "exemption_reason",
            ],
            rows,
            label="assignments",
        ),
    }


def _reminders_sent() -> dict[str, int]:
    """Last Monday's reminders, decided by the real sweep and marked as sent, so that the
    outbox has history and today's sweep finds what was already told."""
    from reminders import services as reminder_services
    from reminders.models import Delivery, DeliveryStatus, Notice

    last_monday = NOW.date() - timedelta(days=NOW.weekday() + 7)
    say(f"  reminders: the sweep of {last_monday} …")
    reminder_services.sweep(today=last_monday)
    sent_at = datetime.combine(last_monday, datetime.min.time(), UTC) + timedelta(hours=7)
    Delivery.objects.filter(status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENT, claimed_at=sent_at, sent_at=sent_at
    )
    return {"reminders_sent": Notice.objects.count(), "reminder_emails": Delivery.objects.count()}


def consistency_problems(today: date | None = None) -> list[str]:
    """What would make the generated (or any) database inconsistent. Empty means consistent.
    `today` is the date the assignments are checked against (the generation date)."""
    today = today or NOW.date()
    problems = []
    orphan_completions = Completion.objects.exclude(
        course_progress__completed_at__isnull=False
    ).count()
    if orphan_completions:
        problems.append(f"{orphan_completions} completions without a completed round")
    done_rounds = CourseProgress.objects.filter(completed_at__isnull=False)
    missing = done_rounds.filter(completion__isnull=True).count()
    if missing:
        problems.append(f"{missing} completed rounds without a completion")
    for course in CoursePage.objects.all():
        module_ids = set(ModulePage.objects.child_of(course).values_list("pk", flat=True))
        stray = (
            ModuleProgress.objects.filter(course_progress__course_id=course.pk)
            .exclude(module_id__in=module_ids)
            .count()
        )
        if stray:
            problems.append(f"{stray} module rows of {course.title} point outside the course")
        incomplete = (
            done_rounds.filter(course_id=course.pk)
            .annotate(
                n=models.Count(
                    "module_progress", filter=models.Q(module_progress__completed_at__isnull=False)
                )
            )
            .exclude(n=len(module_ids))
            .count()
        )
        if incomplete:
            problems.append(f"{incomplete} completed rounds of {course.title} lack modules")
    early = ModuleProgress.objects.filter(completed_at__lt=models.F("started_at")).count()
    if early:
        problems.append(f"{early} module rows completed before they started")
    passed_without = Completion.objects.exclude(user__quiz_attempts__passed=True).count()
    if passed_without:
        problems.append(f"{passed_without} completions without a passed final quiz")
    no_person = CourseProgress.objects.filter(user__person__isnull=True).count()
    if no_person:
        problems.append(f"{no_person} rounds of users who are not in the organisation")
    # Every open assignment is one the rules would make, and the rules make no other: a fresh
    # evaluation on the generation date would change nothing.
    from assignments import services as assignment_services

    for course_id in assignment_services.courses_to_evaluate():
        plan = assignment_services.plan_course(course_id, today)
        if plan.new:
            problems.append(f"{len(plan.new)} people of course {course_id} lack an assignment")
        if plan.gone:
            problems.append(f"{len(plan.gone)} assignments of course {course_id} are out of scope")
    ended_open = Assignment.objects.filter(ended_at__isnull=True, user__person__end_date__lte=today)
    if ended_open.exists():
        problems.append(f"{ended_open.count()} open assignments of people who left")
    from reminders.models import Notice

    to_leavers = Notice.objects.filter(user__person__end_date__lte=models.F("delivery__day"))
    if to_leavers.exists():
        problems.append(f"{to_leavers.count()} reminders to people who had left")
    return problems
