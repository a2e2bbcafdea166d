from django.apps import AppConfig
from django.db.models.signals import post_migrate

AUDITOR_GROUP = "审计员"


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "公共"

    def ready(self):
        from . import audit

        audit.check_settings()
        audit.connect()
        post_migrate.connect(ensure_auditor_group, sender=self, dispatch_uid="core.ensure_auditor_group")


def ensure_auditor_group(using="default", **kwargs):
    """The 审计员 group: read-only access to the audit trail and the access log (admin and API).

    Auditors are ordinary accounts put in this group by an administrator; the permissions, not a role of
    the tenancy model, open /api/v1/audit-events/ and /api/v1/access-logs/ (town-wide, read-only)."""
    from django.contrib.auth.models import Group, Permission

    perms = Permission.objects.using(using).filter(
        content_type__app_label="core", codename__in=["view_auditevent", "view_accesslog"]
    )
    if perms.count() < 2:
        return
    group, _ = Group.objects.using(using).get_or_create(name=AUDITOR_GROUP)
    group.permissions.add(*perms)
