"""Admin of the employer half (sheets, batches, consultations, certificates): lists with search and
filters, scoped like every admin list; nothing is added or changed here — the state-owned fields belong
to the services (the pages or the API), so the admin cannot make an illegal state."""

from django.contrib import admin

from core.admin import ScopedAdminMixin, ScopedChoicesMixin

from .models import Consultation, ConsultationEvent, FeedbackSheet, ServiceCertificate, SheetBatch, SheetEvent


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyAdminMixin, ScopedChoicesMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    fields = ["at", "from_state", "to_state", "by", "note"]
    readonly_fields = fields


class SheetEventInline(EventInline):
    model = SheetEvent


class ConsultationEventInline(EventInline):
    model = ConsultationEvent


@admin.register(FeedbackSheet)
class FeedbackSheetAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "year", "version", "is_current", "employer", "community", "state", "issued_on"]
    list_filter = ["year", "state", "is_current", "community", "employer"]
    search_fields = ["person__name", "employer__name"]
    raw_id_fields = [
        "person",
        "employer",
        "community",
        "batch",
        "generated_by",
        "issued_by",
        "acknowledged_by",
    ]
    inlines = [SheetEventInline]


@admin.register(SheetBatch)
class SheetBatchAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["community", "year", "state", "done", "total", "created_at", "finished_at"]
    list_filter = ["year", "state", "community"]
    search_fields = ["community__name"]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "employer", "community", "purpose", "state", "due_on", "opinion", "answered_at"]
    list_filter = ["state", "purpose", "opinion", "community", "employer"]
    search_fields = ["person__name", "employer__name"]
    date_hierarchy = "asked_at"
    inlines = [ConsultationEventInline]


@admin.register(ServiceCertificate)
class ServiceCertificateAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["verification_no", "person", "community", "year", "minutes", "issued_at"]
    list_filter = ["year", "community"]
    search_fields = ["verification_no", "person__name"]
