"""Every timeline speaks Chinese: the staff case page, a registration, an evaluation and a feedback sheet show
each event's action and states by their labels, never the code words the rows store (`register · — →
registered`), and the API gives a `*_display` beside each code."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cases.states import ACTION_LABELS, CaseState
from evaluations import services as ev_services
from evaluations.models import AppraisalState, FeedbackSheet, SheetState
from evaluations.models.appraisal import APPRAISAL_ACTION_LABELS
from members import services as member_services
from members.models import RegistrationStatus
from tests.cases.factories import make_case
from tests.evaluations.appraisal_support import open_appraisal
from tests.evaluations.employer_world import build_ledger
from tests.volunteering.factories import at
from volunteering.models import VolunteerEvent
from volunteering.models.events import VOLUNTEER_ACTION_LABELS

pytestmark = pytest.mark.django_db

CODE_WORDS = {
    *CaseState.values,
    *ACTION_LABELS,
    *RegistrationStatus.values,
    *AppraisalState.values,
    *APPRAISAL_ACTION_LABELS,
    *SheetState.values,
}
CODE_WORD = re.compile(r"\b(" + "|".join(sorted(CODE_WORDS, key=len, reverse=True)) + r")\b")
TIMELINE = re.compile(r'<(ol|ul) class="timeline">(.*?)</\1>', re.S)


def timeline_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    found = TIMELINE.search(response.content.decode())
    assert found, f"no timeline on {url}"
    return found.group(2)


def assert_speaks_chinese(timeline: str, *labels: str):
    assert not CODE_WORD.search(timeline), CODE_WORD.search(timeline).group(0)
    assert not re.search(r"[a-z_]+\s*→|→\s*[a-z_]+", timeline)  # no "→ registered"
    for label in labels:
        assert label in timeline


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_staff_case_timeline_shows_labels_not_codes(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLOSED)

    timeline = timeline_of(client_for(cast.secretary), reverse("cases:detail", args=[case.pk]))

    assert_speaks_chinese(timeline, "登记", "已登记", "反馈居民", "已办结 → 已反馈", "满意度评价", "归档")
    assert "居民" in timeline  # the resident's rating is signed as such


def test_the_case_api_gives_the_labels_beside_the_codes(cast, as_user):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.FEEDBACK_GIVEN)

    body = as_user("secretary").get(f"/api/v1/cases/{case.pk}/").json()

    first, last = body["events"][0], body["events"][-1]
    assert (first["action"], first["action_display"], first["from_state_display"]) == (
        "register",
        "登记",
        "—",
    )
    assert (last["action_display"], last["from_state_display"], last["to_state_display"]) == (
        "反馈居民",
        "已办结",
        "已反馈",
    )
    assert body["category_label"] and body["feedback_method_label"] == "电话回复"


def test_the_registration_timeline_and_api_show_labels(cast, as_user):
    registration = member_services.registration_submit(
        person=cast.member_person, community=cast.beijie, by=cast.member
    )
    member_services.registration_return(registration=registration, by=cast.secretary, reason="单位填写不全")

    timeline = timeline_of(
        client_for(cast.secretary), reverse("members:registration_detail", args=[registration.pk])
    )
    assert_speaks_chinese(timeline, "提交报到", "退回")

    body = as_user("secretary").get(f"/api/v1/registrations/{registration.pk}/").json()
    assert [e["to_status_display"] for e in body["events"]] == ["待确认", "已退回"]
    assert body["events"][1]["action_display"] == "退回"


def test_the_evaluation_timeline_shows_labels(cast, as_user):
    with time_machine.travel(at(2026, 11, 20, 10), tick=False):
        ev = open_appraisal(cast)
        ev_services.appraisal_close(appraisal=ev.appraisal, by=cast.secretary)

        timeline = timeline_of(
            client_for(cast.secretary), reverse("evaluations:appraisal_detail", args=[ev.appraisal.pk])
        )
        body = as_user("secretary").get(f"/api/v1/appraisals/{ev.appraisal.pk}/").json()

    assert_speaks_chinese(timeline, "开始评议", "筹备中 → 评议中", "结束评议", "评议中 → 已结束")
    assert body["events"][-1]["action_display"] == "结束评议"


def test_the_feedback_sheet_timeline_shows_labels(cast, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 10, 10), tick=False):
        ledger = build_ledger(cast)
        with django_capture_on_commit_callbacks(execute=True):
            ev_services.sheet_batch_start(community=cast.beijie, year=2026, by=cast.secretary)
        ev_services.sheets_issue_all(community=cast.beijie, year=2026, by=cast.secretary)
        sheet = FeedbackSheet.objects.get(person=ledger.person, is_current=True)

        timeline = timeline_of(
            client_for(cast.secretary), reverse("evaluations:sheet_detail", args=[sheet.pk])
        )

    assert_speaks_chinese(timeline, "待发出 → 已发出")


def test_every_volunteering_event_kind_has_a_label():
    """The services' action names (claim.approve, signup.create, …) all have a label in the table."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "volunteering" / "services"
    used = {m for p in root.glob("*.py") for m in re.findall(r'action="([a-z_.]+)"', p.read_text())}
    assert used and used <= set(VOLUNTEER_ACTION_LABELS)
    event = VolunteerEvent(action="claim.approve", from_status="pending", to_status="approved")
    assert (event.action_display, event.from_status_display, event.to_status_display) == (
        "同意认领",
        "待审核",
        "已认领",
    )
