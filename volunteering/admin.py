"""Admin for volunteering: every model with search and filters. Lists go through `visible_to` (as the API
and pages do). The admin cannot make an illegal state (as `cases/admin.py`):

- no add where a service creates the row (posts, claims, items, sign-ups, hours, programmes, pairings,
  goods and hand-outs, listings, conduct notes, the yearly policy): the services check the rules — ten
  posts at most, capacity, registration, stock — and write the event;
- fields a state machine or a service owns are read-only (statuses, decisions, stock, who and when);
- edits a service can make (a post, an item, a programme, the yearly policy) go through that service, so
  its rules hold and a refusal is shown on the form with nothing saved; every other field is read-only;
- rows with a history or an account behind them are never deleted (items, sign-ups, hours, claims,
  pairings, goods and hand-outs, programmes, events): cancel, withdraw or end them through the service.
"""

from django.contrib import admin
from django.db import transaction

from core.admin import ScopedAdminMixin, ScopedChoicesMixin
from core.errors import DomainError
from members.admin_privacy import MaskedPersonalDataAdminMixin

from . import services
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


class CreatedByServiceMixin:
    """The row is created by a service (which checks the rules and writes the event): no add here."""

    def has_add_permission(self, request, obj=None):
        return False


class KeptMixin:
    """A row with a history or an account behind it: never deleted here (cancel, withdraw or end it)."""

    def has_delete_permission(self, request, obj=None):
        return False


class ViewOnlyMixin(CreatedByServiceMixin, KeptMixin):
    """Every field is owned by a service (the state machine, attendance, the event log): read only."""

    def has_change_permission(self, request, obj=None):
        return False


class ChangedThroughServiceMixin(CreatedByServiceMixin):
    """Edits go through a service. The form offers `service_fields` only (everything else is read-only);
    what changed is handed to `apply_service` while the form validates, inside a savepoint, so the
    service's rules and permission checks hold and a refusal shows on the form with nothing saved. The
    service has saved the row by the time the admin would, so the admin does not save it again."""

    service_fields: tuple[str, ...] = ()

    def apply_service(self, request, obj, changes: dict) -> None:
        raise NotImplementedError

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        owned = [
            field.name
            for field in self.model._meta.concrete_fields
            if field.editable and not field.primary_key and field.name not in self.service_fields
        ]
        return list(dict.fromkeys(readonly + owned))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ThroughService(form_class):
            applied = False

            def clean(self):
                cleaned = super().clean()
                changes = {
                    name: cleaned[name]
                    for name in self.changed_data
                    if name in model_admin.service_fields and name in cleaned
                }
                if not changes or self._errors:
                    return cleaned
                try:
                    with transaction.atomic():
                        model_admin.apply_service(request, self.instance, changes)
                except DomainError as exc:
                    for name, problems in exc.fields.items():
                        if name in self.fields and name in self.cleaned_data:
                            self.add_error(name, problems)
                    self.add_error(None, exc.message)
                else:
                    self.applied = True
                return cleaned

        return ThroughService

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
        # a change: the service saved what changed; nothing else on the form is writable


# ----------------------------------------------------------------------------------- posts and claims


