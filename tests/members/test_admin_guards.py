"""The members admin cannot make a state the services refuse: an officer ended without losing the role, a
registered member moved without the transfer, a penalty recorded outside the ladder. Each test posts the
admin form as a superuser (who passes every permission check) and shows the illegal state is not made."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from members import services
from members.models import (
    OfficerEndReason,
    OfficerRecord,
    OfficerRecordKind,
    OfficerStatus,
    Person,
    RoleAssignment,
)
from members.roles import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(cast):
    client = Client()
    client.force_login(f.UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def change_form_data(client, url: str) -> dict:
    """What the admin change page would post back unchanged: every editable field's current value, and each
    inline's management form and rows."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}

    def put(form, name):
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            return
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            put(formset.management_form, name)
        for row in formset.forms:
            for name in row.fields:
                put(row, name)
    return data


def test_officer_admin_does_not_end_an_appointment_behind_the_service(cast, root):
    # Given an officer in post, who holds the OFFICER login role
    officer = cast.officer_row
    url = reverse("admin:members_informationofficer_change", args=[officer.pk])
    data = change_form_data(root, url)

    # When a superuser sets the status to ended in the change form (and the form is saved)
    data.update(status=OfficerStatus.ENDED, ended_on="2026-06-01", end_reason=OfficerEndReason.RESIGNED)
    data.setdefault("appointed_by", str(cast.secretary.pk))  # when the form has it, it must be filled
    response = root.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    # Then nothing ends there: an ended officer still holding the role is not made
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.ACTIVE and officer.ended_on is None
    assert RoleAssignment.objects.filter(user=cast.officer, role=Role.OFFICER, community=cast.beijie).exists()


def test_officer_admin_action_ends_the_appointment_through_the_service(cast, root):
    officer = cast.officer_row

    response = root.post(
        reverse("admin:members_informationofficer_changelist"),
        {"action": f"end_{OfficerEndReason.RESIGNED}", "_selected_action": [officer.pk]},
    )

    # the service ends it and takes the login role away, as the officer page would
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.ENDED and officer.end_reason == OfficerEndReason.RESIGNED
    assert not RoleAssignment.objects.filter(user=cast.officer, role=Role.OFFICER).exists()


def test_person_admin_does_not_move_a_registered_member_without_the_transfer(cast, root):
    # Given a member registered with 北街
    person = cast.member_person
    services.registration_submit(person=person, community=cast.beijie, by=cast.member)
    url = reverse("admin:members_person_change", args=[person.pk])
    data = change_form_data(root, url)

    # When a superuser changes the home community in the admin
    data["community"] = str(cast.changcheng.pk)
    data.pop("building", None)  # 北街's building would not fit 长城
    response = root.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    # Then the member still lives where the registration says: a move is the transfer's
    assert Person.objects.get(pk=person.pk).community == cast.beijie


def test_officer_record_admin_adds_no_penalty_outside_the_ladder(cast, root):
    # Given an officer with no penalty yet
    officer = cast.officer_row

    # When a superuser adds a dismissal straight away (skipping three rungs, with no reason) in the admin
    response = root.post(
        reverse("admin:members_officerrecord_add"),
        {
            "officer": officer.pk,
            "kind": OfficerRecordKind.DISMISSAL,
            "on": dt.date(2026, 6, 1).isoformat(),
            "reason": "直接解聘",
            "recorded_by": cast.secretary.pk,
        },
    )

    # Then the admin refuses: records come from the service that applies the ladder
    assert response.status_code == 403
    assert not OfficerRecord.objects.exists()
