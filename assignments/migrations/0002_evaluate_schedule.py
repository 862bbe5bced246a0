from django.db import migrations

TASK = "assignments.evaluate_rules"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Europe/Stockholm",
    )
    PeriodicTask.objects.update_or_create(
        name="Evaluate assignment rules (new hires, moves, leavers)",
        defaults={"task": TASK, "crontab": nightly, "interval": None, "enabled": True,
                  "expire_seconds": 3600},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