@admin.register(RequirementPolicy)
class RequirementPolicyAdmin(ChangedThroughServiceMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["community", "min_items", "target_items", "min_hours", "target_hours", "updated_at"]
    list_filter = ["community__town", "min_items"]
    search_fields = ["community__name"]
    raw_id_fields = ["community", "updated_by"]
    service_fields = ("min_items", "target_items", "min_hours", "target_hours")

    def apply_service(self, request, obj, changes):
        values = {name: changes.get(name, getattr(obj, name)) for name in self.service_fields}
        services.policy_set(community=obj.community, by=request.user, **values)


@admin.register(ServicePost)
class ServicePostAdmin(ChangedThroughServiceMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "community", "capacity", "is_active", "sort_order"]
    list_filter = ["is_active", "community"]
    search_fields = ["name", "description", "community__name"]
    raw_id_fields = ["community"]
    service_fields = ("name", "description", "specialties", "capacity", "sort_order", "is_active")

    def apply_service(self, request, obj, changes):
        services.post_update(post=obj, by=request.user, **changes)


@admin.register(PostClaim)
class PostClaimAdmin(CreatedByServiceMixin, KeptMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "post", "year", "status", "created_at", "decided_at"]
    list_filter = ["status", "year", "community"]
    search_fields = ["person__name", "post__name"]
    raw_id_fields = ["community", "post", "person", "decided_by", "created_by"]
    # claimed, approved, declined and withdrawn through the services; only the member's note is text
    readonly_fields = [
        "community",
        "post",
        "person",
        "year",
        "status",
        "decided_by",
        "decided_at",
        "decline_reason",
        "created_by",
    ]


@admin.register(TeamMember)
class TeamMemberAdmin(CreatedByServiceMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "community", "joined_on"]
    list_filter = ["community", "joined_on"]
    search_fields = ["person__name"]
    raw_id_fields = ["community", "person"]
    readonly_fields = ["community", "person"]


# ------------------------------------------------------------------------------------------ programmes


@admin.register(Programme)
class ProgrammeAdmin(ChangedThroughServiceMixin, KeptMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "community", "is_active"]
    list_filter = ["kind", "is_active", "community"]
    search_fields = ["name", "description"]
    raw_id_fields = ["community"]
    service_fields = ("name", "description", "is_active")

    def apply_service(self, request, obj, changes):
        services.programme_update(programme=obj, by=request.user, **changes)


@admin.register(Pairing)
class PairingAdmin(CreatedByServiceMixin, KeptMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "household", "programme", "status", "started_on", "ended_on"]
    list_filter = ["status", "programme__kind", "programme__community"]
    search_fields = ["person__name", "household", "address"]
    raw_id_fields = ["programme", "person", "recipient", "building", "created_by"]
    # paired and ended through the services (the end date also starts the retention period)
    readonly_fields = ["programme", "person", "status", "started_on", "ended_on", "created_by"]


@admin.register(DonatedGood)
class DonatedGoodAdmin(CreatedByServiceMixin, KeptMixin, ScopedAdminMixin, admin.ModelAdmin):
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
    # the stock moves with receipts and hand-outs only (services.good_receive / good_hand_out)
    readonly_fields = ["programme", "quantity_received", "quantity_left", "received_on", "received_by"]


@admin.register(GoodHandout)
class GoodHandoutAdmin(CreatedByServiceMixin, KeptMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["recipient_name", "good", "quantity", "handed_out_on"]
    list_filter = ["handed_out_on", "good__programme__community"]
    search_fields = ["recipient_name", "good__name"]
    raw_id_fields = ["good", "recipient", "registered_by"]
    # what left the stock, and when (the date starts the retention period)
    readonly_fields = ["good", "quantity", "handed_out_on", "registered_by"]


@admin.register(SkillListing)
class SkillListingAdmin(
    CreatedByServiceMixin, MaskedPersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin
):
    list_display = ["skill", "person", "contact_phone", "programme", "is_active"]
    list_filter = ["is_active", "programme__community"]
    # a phone is searched only where the user sees the member's numbers in full (MaskedPersonalDataAdminMixin)
    search_fields = ["skill", "person__name", "contact_phone"]
    raw_id_fields = ["programme", "person"]
    list_select_related = ["person", "programme"]
    masked_fields = {"contact_phone": "mobile"}
    personal_data_community_field = "person__community_id"
    # listed with the member's consent and withdrawn through the services (the withdrawal starts the
    # phone's retention period)
    readonly_fields = ["programme", "person", "is_active"]

    def personal_data_subject(self, obj):
        return obj.person  # the member's numbers, as on their record (their own in full)


# --------------------------------------------------------------------------------------- service items


class SignUpInline(ScopedChoicesMixin, admin.TabularInline):
    """The item's sign-ups as they stand: signing up, the waitlist and attendance are the services'."""

    model = SignUp
    extra = 0
    can_delete = False
    fields = [
        "person",
        "status",
        "queued_at",
        "promoted_at",
        "cancelled_at",
        "checked_in_at",
        "checked_out_at",
        "check_in_method",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(ChangedThroughServiceMixin, KeptMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "community", "starts_at", "ends_at", "capacity", "status"]
    list_filter = ["status", "community", "post", "programme__kind"]
    search_fields = ["title", "place", "description"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["community", "post", "programme", "organiser", "created_by"]
    inlines = [SignUpInline]
    # services.item_update: capacity against the sign-ups (and the waitlist promoted), times against the
    # hours recorded, the post, programme and organiser of the item's community
    service_fields = tuple(sorted(services.ITEM_FIELDS))

    def apply_service(self, request, obj, changes):
        services.item_update(item=obj, by=request.user, **changes)


@admin.register(SignUp)
class SignUpAdmin(ViewOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "item", "status", "queued_at", "checked_in_at", "checked_out_at"]
    list_filter = ["status", "check_in_method", "item__community"]
    search_fields = ["person__name", "item__title"]
    raw_id_fields = ["item", "person", "created_by"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(CreatedByServiceMixin, KeptMixin, ScopedAdminMixin, admin.ModelAdmin):
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
    # the national record rules: time, source, recorder, approval and evaluation are the services'; false
    # hours are cancelled (注销), never deleted. Only the description of the content may be corrected.
    readonly_fields = [
        "item",
        "person",
        "started_at",
        "ended_at",
        "minutes",
        "evaluation",
        "evaluation_note",
        "source",
        "status",
        "recorded_by",
        "approved_by",
        "approved_at",
        "status_reason",
    ]


# ------------------------------------------------------------------------------------ conduct, events


@admin.register(ConductNote)
class ConductNoteAdmin(CreatedByServiceMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "noted_on", "kind", "community", "recorded_by"]
    list_filter = ["kind", "community", "noted_on"]
    search_fields = ["person__name", "note"]
    raw_id_fields = ["community", "person", "recorded_by"]
    readonly_fields = ["community", "person", "recorded_by"]


@admin.register(VolunteerEvent)
class VolunteerEventAdmin(ViewOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["at", "action_label", "from_label", "to_label", "by", "community"]
    list_filter = ["action", "community"]

    @admin.display(description="操作", ordering="action")
    def action_label(self, obj):
        return obj.action_display

    @admin.display(description="原状态")
    def from_label(self, obj):
        return obj.from_status_display

    @admin.display(description="新状态")
    def to_label(self, obj):
        return obj.to_status_display

    search_fields = ["action", "note", "by__username"]
    raw_id_fields = ["community", "by", "item", "claim", "signup", "record"]
