from django.db import migrations

TASK = "lms.publish_scheduled"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name="Publish scheduled pages and snippets",
        defaults={"task": TASK, "interval": every_minute, "expire_seconds": 55, "enabled": True},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [("lms", "0002_heartbeat_schedule")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
