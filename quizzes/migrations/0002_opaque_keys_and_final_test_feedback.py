"""Opaque choice keys for open attempts, and the new feedback policy for final tests.

Open attempts started before this migration have choice keys of the form c<primary key>,
which give the right answers away in order; they get random keys now (their saved answers
follow). Submitted attempts keep their keys: the code treats every key as an opaque string and
reads the choice from the snapshot, so old results still show and count as before.

Quizzes placed in the last module of a course that still have the old default ("after the quiz
is submitted") get "correct answers only once passed or when no attempts remain".
"""

import json
import secrets

from django.db import migrations, models
from wagtail.models import Page

KEY_BYTES = 9  # as quizzes.services.CHOICE_KEY_BYTES at the time of writing


def _rekey(attempt, new_key) -> None:
    mapping = {}
    for question in attempt.snapshot["questions"]:
        for choice in question["choices"]:
            mapping[choice["key"]] = choice["key"] = new_key(choice)
    attempt.answers = {
        question_key: [mapping.get(key, key) for key in keys]
        for question_key, keys in attempt.answers.items()
    }
    attempt.save(update_fields=["snapshot", "answers"])


def rekey_open_attempts(apps, schema_editor):
    QuizAttempt = apps.get_model("quizzes", "QuizAttempt")
    for attempt in QuizAttempt.objects.filter(submitted_at__isnull=True).iterator():
        taken: set[str] = set()

        def new_key(_choice, taken=taken):
            while True:
                key = secrets.token_urlsafe(KEY_BYTES)
                if key not in taken:
                    taken.add(key)
                    return key

        _rekey(attempt, new_key)


def restore_open_attempt_keys(apps, schema_editor):
    QuizAttempt = apps.get_model("quizzes", "QuizAttempt")
    for attempt in QuizAttempt.objects.filter(submitted_at__isnull=True).iterator():
        _rekey(attempt, lambda choice: f"c{choice['id']}")


def final_tests_after_pass(apps, schema_editor):
    Quiz = apps.get_model("quizzes", "Quiz")
    ModulePage = apps.get_model("modules", "ModulePage")
    last: dict[str, tuple[str, object]] = {}
    for path, body in ModulePage.objects.filter(live=True).values_list("path", "body"):
        course_path = path[: -Page.steplen]
        if course_path not in last or path > last[course_path][0]:
            last[course_path] = (path, body)
    quiz_ids = set()
    for _path, body in last.values():
        raw = json.loads(body) if isinstance(body, str) else getattr(body, "raw_data", body)
        for block in raw or []:
            if block.get("type") == "quiz" and (block.get("value") or {}).get("quiz"):
                quiz_ids.add(block["value"]["quiz"])
    Quiz.objects.filter(pk__in=quiz_ids, feedback_policy="after_submit").update(
        feedback_policy="after_pass"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("modules", "0004_film_embed_url_alter_film_captions_alter_film_video"),
    ]

    operations = [
        migrations.AlterField(
            model_name="quiz",
            name="feedback_policy",
            field=models.CharField(
                choices=[
                    ("after_each", "After each question"),
                    ("after_submit", "After the quiz is submitted"),
                    ("after_pass", "Correct answers only once passed or when no attempts remain"),
                    ("never", "Never show the correct answers"),
                ],
                default="after_pass",
                help_text=(
                    "For a course's final test, show the correct answers only once passed or "
                    "when no attempts remain."
                ),
                max_length=20,
                verbose_name="show feedback",
            ),
        ),
        migrations.AlterField(
            model_name="quiz",
            name="shuffle_choices",
            field=models.BooleanField(
                default=True,
                help_text="Without shuffling, the choices are shown in the order they were written.",
                verbose_name="shuffle the choices",
            ),
        ),
        migrations.RunPython(rekey_open_attempts, restore_open_attempt_keys),
        migrations.RunPython(final_tests_after_pass, migrations.RunPython.noop),
    ]
