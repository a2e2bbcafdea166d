# The working-day override table moved here from core (it belongs to a town); the table keeps its name
# core_workdayoverride, so this is a change of Django's state only: no SQL runs.

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """Keep the permissions staff were given on the table: its content type moves with it."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="members", model="workdayoverride").exists():
        ContentType.objects.filter(app_label="core", model="workdayoverride").update(app_label="members")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="workdayoverride").exists():
        ContentType.objects.filter(app_label="members", model="workdayoverride").update(app_label="core")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_town_require_2fa"),
        ("core", "0005_workdayoverride_moved_to_members"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="WorkdayOverride",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("date", models.DateField(verbose_name="日期")),
                        (
                            "is_working_day",
                            models.BooleanField(help_text="勾选：调休上班；不勾选：放假", verbose_name="是否工作日"),
                        ),
                        (
                            "name",
                            models.CharField(
                                blank=True, help_text="如：春节、国庆节调休上班", max_length=50, verbose_name="名称"
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "town",
                            models.ForeignKey(
                                blank=True,
                                help_text="留空表示全国统一安排",
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="workday_overrides",
                                to="members.town",
                                verbose_name="镇",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "工作日调整",
                        "verbose_name_plural": "工作日调整（节假日/调休）",
                        "ordering": ["date"],
                        "db_table": "core_workdayoverride",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("date", "town"), name="workday_override_unique_per_town"
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("town__isnull", True)),
                                fields=("date",),
                                name="workday_override_unique_global",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
