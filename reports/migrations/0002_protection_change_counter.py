"""The change counter of the small-group protection cache (`reports.models.ProtectionChange`).

Statement-level triggers (one per statement, not per row: a rule evaluation writing thousands
of assignments bumps it once) on the tables the protected people counts are read from. Only
on PostgreSQL; elsewhere the protection is not cached.
"""

from django.db import migrations, models

TABLES = ("assignments_assignment", "people_person", "people_orgunit")

CREATE = """
CREATE SEQUENCE reports_protection_version_seq;
CREATE FUNCTION reports_protection_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reports_protectionchange SET version = nextval('reports_protection_version_seq')
    WHERE id = 1;
    RETURN NULL;
END $$;
""" + "".join(
    f"CREATE TRIGGER reports_protection_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION reports_protection_bump();\n"
    for table in TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS reports_protection_bump ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS reports_protection_bump();\n"
    "DROP SEQUENCE IF EXISTS reports_protection_version_seq;\n"
)


def forwards(apps, schema_editor):
    apps.get_model("reports", "ProtectionChange").objects.create(id=1, version=0)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("assignments", "0003_renewal_schedule"),
        ("people", "0004_end_stuck_imports_schedule"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProtectionChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "protection change"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
