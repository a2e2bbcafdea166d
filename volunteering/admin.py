"""Admin for volunteering: every model with search and filters. Lists go through `visible_to` (as the API
and pages do). State lives in services: statuses are read-only here, changes go through the pages/API."""

from django.contrib import admin

from core.admin import ScopedAdminMixin, ScopedChoicesMixin
from members.admin_privacy import MaskedPersonalDataAdminMixin

from .models import (
    ConductNote,
    DonatedGood,
    GoodHandout,
    Pairing,
    PostClaim,
    Programme,
    RequirementPolicy,
    ServiceItem,
    ServicePost,
    ServiceRecord,
    SignUp,
    SkillListing,
    TeamMember,
    VolunteerEvent,
)


@admin.register(RequirementPolicy)
class RequirementPolicyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["community", "min_items", "target_items", "min_hours", "target_hours", "updated_at"]
    list_filter = ["community__town", "min_items"]
    search_fields = ["community__name"]
    raw_id_fields = ["community", "updated_by"]


@admin.register(ServicePost)
class ServicePostAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "community", "capacity", "is_active", "sort_order"]
    list_filter = ["is_active", "community"]
    search_fields = ["name", "description", "community__name"]
    raw_id_fields = ["community"]


@admin.register(PostClaim)
class PostClaimAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "post", "year", "status", "created_at", "decided_at"]
    list_filter = ["status", "year", "community"]
    search_fields = ["person__name", "post__name"]
    raw_id_fields = ["community", "post", "person", "decided_by", "created_by"]
    readonly_fields = ["status", "decided_by", "decided_at"]


@admin.register(TeamMember)
class TeamMemberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "community", "joined_on"]
    list_filter = ["community", "joined_on"]
    search_fields = ["person__name"]
    raw_id_fields = ["community", "person"]


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "community", "is_active"]
    list_filter = ["kind", "is_active", "community"]
    search_fields = ["name", "description"]
    raw_id_fields = ["community"]


@admin.register(Pairing)
class PairingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "household", "programme", "status", "started_on", "ended_on"]
    list_filter = ["status", "programme__kind", "programme__community"]
    search_fields = ["person__name", "household", "address"]
    raw_id_fields = ["programme", "person", "recipient", "building", "created_by"]


@admin.register(DonatedGood)
class DonatedGoodAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "category",
        "quantity_left",
        "quantity_received",
        "donor",
        "received_on",
        "programme",
    ]
    list_filter = ["category", "programme__community", "received_on"]
    search_fields = ["name", "donor"]
    raw_id_fields = ["programme", "received_by"]
    readonly_fields = ["quantity_left"]


@admin.register(GoodHandout)
class GoodHandoutAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["recipient_name", "good", "quantity", "handed_out_on"]
    list_filter = ["handed_out_on", "good__programme__community"]
    search_fields = ["recipient_name", "good__name"]
    raw_id_fields = ["good", "recipient", "registered_by"]


@admin.register(SkillListing)
class SkillListingAdmin(MaskedPersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["skill", "person", "contact_phone", "programme", "is_active"]
    list_filter = ["is_active", "programme__community"]
    # a phone is searched only where the user sees the member's numbers in full (MaskedPersonalDataAdminMixin)
    search_fields = ["skill", "person__name", "contact_phone"]
    raw_id_fields = ["programme", "person"]
    list_select_related = ["person", "programme"]
    masked_fields = {"contact_phone": "mobile"}
    personal_data_community_field = "person__community_id"

    def personal_data_subject(self, obj):
        return obj.person  # the member's numbers, as on their record (their own in full)


class SignUpInline(ScopedChoicesMixin, admin.TabularInline):
    model = SignUp
    extra = 0
    raw_id_fields = ["person", "created_by"]
    readonly_fields = [
        "status",
        "queued_at",
        "promoted_at",
        "cancelled_at",
        "checked_in_at",
        "checked_out_at",
    ]
    can_delete = False


@admin.register(ServiceItem)
class ServiceItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "community", "starts_at", "ends_at", "capacity", "status"]
    list_filter = ["status", "community", "post", "programme__kind"]
    search_fields = ["title", "place", "description"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["community", "post", "programme", "organiser", "created_by"]
    readonly_fields = ["status", "cancel_reason"]
    inlines = [SignUpInline]


@admin.register(SignUp)
class SignUpAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "item", "status", "queued_at", "checked_in_at", "checked_out_at"]
    list_filter = ["status", "check_in_method", "item__community"]
    search_fields = ["person__name", "item__title"]
    raw_id_fields = ["item", "person", "created_by"]
    readonly_fields = ["status", "queued_at", "promoted_at", "cancelled_at"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "person",
        "item",
        "started_at",
        "minutes",
        "source",
        "status",
        "evaluation",
        "recorded_by",
    ]
    list_filter = ["status", "source", "evaluation", "item__community"]
    search_fields = ["person__name", "item__title", "content"]
    date_hierarchy = "started_at"
    raw_id_fields = ["item", "person", "recorded_by", "approved_by"]
    readonly_fields = ["status", "minutes", "approved_by", "approved_at"]


@admin.register(ConductNote)
class ConductNoteAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "noted_on", "kind", "community", "recorded_by"]
    list_filter = ["kind", "community", "noted_on"]
    search_fields = ["person__name", "note"]
    raw_id_fields = ["community", "person", "recorded_by"]


@admin.register(VolunteerEvent)
class VolunteerEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["at", "action", "from_status", "to_status", "by", "community"]
    list_filter = ["action", "community"]
    search_fields = ["action", "note", "by__username"]
    raw_id_fields = ["community", "by", "item", "claim", "signup", "record"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
