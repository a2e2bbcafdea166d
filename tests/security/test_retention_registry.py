"""Every field of the project apps whose name says it holds personal data has a retention period
(core.retention.PERSONAL_DATA_RETENTION → a kind in RETENTION_KINDS, carried out by a purge that a nightly
job runs) or is kept on purpose with a written reason (core.retention.PERSONAL_DATA_KEPT).

A new model field named like `resident_phone`, `donor` or `household` fails this test until someone
decides how long it is kept.
"""

import re

from django.apps import apps
from django.conf import settings
from django.db import models

from config.celery import DEFAULT_PERIODIC_TASKS
from core import retention

PROJECT_APPS = ("members", "volunteering", "cases", "core", "evaluations", "supervision")

# A field holds personal data when one of these words is a whole part of its name (split at "_"):
# `resident_phone` and `contact_phone` match, `phone_verified_at` would too; `filename`, `emailed_at` do not.
PERSONAL_WORDS = (
    "name",
    "username",
    "phone",
    "mobile",
    "id_number",
    "birth",
    "email",
    "address",
    "unit_room",
    "household",
    "resident",
    "recipient",
    "recipients",
    "raised_by",
    "contact",
    "visitor",
    "donor",
    "attendees",
    "ip",
)
PERSONAL_FIELD = re.compile(rf"(?:^|_)(?:{'|'.join(PERSONAL_WORDS)})(?:_|$)")

# Who runs each purge at night: core.retention.purge_all (the core-retention-purge beat entry) runs the
# registered nightly purges (core's and the apps'); the two others have beat entries of their own.
PURGE_ALL_TASK = "core.tasks.purge_expired_personal_data"
OWN_TASK = {
    "cases.retention.anonymise_closed_cases": "cases.tasks.anonymise_closed_cases",
    "core.audit.purge_expired": "core.tasks.purge_expired_audit_rows",
}


def project_fields():
    """Every field declared on a model of the project apps, as ("app.Model.field", field); reverse
    relations and automatic primary keys left out."""
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if not field.auto_created:
                    yield f"{model._meta.label}.{field.name}", field


def personal_fields() -> dict[str, models.Field]:
    # A flag (`rated_by_resident`) says whether, never who.
    return {
        key: field
        for key, field in project_fields()
        if PERSONAL_FIELD.search(field.name) and not isinstance(field, models.BooleanField)
    }


def unaccounted(registry: dict, kept: dict) -> list[str]:
    return sorted(key for key in personal_fields() if key not in registry and key not in kept)


def test_every_personal_field_has_a_retention_period_or_a_reason_to_keep_it():
    missing = unaccounted(retention.PERSONAL_DATA_RETENTION, retention.PERSONAL_DATA_KEPT)
    assert not missing, (
        "Personal data without a retention period. Add each field to core.retention.PERSONAL_DATA_RETENTION "
        "(and a purge that removes it after its period) or, if it must stay, to PERSONAL_DATA_KEPT with the "
        f"reason: {missing}"
    )


def test_the_guard_catches_a_field_that_loses_its_entry():
    # The fields the retention audit found without a period are among those the walk checks …
    found = personal_fields()
    for key in (
        "cases.ForumItem.raised_by",
        "cases.DiaryEntry.household",
        "cases.DiaryEntry.resident",
        "volunteering.GoodHandout.recipient_name",
        "volunteering.Pairing.household",
        "volunteering.Pairing.address",
        "volunteering.SkillListing.contact_phone",
    ):
        assert key in found
        # … and dropping one from the registry is reported.
        registry = {k: v for k, v in retention.PERSONAL_DATA_RETENTION.items() if k != key}
        assert unaccounted(registry, retention.PERSONAL_DATA_KEPT) == [key]


def test_registered_and_kept_fields_exist_and_are_not_both():
    fields = dict(project_fields())
    stale = sorted(
        key
        for key in (*retention.PERSONAL_DATA_RETENTION, *retention.PERSONAL_DATA_KEPT)
        if key not in fields
    )
    assert not stale, f"no such field (renamed or removed?), update core.retention: {stale}"
    both = sorted(set(retention.PERSONAL_DATA_RETENTION) & set(retention.PERSONAL_DATA_KEPT))
    assert not both, f"a field is either purged or kept, not both: {both}"


def test_every_reason_to_keep_is_written_out():
    short = [key for key, reason in retention.PERSONAL_DATA_KEPT.items() if len(reason.strip()) < 30]
    assert not short, f"say why these are kept: {short}"


def test_every_kind_is_carried_out_by_a_purge_a_nightly_job_runs():
    by_purge_all = {f"{purge.__module__}.{purge.__name__}" for purge in retention.NIGHTLY_PURGES}
    scheduled = {entry["task"] for entry in DEFAULT_PERIODIC_TASKS.values()}
    unknown = set(retention.PERSONAL_DATA_RETENTION.values()) - set(retention.RETENTION_KINDS)
    assert not unknown, f"kinds missing from core.retention.RETENTION_KINDS: {unknown}"
    for name, kind in retention.RETENTION_KINDS.items():
        assert kind.purges, name
        for purge in kind.purges:
            assert callable(purge), purge
            path = f"{purge.__module__}.{purge.__name__}"
            task = PURGE_ALL_TASK if path in by_purge_all else OWN_TASK.get(path)
            assert task in scheduled, f"{name}: {path} is run by no nightly job"


def test_the_readme_table_names_every_kind_of_period_setting():
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    for setting in ("HANDOUT_RETENTION_DAYS", "PAIRING_RETENTION_DAYS", "SKILL_PHONE_RETENTION_DAYS"):
        assert f"`{setting}`" in readme
