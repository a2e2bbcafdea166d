"""Tenancy in the Django admin: every registered ModelAdmin lists, shows and offers (in its filters and
form choices) only what `visible_to(user)` lets the user see (core.admin.ScopedAdminMixin), or is in the
commented allow-list core.admin.UNSCOPED_ADMIN_MODELS of global data only superusers write.

A community's secretary flagged as admin staff and given every model permission still sees only their own
community: the other community's rows are missing from every list, and their change pages are not found."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import reverse

from cases import models as cm
from cases import services as case_services
from core.admin import UNSCOPED_ADMIN_MODELS, ScopedAdminMixin, ScopedChoicesMixin
from core.models import Notification, NotificationPreference
from members import models as mm
from tests import factories as f
from tests.cases.factories import make_case
from tests.evaluations.appraisal_support import appraisal_admin_rows
from tests.personas import world_per_module
from tests.volunteering import factories as vf
from volunteering import models as vm

REGISTRY = admin.site._registry
SCOPED = sorted(
    (
        model._meta.label
        for model, model_admin in REGISTRY.items()
        if isinstance(model_admin, ScopedAdminMixin)
    )
)
FOREIGN_COMMUNITY = "长城社区"


def _admin_for(label):
    return next(ma for model, ma in REGISTRY.items() if model._meta.label == label)


# ---------------------------------------------------------------------------------------- the registry


def test_every_registered_model_admin_is_scoped_or_allow_listed():
    unscoped = sorted(
        model._meta.label
        for model, model_admin in REGISTRY.items()
        if not isinstance(model_admin, ScopedAdminMixin) and model._meta.label not in UNSCOPED_ADMIN_MODELS
    )

    assert unscoped == [], f"scope these admins (core.admin.ScopedAdminMixin) or justify them: {unscoped}"


def test_the_allow_list_names_only_registered_admins_that_are_not_scoped():
    registered = {model._meta.label: model_admin for model, model_admin in REGISTRY.items()}

    for label in UNSCOPED_ADMIN_MODELS:
        assert label in registered, f"stale allow-list entry {label}"
        assert not isinstance(registered[label], ScopedAdminMixin), (
            f"{label} is scoped: drop it from the list"
        )


def test_every_scoped_admin_has_a_visible_to_to_scope_by():
    for model, model_admin in REGISTRY.items():
        if isinstance(model_admin, ScopedAdminMixin):
            assert hasattr(model._default_manager.all(), "visible_to"), model._meta.label
            assert not [e for e in model_admin.check() if e.id == "core.E001"], model._meta.label


def test_every_inline_scopes_its_choices():
    for model, model_admin in REGISTRY.items():
        for inline in model_admin.inlines:
            assert issubclass(inline, ScopedChoicesMixin), (model._meta.label, inline.__name__)


# scoped for reading, but no hand edits: an edited tracking-number counter would hand out a number twice
READ_ONLY_SCOPED = {"cases.CaseCounter"}


@pytest.mark.parametrize("label", sorted({*UNSCOPED_ADMIN_MODELS, *READ_ONLY_SCOPED}))
def test_allow_listed_admins_let_no_one_but_a_superuser_write(cast, label):
    model_admin = _admin_for(label)
    staff = f.UserFactory(username="all_perms", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(content_type=ContentType.objects.get_for_model(model_admin.model))
    )
    request = RequestFactory().get("/admin/")
    request.user = mm.User.objects.get(pk=staff.pk)  # no cached permissions

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_holiday_calendar_is_read_by_staff_and_written_by_a_superuser(cast):
    staff = f.UserFactory(username="all_perms", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_workdayoverride"))
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    as_staff, as_root = Client(), Client()
    as_staff.force_login(staff)
    as_root.force_login(root)

    assert as_staff.get(reverse("admin:members_workdayoverride_changelist")).status_code == 200
    assert as_staff.get(reverse("admin:members_workdayoverride_add")).status_code == 403
    assert as_root.get(reverse("admin:members_workdayoverride_add")).status_code == 200


def test_a_staff_account_with_every_user_permission_cannot_reach_the_accounts(cast):
    staff = f.UserFactory(username="all_perms", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="members", content_type__model="user")
    )
    client = Client()
    client.force_login(staff)

    assert client.get(reverse("admin:members_user_changelist")).status_code == 403
    assert client.get(reverse("admin:members_user_change", args=[cast.secretary.pk])).status_code == 403


# ------------------------------------------------------------------------- one row per model, A and B


def _community_rows(community, *, office, person, officer, building, tag):
    """One row of every community-owned model in `community`, made by its `office` user."""
    today = dt.date(2026, 3, 2)
    case = make_case(community, by=office, building=building)
    day = case_services.reception_schedule(
        community=community, by=office, kind=cm.ReceptionKind.DEPUTIES, year=2026, month=1, host_name=tag
    )
    item = case_services.reception_item_record(
        reception=day, by=office, visitor_name=f"{tag}访客", visitor_phone="13812345678", content="路灯不亮"
    )
    mailbox = cm.Mailbox.objects.create(community=community, location=f"{tag}信箱", keeper=office)
    forum = cm.Forum.objects.create(community=community, held_on=today, title=f"{tag}恳谈会")
    programme = vf.ProgrammeFactory(community=community, kind=vm.ProgrammeKind.LOVE_SUPERMARKET)
    good = vf.GoodFactory(programme=programme)
    service_item = vf.ItemFactory(community=community, post=vf.PostFactory(community=community))
    return {
        "members.Compound": f.CompoundFactory(community=community),
        "members.Building": building,
        "members.Person": person,
        "members.PartyMembership": person.membership,
        "members.Registration": f.RegistrationFactory(person=person),
        "members.InformationOfficer": officer,
        "members.OfficerRecord": mm.OfficerRecord.objects.create(
            officer=officer, kind=mm.OfficerRecordKind.COMMENDATION, on=today, reason="表现突出"
        ),
        "members.ResponsibilityZone": f.ZoneFactory(community=community),
        "members.RosterImport": mm.RosterImport.objects.create(
            uploaded_by=office,
            community=community,
            town=community.town,
            filename=f"{tag}.xlsx",
            status=mm.ImportStatus.PREVIEW,
        ),
        "cases.Case": case,
        "cases.CaseEvent": case.events.first(),
        "cases.CaseAttachment": cm.CaseAttachment.objects.create(
            case=case,
            file="cases/attachments/x.jpg",
            content_type="image/jpeg",
            size=1,
            original_name="x.jpg",
        ),
        "cases.CaseCounter": cm.CaseCounter.objects.filter(community=community).first(),
        "cases.HandlingTimeLimit": cm.HandlingTimeLimit.objects.create(
            community=community, handling_type=cm.HandlingType.PROMISED, working_days=5
        ),
        "cases.RetentionPolicy": cm.RetentionPolicy.objects.create(community=community, retention_days=365),
        "cases.Mailbox": mailbox,
        "cases.MailboxOpening": cm.MailboxOpening.objects.create(
            mailbox=mailbox, opened_on=today, opened_by=office, letters=1
        ),
        "cases.ReceptionDay": day,
        "cases.ReceptionItem": item,
        "cases.Forum": forum,
        "cases.ForumItem": cm.ForumItem.objects.create(
            forum=forum, raised_by=f"{tag}居民", content="增设座椅", answered_on_spot=True, answer="已答复"
        ),
        "cases.ThematicGroup": cm.ThematicGroup.objects.create(community=community, title=f"{tag}专题"),
        "cases.DiaryEntry": cm.DiaryEntry.objects.create(
            officer=officer, visited_on=today, household=f"{tag}3号楼201", heard="楼道堆物"
        ),
        "cases.Disclosure": cm.Disclosure.objects.create(
            community=community, kind=cm.DisclosureKind.PROCEDURES, body="办事程序"
        ),
        "cases.Announcement": cm.Announcement.objects.create(
            community=community,
            category=cm.AnnouncementCategory.POLICY,
            title=f"{tag}公告",
            body="惠民政策",
            published_on=today,
        ),
        "volunteering.RequirementPolicy": vm.RequirementPolicy.objects.create(community=community),
        "volunteering.ServicePost": service_item.post,
        "volunteering.PostClaim": vf.ClaimFactory(post=service_item.post, person=person),
        "volunteering.TeamMember": vm.TeamMember.objects.create(
            community=community, person=person, joined_on=today
        ),
        "volunteering.Programme": programme,
        "volunteering.Pairing": vf.PairingFactory(programme=programme, person=person),
        "volunteering.DonatedGood": good,
        "volunteering.GoodHandout": vm.GoodHandout.objects.create(
            good=good, recipient_name=f"{tag}领取人", quantity=1, handed_out_on=today
        ),
        "volunteering.SkillListing": vf.SkillFactory(programme=programme, person=person),
        "volunteering.ServiceItem": service_item,
        "volunteering.SignUp": vf.SignUpFactory(item=service_item, person=person),
        "volunteering.ServiceRecord": vf.RecordFactory(item=service_item, person=person),
        "volunteering.ConductNote": vm.ConductNote.objects.create(
            community=community, person=person, noted_on=today, note="积极参与"
        ),
        "volunteering.VolunteerEvent": vm.VolunteerEvent.objects.create(community=community, action="test"),
        # appraisal
        **appraisal_admin_rows(community, person=person, officer=officer),
        # employer
        **_evaluation_rows(community, person),
        # supervision (staff complaints are the town office's alone: superuser-only in the admin)
        "supervision.SupervisionOrder": _supervision_order(case),
    }


def _supervision_order(case):
    from supervision.models import SupervisionOrder

    day = dt.date(2026, 3, 16)
    return SupervisionOrder.objects.create(
        case=case,
        community=case.community,
        town=case.community.town,
        case_due_on=day,
        issued_on=day,
        due_on=day,
    )


def _evaluation_rows(community, person):
    """employer: one row of each model of the evaluations app's employer half, in `community`."""
    from django.utils import timezone

    from evaluations import models as em

    employer = person.membership.employer
    return {
        "evaluations.FeedbackSheet": em.FeedbackSheet.objects.create(
            community=community, person=person, employer=employer, year=2025
        ),
        "evaluations.SheetBatch": em.SheetBatch.objects.create(community=community, year=2025),
        "evaluations.Consultation": em.Consultation.objects.create(
            employer=employer,
            person=person,
            community=community,
            purpose=em.ConsultationPurpose.AWARD,
            asked_at=timezone.now(),
            due_on=dt.date(2026, 3, 16),
        ),
        "evaluations.ServiceCertificate": em.ServiceCertificate.objects.create(
            person=person, community=community, minutes=60
        ),
    }


