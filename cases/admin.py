"""Admin for every cases model, with search and filters. The case timeline is read-only here: state changes
go through the services (the case page or the API), never through an admin form."""

from django.contrib import admin

from core.admin import (
    ScopedAdminMixin,
    ScopedChoicesMixin,
    SuperuserWritesOnlyMixin,
)
from members.admin_privacy import MaskedPersonalDataAdminMixin

from .models import (
    Announcement,
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    DiaryEntry,
    Disclosure,
    Forum,
    ForumItem,
    HandlingTimeLimit,
    Mailbox,
    MailboxOpening,
    ReceptionDay,
    ReceptionItem,
    ThematicGroup,
)


class ReadOnlyInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventLabelsMixin:
    """The Chinese labels of an event's action and states (never the code words)."""

    @admin.display(description="操作", ordering="action")
    def action_label(self, obj):
        return obj.action_display

    @admin.display(description="原状态")
    def from_label(self, obj):
        return obj.from_state_display

    @admin.display(description="新状态")
    def to_label(self, obj):
        return obj.to_state_display


class CaseEventInline(EventLabelsMixin, ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "action_label", "from_label", "to_label", "by", "by_resident", "note"]
    readonly_fields = fields


class CaseAttachmentInline(ReadOnlyInline):
    model = CaseAttachment
    fields = ["original_name", "content_type", "size", "created_at"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(MaskedPersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    masked_fields = {"resident_phone": "mobile"}
    list_display = [
        "tracking_no",
        "community",
        "resident_phone",
        "channel",
        "category",
        "handling_type",
        "state",
        "due_on",
        "assignee",
        "received_at",
    ]
    list_filter = ["state", "handling_type", "channel", "category", "community", "rating"]
    search_fields = ["tracking_no", "content", "resident_name"]
    date_hierarchy = "received_at"
    raw_id_fields = [
        "resident",
        "building",
        "assignee",
        "received_by",
        "reported_by_officer",
        "mailbox_opening",
        "forum",
        "group",
        "community",
    ]
    inlines = [CaseEventInline, CaseAttachmentInline]
    # Everything that the state machine owns is read-only; only descriptive fields may be corrected here.
    readonly_fields = [
        "tracking_no",
        "access_code_hash",
        "state",
        "handling_type",
        "time_limit_days",
        "due_on",
        "assignee",
        "assignee_kind",
        "resolved_at",
        "feedback_at",
        "rating",
        "rated_at",
        "closed_at",
        "reopen_count",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(EventLabelsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["case", "action_label", "from_label", "to_label", "by", "at"]
    list_filter = ["action", "to_state", "by_resident"]
    search_fields = ["case__tracking_no", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseAttachment)
class CaseAttachmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["case", "original_name", "content_type", "size", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["case__tracking_no", "original_name"]
    raw_id_fields = ["case", "uploaded_by"]


@admin.register(CaseCounter)
class CaseCounterAdmin(SuperuserWritesOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The tracking-number counter: read-only but for superusers (an edit would hand out a number twice)."""

    list_display = ["community", "day", "last"]
    list_filter = ["community"]
    search_fields = ["community__name"]


@admin.register(HandlingTimeLimit)
class HandlingTimeLimitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["community", "handling_type", "working_days", "description"]
    list_filter = ["handling_type", "community"]
    search_fields = ["community__name", "description"]


@admin.register(Mailbox)
class MailboxAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["location", "community", "keeper", "active", "installed_on"]
    list_filter = ["active", "community"]
    search_fields = ["location", "keeper__username", "keeper__first_name"]
    raw_id_fields = ["keeper", "compound"]


@admin.register(MailboxOpening)
class MailboxOpeningAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["mailbox", "opened_on", "opened_by", "letters"]
    list_filter = ["opened_on", "mailbox__community"]
    search_fields = ["mailbox__location", "note"]
    raw_id_fields = ["mailbox", "opened_by"]


class ReceptionItemInline(ScopedChoicesMixin, admin.TabularInline):
    model = ReceptionItem
    extra = 0
    fields = ["visitor_name", "content", "priority_subject", "case"]
    readonly_fields = ["case"]


@admin.register(ReceptionDay)
class ReceptionDayAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["community", "kind", "nominal_date", "held_on", "host_name", "published"]
    list_filter = ["kind", "published", "community"]
    search_fields = ["host_name", "place"]
    inlines = [ReceptionItemInline]


@admin.register(ReceptionItem)
class ReceptionItemAdmin(MaskedPersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["reception", "visitor_name", "visitor_phone", "priority_subject", "case"]
    masked_fields = {"visitor_phone": "mobile"}
    personal_data_community_field = "reception__community_id"
    list_select_related = ["reception"]

    def personal_data_subject(self, obj):
        return obj.reception.community_id

    list_filter = ["priority_subject", "reception__kind"]
    search_fields = ["visitor_name", "content", "case__tracking_no"]
    raw_id_fields = ["reception", "case", "recorded_by"]


class ForumItemInline(ScopedChoicesMixin, admin.TabularInline):
    model = ForumItem
    extra = 0
    readonly_fields = ["case"]


@admin.register(Forum)
class ForumAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "community", "held_on"]
    list_filter = ["community", "held_on"]
    search_fields = ["title", "minutes"]
    inlines = [ForumItemInline]


@admin.register(ForumItem)
class ForumItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["forum", "raised_by", "answered_on_spot", "case"]
    list_filter = ["answered_on_spot"]
    search_fields = ["raised_by", "content"]
    raw_id_fields = ["forum", "case"]


@admin.register(ThematicGroup)
class ThematicGroupAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "community", "reply_method", "replied_at", "created_at"]
    list_filter = ["community", "reply_method"]
    search_fields = ["title", "reply"]


@admin.register(DiaryEntry)
class DiaryEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["officer", "visited_on", "household", "case"]
    list_filter = ["visited_on", "officer__community"]
    search_fields = ["household", "heard", "officer__person__name"]
    raw_id_fields = ["officer", "resident", "building", "case"]


@admin.register(Disclosure)
class DisclosureAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["community", "kind", "updated_at"]
    list_filter = ["kind", "community"]
    search_fields = ["body"]


@admin.register(Announcement)
class AnnouncementAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "community", "category", "published_on"]
    list_filter = ["category", "community"]
    search_fields = ["title", "body"]


from .models import RetentionPolicy  # noqa: E402


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """个人信息保存期限 per community (30–3650 days; two years without a row). Changes are audited."""

    list_display = ["community", "retention_days", "updated_at"]
    list_select_related = ["community"]
    search_fields = ["community__name"]
