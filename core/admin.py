from django.contrib import admin

from .models import Notification


class ScopedAdminMixin:
    """Admin lists go through the same `visible_to(user)` as the API and pages: a community's staff who
    are given admin access see only their communities' rows."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if hasattr(qs, "visible_to") else qs


class MaskedPersonalDataAdminMixin:
    """Phone and ID numbers in the admin go through members.privacy like every page: a user without 'full
    personal data' for the row sees them masked in the list and read-only (masked) in the change form, and
    searches by name only.

    `masked_fields` maps a field to how it is masked ("mobile" or "id_number"); `personal_data_subject(obj)`
    is what the policy is asked about (a Person, or a community id)."""

    masked_fields: dict[str, str] = {}

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
        from members import privacy

        fields = super().get_search_fields(request)
        if privacy.can_search_personal_numbers(request.user):
            return fields
        return [f for f in fields if f.lstrip("^=@") not in self.masked_fields]

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
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient"]


from .models import WorkdayOverride  # noqa: E402


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "name", "town", "updated_at"]
    list_filter = ["is_working_day", "town"]
    search_fields = ["name", "date"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from . import workdays

        workdays.clear_cache()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        from . import workdays

        workdays.clear_cache()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        from . import workdays

        workdays.clear_cache()


from .models import AccessLog, AuditEvent  # noqa: E402


class _ReadOnlyTrailAdmin(admin.ModelAdmin):
    """The trail is read in the admin, never written: no add, change or delete for anyone (superusers
    included). Seeing it takes the model's view permission (the 审计员 group has both)."""

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
