"""Due-soon reminders on the real calendar, the other reminders' idempotency, and complaints about staff."""

import pytest
import time_machine

from cases.models import Category
from core.errors import DomainError, PermissionDenied
from core.models import Notification
from members import services as member_services
from supervision import services
from supervision.models import ComplaintState, Measure, StaffComplaint, StaffSanction
from tests.cases.factories import make_case
from tests.supervision.support import D, at, promised_case


def remind(day):
    with time_machine.travel(at(day), tick=False):
        return services.due_soon_reminders(today=day)


def test_the_assignee_is_reminded_the_working_day_before_the_deadline_across_mid_autumn(cast):
    # Due Mon 28 Sep (registered Mon 21 Sep, 4 working days: 22, 23, 24, 28 — Fri 25 is Mid-Autumn)
    case = promised_case(cast.beijie, registered=D(2026, 9, 21), days=4, by=cast.secretary, worker=cast.staff)
    assert case.due_on == D(2026, 9, 28)
    assert remind(D(2026, 9, 23)) == 0  # the next working day is Thu 24
    assert remind(D(2026, 9, 24)) == 1  # Thu 24: the next working day is Mon 28
    assert remind(D(2026, 9, 24)) == 0  # twice the same day: nothing new
    assert remind(D(2026, 9, 26)) == 0  # a holiday: no reminders at all
    note = Notification.objects.get(recipient=cast.staff, kind="case_due_soon")
    assert case.tracking_no in note.body and "09月28日" in note.title


def test_a_deadline_on_the_make_up_sunday_is_reminded_on_the_friday_before(cast):
    # Sun 20 Sep is a make-up working day: a case due that Sunday is reminded on Fri 18 Sep
    case = promised_case(cast.beijie, registered=D(2026, 9, 17), days=2, by=cast.secretary, worker=cast.staff)
    assert case.due_on == D(2026, 9, 20)
    assert remind(D(2026, 9, 18)) == 1


def test_the_other_reminders_are_idempotent_per_day(cast):
    # officer vacancy: 北街 has a quota of 2 and one officer
    with time_machine.travel(at(D(2026, 10, 12)), tick=False):
        first = member_services.officer_vacancy_alerts(today=D(2026, 10, 12))
        again = member_services.officer_vacancy_alerts(today=D(2026, 10, 12))
    assert first >= 1 and again == 0


# --------------------------------------------------------------------------------- staff complaints


def test_a_complaint_about_staff_goes_to_the_town_office_not_to_the_staff_members_own(cast, as_user):
    with pytest.raises(DomainError) as refused:
        services.complaint_receive(
            community=cast.beijie,
            staff=cast.staff,
            content="窗口办事态度生硬",
            route_to="community_office",
            by=cast.secretary,
        )
    assert "不能交由被投诉人所在社区办公室" in refused.value.message and "route_to" in refused.value.fields
    assert not StaffComplaint.objects.exists()
    complaint = services.complaint_receive(
        community=cast.beijie, staff=cast.staff, content="窗口办事态度生硬", by=cast.secretary
    )
    # the town's office is told and sees it; the staff member's own community office does not
    assert Notification.objects.filter(recipient=cast.town, kind="staff_complaint").exists()
    url = f"/api/v1/supervision/staff-complaints/{complaint.pk}/"
    assert as_user("town").get(url).status_code == 200
    for persona in ("secretary", "staff", "director", "other_town", "other_secretary"):
        assert as_user(persona).get(url).status_code == 404, persona


def test_the_api_refuses_routing_to_the_own_office_with_a_clear_message(cast, as_user):
    response = as_user("town").post(
        "/api/v1/supervision/staff-complaints/",
        {
            "community": cast.beijie.pk,
            "staff": cast.director.pk,
            "content": "有意拖延办事时限",
            "route_to": "community_office",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "镇投诉监督室" in response.json()["error"]["message"]
    assert not StaffComplaint.objects.exists()


def test_only_a_staff_member_of_the_community_can_be_complained_about(cast):
    with pytest.raises(DomainError) as refused:
        services.complaint_receive(community=cast.beijie, staff=cast.member, content="态度不好", by=cast.town)
    assert "staff" in refused.value.fields


def test_a_cadre_case_becomes_a_complaint(cast):
    case = make_case(cast.beijie, by=cast.secretary, category=Category.CADRE, content="工作人员刁难群众")
    complaint = services.complaint_receive(
        community=cast.beijie, staff=cast.staff, content="工作人员刁难群众", case=case, by=cast.town
    )
    assert complaint.channel == case.channel and complaint.case == case


def test_the_ladder_admonition_then_efficiency_warning_then_discipline(cast):
    def complain_and_conclude(measure, reason=""):
        complaint = services.complaint_receive(
            community=cast.beijie, staff=cast.staff, content="窗口无人值守", by=cast.town
        )
        return services.complaint_conclude(
            complaint=complaint,
            finding="founded",
            findings="经查属实",
            measure=measure,
            reason=reason,
            by=cast.town,
        )

    complain_and_conclude(Measure.ADMONITION)
    # the second founded complaint: the ladder says 效能告诫; a lighter measure needs a reason
    complaint = services.complaint_receive(
        community=cast.beijie, staff=cast.staff, content="再次刁难群众", by=cast.town
    )
    with pytest.raises(DomainError) as refused:
        services.complaint_conclude(
            complaint=complaint,
            finding="founded",
            findings="经查属实",
            measure=Measure.ADMONITION,
            by=cast.town,
        )
    assert "效能告诫" in refused.value.message and "reason" in refused.value.fields
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.RECEIVED  # nothing half-saved
    services.complaint_conclude(
        complaint=complaint,
        finding="founded",
        findings="经查属实",
        measure=Measure.EFFICIENCY_WARNING,
        by=cast.town,
    )
    complain_and_conclude(Measure.DISCIPLINE)
    assert list(
        StaffSanction.objects.filter(staff=cast.staff).order_by("pk").values_list("measure", flat=True)
    ) == [
        "admonition",
        "efficiency_warning",
        "discipline",
    ]


def test_only_the_town_office_concludes(cast):
    complaint = services.complaint_receive(
        community=cast.beijie, staff=cast.staff, content="窗口无人值守", by=cast.town
    )
    for someone in (cast.secretary, cast.other_town):
        with pytest.raises(PermissionDenied):
            services.complaint_conclude(
                complaint=complaint, finding="unfounded", findings="经查不实", by=someone
            )
    services.complaint_conclude(complaint=complaint, finding="unfounded", findings="经查不实", by=cast.town)
    assert not StaffSanction.objects.exists()


def test_the_complaint_pages(cast, client):
    complaint = services.complaint_receive(
        community=cast.beijie, staff=cast.staff, content="窗口无人值守", by=cast.town
    )
    client.force_login(cast.town)
    assert (
        "窗口无人值守" not in client.get("/supervision/complaints/").content.decode()
    )  # the list shows names
    detail = client.get(f"/supervision/complaints/{complaint.pk}/").content.decode()
    assert "诫勉教育" in detail and "调查办结" in detail
    client.force_login(cast.secretary)
    assert client.get(f"/supervision/complaints/{complaint.pk}/").status_code == 404