def build_world(cast):
    """{model label: (a row of 北街 the secretary should see, a row she must not)} for every scoped admin."""
    changcheng_officer = f.OfficerFactory(community=cast.changcheng, person=cast.foreign_person)
    a = _community_rows(
        cast.beijie,
        office=cast.staff,
        person=cast.member_person,
        officer=cast.officer_row,
        building=cast.b1,
        tag="北",
    )
    b = _community_rows(
        cast.changcheng,
        office=cast.other_secretary,
        person=cast.foreign_person,
        officer=changcheng_officer,
        building=cast.cc1,
        tag="长",
    )
    pairs = {label: (a[label], b[label]) for label in a}
    pairs["core.Notification"] = tuple(  # a notification is its recipient's only
        Notification.objects.create(recipient=user, kind="test", title="通知")
        for user in (cast.secretary, cast.other_secretary)
    )
    pairs["core.NotificationPreference"] = tuple(  # so is a choice of channels
        NotificationPreference.objects.create(user=user) for user in (cast.secretary, cast.other_secretary)
    )
    pairs["members.Town"] = (cast.town_obj, cast.other_town_obj)
    pairs["members.Community"] = (cast.beijie, cast.changcheng)
    pairs["members.Employer"] = (cast.hospital, f.EmployerFactory(town=cast.other_town_obj, name="东关单位"))
    pairs["members.RoleAssignment"] = (
        mm.RoleAssignment.objects.get(user=cast.staff),
        mm.RoleAssignment.objects.get(user=cast.other_secretary),
    )
    return pairs


