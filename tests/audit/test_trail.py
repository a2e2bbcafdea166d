"""Every write to a domain object lands in the append-only trail: who, when, from where, before/after —
with phone and ID numbers masked, secrets left out, and nothing recorded for a write that rolled back."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import signals

from cases.models import CaseEvent
from cases.states import CaseState
from core import audit
from core.models import AuditEvent
from members import services
from members.models import Person, RoleAssignment, ZoneAssignment
from members.roles import Role
from members.roster import roster_import_commit, roster_import_create
from tests import factories as f
from tests.audit.conftest import events, mark
from tests.cases.factories import make_case
from tests.members.roster_files import complete_sample_town, person_row, roster_xlsx

FULL_MOBILE = "13712345678"
FULL_ID = f.make_id_number(777)


def trail_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("changes", "extra", "reason")), ensure_ascii=False)


def test_every_model_of_the_domain_apps_is_audited_except_the_event_histories():
    # every domain app asked for its models to be audited (audit.audit_app in its AppConfig.ready)
    assert {"members", "volunteering", "cases", "evaluations"} <= audit.AUDITED_APPS
    assert {
        "cases.CaseEvent",
        "cases.CaseCounter",
        "members.RegistrationEvent",
        "volunteering.VolunteerEvent",
    } == audit.UNAUDITED_MODELS
    audited = set(audit.audited_models())
    for model in apps.get_models():
        label = model._meta.label
        domain = model._meta.app_label in audit.AUDITED_APPS or label in audit.AUDITED_MODELS
        if domain and label not in audit.UNAUDITED_MODELS:
            assert model in audited, label
            assert signals.pre_save.has_listeners(model) and signals.post_delete.has_listeners(model), label
    assert apps.get_model("members.Person") in audited
    assert apps.get_model("members.WorkdayOverride") in audited
    assert apps.get_model("core.Notification") not in audited


def test_a_case_transition_through_the_api_is_recorded_with_who_where_and_before_after(cast, as_user):
    case = make_case(cast.beijie, by=cast.secretary)
    client = as_user("secretary")

    response = client.post(
        f"/api/v1/cases/{case.pk}/classify/", {"handling_type": "promised"}, REMOTE_ADDR="10.1.2.3"
    )

    assert response.status_code == 200
    [event] = events(action="update", object_type="cases.Case", object_id=str(case.pk))
    assert event.actor == cast.secretary and event.actor_label == "alice"
    assert event.ip == "10.1.2.3" and event.request_id == response["X-Request-ID"]
    assert event.community_id == cast.beijie.pk
    assert event.changes["state"] == [CaseState.REGISTERED, CaseState.CLASSIFIED]
    assert event.changes["handling_type"] == ["", "promised"]
    assert "updated_at" not in event.changes


def test_a_new_person_is_recorded_with_masked_numbers_and_name(cast):
    person = services.person_save(
        by=cast.secretary, community=cast.beijie, name="张秀英", mobile=FULL_MOBILE, id_number=FULL_ID
    )

    [event] = events(action="create", object_type="members.Person", object_id=str(person.pk))
    assert event.changes["mobile"] == [None, "137****5678"]
    assert event.changes["id_number"] == [None, f"{FULL_ID[:4]}**********{FULL_ID[-4:]}"]
    assert event.changes["name"] == [None, "张**"]
    assert event.changes["community"] == [None, cast.beijie.pk]
    assert FULL_MOBILE not in trail_text() and FULL_ID not in trail_text()


def test_changing_a_phone_number_records_only_what_changed_and_masks_both_sides(cast):
    person = f.PersonFactory(community=cast.beijie, mobile="13900000001")
    start = mark()

    services.person_save(by=cast.secretary, person=person, mobile=FULL_MOBILE, note="搬到2号楼")

    [event] = events(start, object_type="members.Person")
    assert event.action == "update"
    assert event.changes == {"mobile": ["139****0001", "137****5678"], "note": ["", "搬到2号楼"]}


def test_phone_numbers_typed_into_free_text_are_masked_in_the_trail(cast):
    make_case(cast.beijie, by=cast.secretary, content=f"李四 {FULL_MOBILE} 反映楼道堆物，身份证{FULL_ID}")

    [event] = events(action="create", object_type="cases.Case")
    assert "137****5678" in event.changes["content"][1]
    assert FULL_MOBILE not in trail_text() and FULL_ID not in trail_text()
    assert event.changes["resident_name"] == [None, "王**"]
    assert event.changes["access_code_hash"] == [None, audit.HIDDEN]


def test_a_password_change_is_recorded_without_the_hash(cast):
    user = cast.member
    start = mark()
    user.set_password("another-pass-9876")
    user.save()

    [event] = events(start, object_type="members.User", object_id=str(user.pk), action="update")
    assert event.changes == {"password": [audit.HIDDEN, audit.HIDDEN]}
    assert "md5$" not in trail_text()


def test_a_login_timestamp_alone_is_neither_recorded_nor_queried(cast, django_assert_num_queries):
    from django.utils import timezone

    user = cast.member
    user.last_login = timezone.now()
    before = AuditEvent.objects.count()
    with django_assert_num_queries(1):  # the UPDATE itself: no snapshot, no audit row
        user.save(update_fields=["last_login"])
    assert AuditEvent.objects.count() == before


def test_an_unchanged_save_records_nothing(cast):
    person = Person.objects.get(pk=cast.member_person.pk)
    before = AuditEvent.objects.count()
    person.save()
    assert AuditEvent.objects.count() == before


def test_appointing_and_ending_an_officer_records_the_role_grant_and_revocation(cast):
    resident = f.PersonFactory(community=cast.beijie, user=f.UserFactory(username="wang"))
    start = mark()

    officer = services.officer_appoint(
        community=cast.beijie,
        person=resident,
        by=cast.secretary,
        source="activist",
        appointed_on=dt.date(2026, 3, 2),
    )
    [granted] = events(start, action="role_granted")
    assert granted.changes["role"] == [None, Role.OFFICER]
    assert granted.changes["user"] == [None, resident.user_id]
    assert granted.community_id == cast.beijie.pk
    assert events(action="create", object_type="members.InformationOfficer", object_id=str(officer.pk))

    services.officer_end(officer=officer, by=cast.secretary, reason="resigned")

    [revoked] = events(start, action="role_revoked")
    assert revoked.object_id == granted.object_id and revoked.changes["role"] == [Role.OFFICER, None]
    assert not RoleAssignment.objects.filter(pk=granted.object_id).exists()


def test_a_deleted_row_is_recorded_with_its_last_values(cast):
    zone = f.ZoneFactory(community=cast.beijie)
    services.zone_assign(zone=zone, person=cast.member_person, by=cast.secretary)
    assignment = ZoneAssignment.objects.get(zone=zone)

    services.zone_unassign(zone=zone, person=cast.member_person, by=cast.secretary)

    [deleted] = events(action="delete", object_type="members.ZoneAssignment")
    assert deleted.object_id == str(assignment.pk)
    assert deleted.changes["person"] == [cast.member_person.pk, None]
    assert deleted.community_id == cast.beijie.pk  # through the zone


def test_many_to_many_changes_and_permission_grants_are_recorded(cast):
    zone = services.zone_save(
        community=cast.beijie, by=cast.secretary, name="东片", buildings=[cast.b1, cast.b2]
    )
    [added] = events(action="m2m_add", object_type="members.ResponsibilityZone")
    assert added.changes == {"buildings": {"added": sorted([cast.b1.pk, cast.b2.pk])}}
    assert added.object_id == str(zone.pk)

    permission = Permission.objects.get(codename="view_auditevent")
    cast.outsider.user_permissions.add(permission)

    [granted] = events(action="permission_granted")
    assert granted.object_id == str(cast.outsider.pk)
    assert granted.changes == {"user_permissions": {"added": [permission.pk]}}
    assert granted.extra["names"] == [str(permission)]


def test_a_write_that_rolls_back_leaves_no_trail(cast):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.person_save(by=cast.secretary, community=cast.beijie, name="回滚", mobile=FULL_MOBILE)
        raise RuntimeError("the request failed after the write")
    assert AuditEvent.objects.count() == before


def test_writes_outside_a_request_name_the_task_that_made_them(cast):
    with audit.acting_as(label="celery:nightly"):
        person = f.PersonFactory(community=cast.beijie)
    [event] = events(object_type="members.Person", object_id=str(person.pk))
    assert event.actor is None and event.actor_label == "celery:nightly"


def test_the_event_histories_are_not_duplicated_into_the_trail(cast):
    make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    assert CaseEvent.objects.count() == 3
    assert not events(object_type="cases.CaseEvent")
    assert len(events(object_type="cases.Case")) == 3  # create, classify, assign


def test_a_roster_commit_writes_one_summary_for_its_bulk_writes(cast):
    complete_sample_town(cast)
    existing = f.PersonFactory(community=cast.beijie, id_number=person_row(2)["身份证号码"])
    f.MembershipFactory(person=existing, employer=cast.hospital)
    upload = roster_import_create(
        by=cast.town, fileobj=roster_xlsx([person_row(1), person_row(2)]), filename="r.xlsx"
    )
    start = mark()

    roster_import_commit(roster_import=upload, by=cast.town)

    [summary] = events(start, action="bulk_roster_import")
    created = Person.objects.get(id_number=person_row(1)["身份证号码"])
    assert summary.actor == cast.town and summary.object_type == "members.RosterImport"
    assert summary.extra["created_people"] == [created.pk]
    assert summary.extra["updated_people"] == [existing.pk]
    assert not events(start, object_type="members.Person")  # bulk writes: the summary stands for them
    [committed] = events(start, action="update", object_type="members.RosterImport")
    assert "rows" not in committed.changes and committed.changes["status"] == ["preview", "committed"]
    assert person_row(1)["身份证号码"] not in trail_text()
