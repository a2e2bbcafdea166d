from django.contrib import admin

from .models import Notification


class ScopedAdminMixin:
    """Admin lists go through the same `visible_to(user)` as the API and pages: a community's staff who
    are given admin access see only their communities' rows."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if hasattr(qs, "visible_to") else qs


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
