from django.db import migrations

SWEEP_TASK = "reminders.sweep"
SEND_TASK = "reminders.send_due"


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Europe/Stockholm",
    )
    quarterly, _ = CrontabSchedule.objects.get_or_create(
        minute="*/15", hour="*", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Europe/Stockholm",
    )
    PeriodicTask.objects.update_or_create(
        name="Reminders: decide who is to be reminded of what",
        defaults={"task": SWEEP_TASK, "crontab": daily, "interval": None, "enabled": True,
                  "expire_seconds": 2 * 3600},
    )
    # The task itself checks the send window (weekdays, send hours, holidays).
    PeriodicTask.objects.update_or_create(
        name="Reminders: send the planned emails",
        defaults={"task": SEND_TASK, "crontab": quarterly, "interval": None, "enabled": True,
                  "expire_seconds": 600},
    )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        task__in=[SWEEP_TASK, SEND_TASK]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
