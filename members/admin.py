from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from core.admin import (
    ScopedAdminMixin,
    ScopedChoicesMixin,
    SuperuserOnlyAdminMixin,
    SuperuserWritesOnlyMixin,
    declare_unscoped,
)
from core.errors import DomainError

from . import services
from .admin_privacy import MaskedPersonalDataAdminMixin
from .models import (
    Building,
    Community,
    Compound,
    Employer,
    InformationOfficer,
    OfficerEndReason,
    OfficerRecord,
    PartyMembership,
    Person,
    Registration,
    RegistrationEvent,
    ResponsibilityZone,
    RoleAssignment,
    RosterImport,
    Town,
    User,
    WorkdayOverride,
    ZoneAssignment,
)


class RoleInline(ScopedChoicesMixin, admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["town", "community", "employer"]


# Accounts span communities (one login, roles in several), and the user form edits is_superuser, groups
# and permissions: the admin of accounts is for superusers only, reading included (User.mobile). Community
# offices create and manage their people's accounts through the services, not here.
declare_unscoped("members.User", "accounts and their privileges, superusers only")
# The holiday/调休 calendar: the State Council's nationwide days plus a town's own, read by every
# community's deadline arithmetic. Readable with the view permission; only a superuser writes it.
declare_unscoped("members.WorkdayOverride", "global reference data, written by superusers only")


@admin.register(User)
class UserAdmin(SuperuserOnlyAdminMixin, BaseUserAdmin):
    """Superusers only (core.admin.UNSCOPED_ADMIN_MODELS): the form edits is_superuser and permissions."""

    inlines = [RoleInline]
    list_display = ["username", "first_name", "email", "is_active", "must_change_password", "last_login"]
    list_filter = ["is_active", "is_superuser", "must_change_password", "role_assignments__role"]
    fieldsets = BaseUserAdmin.fieldsets + (("民情流水线", {"fields": ["mobile", "must_change_password"]}),)


@admin.register(Town)
class TownAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "require_2fa_for_staff"]
    list_filter = ["require_2fa_for_staff"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # The second factor is the town supervisor's to switch (home page, API: an audited service that
        # checks who asks); in the admin only superusers change it.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("require_2fa_for_staff")
        return readonly


@admin.register(Community)
class CommunityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "town", "code", "officer_quota"]
    list_filter = ["town"]
    search_fields = ["name", "code"]


@admin.register(Compound)
class CompoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "community"]
    list_filter = ["community"]
    search_fields = ["name"]


@admin.register(Building)
class BuildingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "community", "compound"]
    list_filter = ["community"]
    search_fields = ["name"]


@admin.register(Employer)
class EmployerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "party_org_name", "town"]
    list_filter = ["town"]
    search_fields = ["name", "party_org_name"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "town", "community", "employer", "created_at"]
    list_filter = ["role", "town", "community"]
    search_fields = ["user__username", "user__first_name"]
    raw_id_fields = ["user"]


class MembershipInline(ScopedChoicesMixin, admin.StackedInline):
    model = PartyMembership
    extra = 0


@admin.register(Person)
class PersonAdmin(MaskedPersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "community", "gender", "mobile", "building", "unit_room"]
    list_filter = ["community", "gender", "membership__category"]
    search_fields = ["name", "mobile", "id_number"]
    raw_id_fields = ["user", "building"]
    inlines = [MembershipInline]
    list_select_related = ["community", "building"]
    masked_fields = {"mobile": "mobile", "id_number": "id_number"}

    def personal_data_subject(self, obj):
        return obj  # a person sees their own record in full

    def get_readonly_fields(self, request, obj=None):
        # A registered member moves through the transfer (services.registration_transfer), which keeps the
        # registration, its history and the member's login role in step with the home community.
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and Registration.objects.active().filter(person=obj).exists():
            readonly.append("community")
        return readonly


