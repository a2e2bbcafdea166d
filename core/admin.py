from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core import checks
from django.core.exceptions import FieldDoesNotExist

from .forms import ModelForm
from .models import Notification, NotificationPreference, OutboxMessage

# ModelAdmins deliberately left out of tenant scoping. Every other registered ModelAdmin uses ScopedAdminMixin
# (tests/security/test_admin_tenancy.py walks the admin registry and holds it to that). Each entry is data
# that belongs to no community, and none of them can be written by a non-superuser through the admin.
# The domain apps add theirs with `declare_unscoped` next to their ModelAdmin (core names none of them).
UNSCOPED_ADMIN_MODELS = {
    # The audit trail and the access log: append-only, nobody adds, changes or deletes a row (superusers
    # included). Read, across every community by design, by the 审计员 group — as /api/v1/audit-events/.
    "core.AuditEvent": "append-only trail, no writes for anyone, read by auditors",
    "core.AccessLog": "append-only trail, no writes for anyone, read by auditors",
    # Registered by third-party apps, re-registered below behind SuperuserOnlyAdminMixin: none belongs to a
    # community, and each is a key to the whole site. Groups carry permissions (whoever edits one grants
    # them); an API token is a login as its user (adding one for a superuser is becoming one); a TOTP
    # device holds the second factor's secret; the axes tables are every login attempt (names, IPs).
    # The outbox: tasks waiting for the broker (ids only), across every community; superusers only.
    "core.OutboxMessage": "background tasks waiting for the broker, superusers only",
    "auth.Group": "permissions, superusers only",
    "authtoken.TokenProxy": "API tokens, superusers only",
    "otp_totp.TOTPDevice": "second-factor secrets, superusers only",
    "axes.AccessAttempt": "login attempts, superusers only",
    "axes.AccessLog": "logins, superusers only",
    "axes.AccessFailureLog": "login failures, superusers only",
}


def declare_unscoped(label: str, reason: str) -> None:
    """An app's model whose admin is deliberately not tenant-scoped (global data, superuser writes only)."""
    UNSCOPED_ADMIN_MODELS[label] = reason


THIRD_PARTY_SUPERUSER_ONLY = [
    "auth.Group",
    "authtoken.TokenProxy",
    "otp_totp.TOTPDevice",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
]


# For mypy the mixins are ModelAdmins/inlines (`self.model`, `form`); at run time they add no base.
if TYPE_CHECKING:
    _AdminBase = admin.options.BaseModelAdmin[Any]
else:
    _AdminBase = object


class ScopedChoicesMixin(_AdminBase):
    """Choices of foreign keys and many-to-many fields (select boxes, raw-id and autocomplete lookups) go
    through the related model's `visible_to(user)`: a community's staff can neither see another community's
    rows in a dropdown nor point a row at them. For ModelAdmins and inlines alike.

    Their forms refuse control characters in text, like every page form (core.forms)."""

    form = ModelForm

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        base = queryset if queryset is not None else db_field.remote_field.model._default_manager.using(db)
        if hasattr(base, "visible_to"):
            return base.visible_to(request.user)
        return queryset


class ScopedAdminMixin(ScopedChoicesMixin):
    """Admin lists go through the same `visible_to(user)` as the API and pages: a community's staff who
    are given admin access see only their communities' rows. An object outside it is not found (the admin
    redirects to its index), its filters offer only values found in the visible rows, and its form's
    choices are scoped too (ScopedChoicesMixin). The model's queryset must have `visible_to` (a system
    check says so at startup rather than leaving a list unscoped)."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_list_filter(self, request):
        """A plain related-field filter lists every row of the related model (another community's name, its
        service posts…); offer only the values present in the rows this user sees."""
        scoped = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and self._is_relation_path(entry):
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            scoped.append(entry)
        return scoped

    def _is_relation_path(self, path: str) -> bool:
        try:
            return get_fields_from_path(self.model, path)[-1].is_relation
        except (FieldDoesNotExist, NotRelationField):
            return False

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if not hasattr(self.model._default_manager.all(), "visible_to"):
            errors.append(
                checks.Error(
                    f"{self.model._meta.label}'s queryset has no visible_to(user), so "
                    f"{type(self).__name__} cannot scope it.",
                    obj=type(self),
                    id="core.E001",
                )
            )
        return errors


class SuperuserWritesOnlyMixin:
    """For the global data in UNSCOPED_ADMIN_MODELS: read with the model's view permission, added, changed
    and deleted by superusers only, whatever permissions a staff account has been given."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class SuperuserOnlyAdminMixin(SuperuserWritesOnlyMixin):
    """For global data in UNSCOPED_ADMIN_MODELS that is not for anyone else's eyes either (accounts)."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)


@admin.register(Notification)
class NotificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "mail_enabled", "sms_enabled", "updated_at"]
    list_filter = ["mail_enabled", "sms_enabled"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """What the relay still has to hand to the broker, and what it handed. Rows are written by the
    services (core.outbox.enqueue), never here; a superuser may only ask for an undelivered one to be
    tried again now."""

    list_display = ["pk", "task", "key", "created_at", "dispatched_at", "attempts", "next_attempt_at"]
    list_filter = ["task", ("dispatched_at", admin.EmptyFieldListFilter)]
    search_fields = ["key", "task"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="立即重试投递")
    def retry_now(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(dispatched_at__isnull=True).update(next_attempt_at=timezone.now())
        self.message_user(request, f"{count} 条将在下次转发时投递")


from .models import AccessLog, AuditEvent  # noqa: E402


class _ReadOnlyTrailAdmin(admin.ModelAdmin):
    """The trail is read in the admin, never written: no add, change or delete for anyone (superusers
    included). Seeing it takes the model's view permission (the 审计员 group has both). Not tenant-scoped:
    see UNSCOPED_ADMIN_MODELS."""

    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False  # counting millions of rows on every page view is not worth it

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(AuditEvent)
class AuditEventAdmin(_ReadOnlyTrailAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "community_id", "ip", "reason"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "request_id", "=action"]


@admin.register(AccessLog)
class AccessLogAdmin(_ReadOnlyTrailAdmin):
    list_display = ["at", "actor_label", "what", "object_type", "object_id", "community_id", "ip", "reason"]
    list_filter = ["what", "object_type"]
    search_fields = ["actor_label", "object_id", "request_id", "reason"]


def _superuser_only(label: str) -> None:
    """Put a third-party app's own ModelAdmin for `label` behind SuperuserOnlyAdminMixin. Those apps come
    before `core` in INSTALLED_APPS, so their admins are registered by now (the tenancy test checks)."""
    try:
        model = apps.get_model(label)
    except LookupError:
        return
    if not admin.site.is_registered(model):
        return
    original = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(
        model, type(original.__name__, (SuperuserOnlyAdminMixin, original), {"__module__": __name__})
    )


for _label in THIRD_PARTY_SUPERUSER_ONLY:
    _superuser_only(_label)
