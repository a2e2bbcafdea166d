# The two halves of the evaluations app were built side by side (appraisal; sheets, consultations and
# certificates); this joins their initial migrations. No operations.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_appraisal"),
        ("evaluations", "0001_employer"),
    ]

    operations = []