@admin.register(PartyMembership)
class PartyMembershipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "category", "employer", "joined_on"]
    list_filter = ["category", "employer"]
    search_fields = ["person__name"]
    raw_id_fields = ["person"]


class RegistrationEventInline(ScopedChoicesMixin, admin.TabularInline):
    model = RegistrationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "by", "at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only here: status changes only through the services (and so always leave an event)."""

    list_display = ["person", "community", "status", "channel", "submitted_at", "decided_at"]
    list_filter = ["status", "channel", "community"]
    search_fields = ["person__name"]
    inlines = [RegistrationEventInline]
    readonly_fields = [f.name for f in Registration._meta.fields]

    def has_add_permission(self, request):
        return False


class OfficerRecordInline(ScopedChoicesMixin, admin.TabularInline):
    model = OfficerRecord
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "on", "reason", "amount_yuan", "recorded_by"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _end_action(reason: OfficerEndReason):
    """An admin action ending the selected appointments for `reason` through services.officer_end, which
    also takes the OFFICER login role away (the officer page and the API do the same)."""

    def end(modeladmin, request, queryset):
        ended = 0
        for officer in queryset.select_related("person"):
            try:
                services.officer_end(officer=officer, by=request.user, reason=reason)
            except DomainError as exc:
                modeladmin.message_user(request, f"{officer}：{exc.message}", messages.ERROR)
            else:
                ended += 1
        if ended:
            modeladmin.message_user(request, f"已结束 {ended} 名信息员的聘用（{reason.label}）")

    end.__name__ = f"end_{reason.value}"
    return admin.action(description=f"结束聘用：{reason.label}", permissions=["change"])(end)


@admin.register(InformationOfficer)
class InformationOfficerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Appointing and ending go through the services (the officers page, the API, or the actions here):
    they number the letter and give or take the OFFICER login role, so the admin neither adds officers nor
    edits who holds the post or its state."""

    list_display = ["appointment_no", "person", "community", "source", "status", "appointed_on", "term_end"]
    list_filter = ["status", "source", "community"]
    search_fields = ["appointment_no", "person__name"]
    raw_id_fields = ["person", "compound"]
    inlines = [OfficerRecordInline]
    readonly_fields = ["person", "community", "status", "ended_on", "end_reason", "appointed_by"]
    actions = [_end_action(reason) for reason in OfficerEndReason]

    def has_add_permission(self, request):
        return False


@admin.register(OfficerRecord)
class OfficerRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: commendations and penalties come from services.officer_record, which climbs the manual's
    ladder one rung at a time (and ends the appointment on a dismissal)."""

    list_display = ["officer", "kind", "on", "reason"]
    list_filter = ["kind"]
    search_fields = ["officer__person__name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ZoneAssignmentInline(ScopedChoicesMixin, admin.TabularInline):
    model = ZoneAssignment
    extra = 0
    raw_id_fields = ["person"]


@admin.register(ResponsibilityZone)
class ResponsibilityZoneAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "community"]
    list_filter = ["community"]
    search_fields = ["name"]
    filter_horizontal = ["buildings"]
    inlines = [ZoneAssignmentInline]


@admin.register(RosterImport)
class RosterImportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["filename", "status", "uploaded_by", "created_at", "committed_at"]
    list_filter = ["status"]
    search_fields = ["filename"]
    readonly_fields = ["uploaded_by", "community", "town", "filename", "status", "errors", "summary", "rows"]


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(SuperuserWritesOnlyMixin, admin.ModelAdmin):
    """Not tenant-scoped: see core.admin.UNSCOPED_ADMIN_MODELS."""

    list_display = ["date", "is_working_day", "name", "town", "updated_at"]
    list_filter = ["is_working_day", "town"]
    search_fields = ["name", "date"]
    date_hierarchy = "date"

    # the working-day cache is cleared by the save/delete receivers (members.calendar.connect), admin bulk
    # deletes included
