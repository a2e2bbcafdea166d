from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core import checks
from django.core.exceptions import FieldDoesNotExist

from .forms import ModelForm
from .models import Notification

# ModelAdmins deliberately left out of tenant scoping. Every other registered ModelAdmin uses ScopedAdminMixin
# (tests/security/test_admin_tenancy.py walks the admin registry and holds it to that). Each entry is data
# that belongs to no community, and none of them can be written by a non-superuser through the admin.
UNSCOPED_ADMIN_MODELS = {
    # The holiday/调休 calendar: the State Council's nationwide days plus a town's own, read by every
    # community's deadline arithmetic. Readable with the view permission; only a superuser writes it.
    "core.WorkdayOverride": "global reference data, written by superusers only",
    # The audit trail and the access log: append-only, nobody adds, changes or deletes a row (superusers
    # included). Read, across every community by design, by the 审计员 group — as /api/v1/audit-events/.
    "core.AuditEvent": "append-only trail, no writes for anyone, read by auditors",
    "core.AccessLog": "append-only trail, no writes for anyone, read by auditors",
    # Accounts span communities (one login, roles in several), and the user form edits is_superuser,
    # groups and permissions: the admin of accounts is for superusers only, reading included (User.mobile).
    # Community offices create and manage their people's accounts through the services, not here.
    "members.User": "accounts and their privileges, superusers only",
    # Registered by third-party apps, re-registered below behind SuperuserOnlyAdminMixin: none belongs to a
    # community, and each is a key to the whole site. Groups carry permissions (whoever edits one grants
    # them); an API token is a login as its user (adding one for a superuser is becoming one); a TOTP
    # device holds the second factor's secret; the axes tables are every login attempt (names, IPs).
    "auth.Group": "permissions, superusers only",
    "authtoken.TokenProxy": "API tokens, superusers only",
    "otp_totp.TOTPDevice": "second-factor secrets, superusers only",
    "axes.AccessAttempt": "login attempts, superusers only",
    "axes.AccessLog": "logins, superusers only",
    "axes.AccessFailureLog": "login failures, superusers only",
}
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


class MaskedPersonalDataAdminMixin:
    """Phone and ID numbers in the admin go through members.privacy like every page: a user without 'full
    personal data' for the row sees them masked in the list and read-only (masked) in the change form, and
    searches by name only.

    `masked_fields` maps a field to how it is masked ("mobile" or "id_number"); `personal_data_subject(obj)`
    is what the policy is asked about (a Person, or a community id)."""

    masked_fields: dict[str, str] = {}
    # leads from a row to the community whose policy decides its numbers (for searching by number)
    personal_data_community_field = "community_id"

    def personal_data_subject(self, obj):
        return obj.community_id

    def _sees_full(self, request, obj) -> bool:
        from members import privacy

        return obj is not None and privacy.sees_full(request.user, self.personal_data_subject(obj))

    def _masked_display(self, request, name):
        """One callable per request, field and admin (the change form matches readonly fields by identity)."""
        cache = request.__dict__.setdefault("_masked_admin_displays", {})
        key = (id(self), name)
        if key not in cache:
            from members import privacy

            shown = (
                privacy.shown_id_number if self.masked_fields[name] == "id_number" else privacy.shown_mobile
            )

            def display(obj):
                return shown(request.user, self.personal_data_subject(obj), getattr(obj, name))

            display.short_description = self.model._meta.get_field(name).verbose_name
            display.__name__ = name
            cache[key] = display
        return cache[key]

    def _hide(self, request, obj) -> bool:
        return obj is not None and not self._sees_full(request, obj)

    def get_list_display(self, request):
        return [
            self._masked_display(request, name) if name in self.masked_fields else name
            for name in super().get_list_display(request)
        ]

    def get_search_fields(self, request):
        # Numbers are not searched like other text: get_search_results adds them, per community.
        return [f for f in super().get_search_fields(request) if f.lstrip("^=@") not in self.masked_fields]

    def get_search_results(self, request, queryset, search_term):
        """Names (and other text) as the admin searches them; a number matches only the rows of the
        communities whose numbers this user sees in full (members.privacy.number_search_q)."""
        from members import privacy

        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number_fields = [f.lstrip("^=@") for f in self.search_fields if f.lstrip("^=@") in self.masked_fields]
        if number_fields and search_term.strip():
            numbers = privacy.number_search_q(
                request.user,
                search_term,
                fields=number_fields,
                community_field=self.personal_data_community_field,
            )
            results = results | queryset.filter(numbers)
        return results, may_have_duplicates

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self._hide(request, obj):
            return fields
        shown = [self._masked_display(request, f) if f in self.masked_fields else f for f in fields]
        return list(dict.fromkeys(shown))  # the readonly display is listed once

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._hide(request, obj):
            return fieldsets
        return [
            (
                title,
                {
                    **options,
                    "fields": [
                        self._masked_display(request, f) if f in self.masked_fields else f
                        for f in options.get("fields", ())
                    ],
                },
            )
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self._hide(request, obj):
            return readonly
        return [f for f in readonly if f not in self.masked_fields] + [
            self._masked_display(request, name) for name in self.masked_fields
        ]


@admin.register(Notification)
class NotificationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]


from .models import WorkdayOverride  # noqa: E402


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(SuperuserWritesOnlyMixin, admin.ModelAdmin):
    """Not tenant-scoped: see UNSCOPED_ADMIN_MODELS."""

    list_display = ["date", "is_working_day", "name", "town", "updated_at"]
    list_filter = ["is_working_day", "town"]
    search_fields = ["name", "date"]
    date_hierarchy = "date"

    # the working-day cache is cleared by core.workdays' save/delete receivers, admin bulk deletes included


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
