"""Admin of the democratic evaluation: read-only. Every write (open, close, reopen, panel, ballots,
excellent members, reviews) goes through evaluations.services.appraisal, with its checks and events; the
admin shows what happened, scoped like the API."""

from django.contrib import admin

from core.admin import ScopedAdminMixin, ScopedChoicesMixin

from .models import (
    Appraisal,
    AppraisalEvent,
    Ballot,
    Commendation,
    Evaluator,
    ExcellentSelection,
    OfficerReview,
)


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = AppraisalEvent
    fields = ["at", "action", "from_state", "to_state", "by", "note"]
    readonly_fields = fields


class EvaluatorInline(ReadOnlyInline):
    model = Evaluator
    fields = ["name", "group", "person", "link_issued_at", "voted_at", "channel"]
    readonly_fields = fields


@admin.register(Appraisal)
class AppraisalAdmin(ReadOnlyAdmin):
    list_display = ["community", "year", "kind", "state", "closes_on", "published_at"]
    list_filter = ["state", "kind", "year", "community"]
    search_fields = ["community__name"]
    readonly_fields = [
        "community",
        "year",
        "kind",
        "state",
        "rule",
        "closes_on",
        "opened_at",
        "closed_at",
        "published_at",
        "created_by",
    ]
    inlines = [EvaluatorInline, EventInline]


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["appraisal", "evaluator", "subject", "grade", "entered_by", "created_at"]
    list_filter = ["grade", "appraisal__year"]
    search_fields = ["subject__name", "evaluator__name"]


@admin.register(ExcellentSelection)
class ExcellentSelectionAdmin(ReadOnlyAdmin):
    list_display = ["appraisal", "person", "needed_reason", "reason", "selected_by", "selected_at"]
    list_filter = ["needed_reason", "appraisal__year"]
    search_fields = ["person__name", "reason"]


@admin.register(Commendation)
class CommendationAdmin(ReadOnlyAdmin):
    list_display = ["number", "year", "person", "employer", "community", "issued_at"]
    list_filter = ["year", "community", "employer"]
    search_fields = ["number", "person__name"]


@admin.register(OfficerReview)
class OfficerReviewAdmin(ReadOnlyAdmin):
    list_display = ["officer", "year", "reports", "reports_prompt", "complaints", "outcome", "record"]
    list_filter = ["year", "outcome"]
    search_fields = ["officer__person__name", "note"]