module_world, world = world_per_module(build_world)  # built once, fresh for each test


@pytest.fixture
def admin_secretary(cast):
    """北街's secretary, flagged as admin staff and given the view and change permission of every model."""
    user = cast.secretary
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        *Permission.objects.filter(codename__regex=r"^(view|change)_").exclude(
            codename="view_full_personal_data"
        )
    )
    client = Client()
    client.force_login(user)
    return client


def test_the_world_has_a_pair_of_rows_for_every_scoped_admin(world):
    assert sorted(world) == SCOPED


@pytest.mark.parametrize("label", SCOPED)
def test_a_secretary_with_admin_access_sees_only_her_communitys_rows(world, admin_secretary, label):
    own, foreign = world[label]
    opts = type(own)._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    response = admin_secretary.get(changelist)

    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert own.pk in shown
    assert foreign.pk not in shown
    assert FOREIGN_COMMUNITY not in response.content.decode()  # nor in a filter, a column or a count


@pytest.mark.parametrize("label", SCOPED)
def test_a_secretary_with_admin_access_cannot_open_another_communitys_row(world, admin_secretary, label):
    own, foreign = world[label]
    opts = type(own)._meta

    response = admin_secretary.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[foreign.pk])
    )
    mine = admin_secretary.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[own.pk]))

    # The admin treats an object outside get_queryset as missing: back to its index with a message.
    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert mine.status_code == 200


def test_form_choices_offer_only_her_communitys_rows(world, admin_secretary):
    mailbox, _ = world["cases.Mailbox"]
    response = admin_secretary.get(reverse("admin:cases_mailbox_change", args=[mailbox.pk]))

    choices = response.context["adminform"].form.fields["community"].queryset
    assert list(choices) == [mailbox.community]


def test_she_cannot_point_her_row_at_another_community(cast, world, admin_secretary):
    announcement, _ = world["cases.Announcement"]
    url = reverse("admin:cases_announcement_change", args=[announcement.pk])

    response = admin_secretary.post(
        url,
        {
            "community": cast.changcheng.pk,
            "category": announcement.category,
            "title": announcement.title,
            "body": announcement.body,
            "published_on": announcement.published_on.isoformat(),
        },
    )

    assert response.status_code == 200 and "community" in response.context["adminform"].form.errors
    announcement.refresh_from_db()
    assert announcement.community_id == cast.beijie.pk
