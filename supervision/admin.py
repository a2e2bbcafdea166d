"""Admin for supervision orders and staff complaints: lists, filters, timelines read-only; state changes go
through the services (the pages or the API), never through an admin form.

Also here: django-celery-beat's own admin (周期任务 — the product's scheduled jobs) put behind
superuser-only access like the other global third-party tables (core.admin): an administrator sees, pauses
(the `enabled` switch) and re-times each job there; an invalid crontab is refused by its form.
"""

from django.apps import apps
from django.contrib import admin

from core.admin import ScopedAdminMixin, ScopedChoicesMixin, SuperuserOnlyAdminMixin, declare_unscoped

from .models import ComplaintEvent, StaffComplaint, StaffSanction, SupervisionOrder, SupervisionOrderEvent


class _ReadOnlyInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderEventInline(_ReadOnlyInline):
    model = SupervisionOrderEvent
    fields = ["at", "action", "from_state", "to_state", "by", "note"]
    readonly_fields = fields


class _ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(_ReadOnlyAdmin):
    list_display = ["__str__", "case", "community", "level", "addressee", "state", "issued_on", "due_on"]
    list_filter = ["state", "level", "community", "issued_on"]
    search_fields = ["case__tracking_no"]
    date_hierarchy = "issued_on"
    list_select_related = ["case", "community", "addressee"]
    inlines = [OrderEventInline]


class ComplaintEventInline(_ReadOnlyInline):
    model = ComplaintEvent
    fields = ["at", "action", "from_state", "to_state", "by", "note"]
    readonly_fields = fields


# Complaints about staff are the town's supervision office's alone (not the staff member's own community):
# in the admin, superusers only (the office works on /supervision/complaints/).
declare_unscoped(
    "supervision.StaffComplaint", "complaints about a community's staff: the town office's, superusers only"
)
declare_unscoped(
    "supervision.StaffSanction", "measures taken against staff: the town office's, superusers only"
)


class _TownOfficeAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffComplaint)
class StaffComplaintAdmin(_TownOfficeAdmin):
    list_display = ["__str__", "community", "channel", "state", "finding", "measure", "received_at"]
    list_filter = ["state", "finding", "measure", "community"]
    list_select_related = ["staff", "community"]
    inlines = [ComplaintEventInline]


@admin.register(StaffSanction)
class StaffSanctionAdmin(_TownOfficeAdmin):
    list_display = ["staff", "measure", "complaint", "at"]
    list_filter = ["measure"]
    list_select_related = ["staff", "complaint"]


BEAT_MODELS = [
    "django_celery_beat.PeriodicTask",
    "django_celery_beat.CrontabSchedule",
    "django_celery_beat.IntervalSchedule",
    "django_celery_beat.SolarSchedule",
    "django_celery_beat.ClockedSchedule",
]

for _label in BEAT_MODELS:
    declare_unscoped(_label, "the product's scheduled jobs (django-celery-beat), superusers only")
    _model = apps.get_model(_label)
    if admin.site.is_registered(_model):
        _original = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        # (its inlines' choices go through visible_to like every inline's; these tables hold no community's rows)
        _inlines = [
            type(i.__name__, (ScopedChoicesMixin, i), {"__module__": __name__}) for i in _original.inlines
        ]
        admin.site.register(
            _model,
            type(
                _original.__name__,
                (SuperuserOnlyAdminMixin, _original),
                {"__module__": __name__, "inlines": _inlines},
            ),
        )
