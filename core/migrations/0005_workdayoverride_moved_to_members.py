# The working-day override table moved to members (it belongs to a town); the table keeps its name, so
# this is a change of Django's state only: no SQL runs.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_trail"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="WorkdayOverride")],
            database_operations=[],
        ),
    ]
