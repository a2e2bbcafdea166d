"""The assignee reaches the resident: an officer asked to 反馈居民 or 约定上门 saw 139****5678 and nothing
else. The case's current assignee (and the office, as before) reveals the number with a one-tap reason,
written to the access log, and gets a tel: link; any other officer is refused (403 when the case is
visible to them, 404 when it is not)."""

import pytest
from django.test import Client
from django.urls import reverse

from cases import services
from cases.models import Case
from cases.states import CaseState
from core.models import AccessLog
from members.roles import Role
from tests import factories as f
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

PHONE = "13912345678"  # tests/cases/factories.make_case
MASKED = "139****5678"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(cast):
    return make_case(cast.beijie, by=cast.secretary, state=CaseState.RESOLVED, worker=cast.officer)


@pytest.fixture
def other_officer(cast):
    user = f.UserFactory(username="olaf", first_name="奥拉夫")
    f.RoleFactory(user=user, role=Role.OFFICER, community=cast.beijie)
    return user


def reveal(client, case, reason="电话反馈办理结果"):
    return client.post(reverse("cases:reveal", args=[case.pk]), {"reason": reason})


def test_the_assignee_sees_the_masked_number_and_one_tap_reasons(cast, case):
    html = client_for(cast.officer).get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert MASKED in html and PHONE not in html and "tel:" not in html
    assert f'action="{reverse("cases:reveal", args=[case.pk])}"' in html
    for reason in services.REVEAL_REASONS:
        assert f'name="reason" value="{reason}"' in html


def test_the_assignee_reveals_with_a_reason_and_gets_a_tel_link(cast, case):
    response = reveal(client_for(cast.officer), case, reason="约定上门时间")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="tel:{PHONE}">{PHONE}</a>' in html
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get(what="reveal")
    assert (log.actor, log.reason, log.object_id) == (cast.officer, "约定上门时间", str(case.pk))
    assert log.extra == {"fields": ["resident_phone"]}


def test_a_reveal_without_a_reason_is_refused_and_not_logged(cast, case):
    response = reveal(client_for(cast.officer), case, reason="看")

    assert response.status_code == 400 and "查看原因至少 4 个字" in response.content.decode()
    assert PHONE not in response.content.decode()
    assert not AccessLog.objects.filter(what="reveal").exists()


def test_another_officer_who_sees_the_case_is_refused(cast, case, other_officer):
    Case.objects.filter(pk=case.pk).update(received_by=other_officer)  # they took it in: the case is visible
    client = client_for(other_officer)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert "cases:reveal" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    response = reveal(client, case)

    assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert not AccessLog.objects.filter(what="reveal").exists()


def test_an_officer_who_does_not_see_the_case_gets_404(cast, case, other_officer):
    assert reveal(client_for(other_officer), case).status_code == 404
    assert not AccessLog.objects.filter(what="reveal").exists()


def test_a_former_assignee_gets_404_once_the_case_is_reassigned(cast, case):
    reopened = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.officer)
    services.case_assign(case=reopened, by=cast.secretary, assignee=cast.staff)

    assert reveal(client_for(cast.officer), reopened).status_code == 404


@pytest.mark.parametrize("who", ["staff", "town"])
def test_the_office_and_the_town_reveal_as_before(cast, case, who):
    response = reveal(client_for(getattr(cast, who)), case)

    assert response.status_code == 200 and f"tel:{PHONE}" in response.content.decode()
    assert AccessLog.objects.get(what="reveal").actor == getattr(cast, who)


def test_the_secretary_sees_the_number_in_full_as_a_tel_link_without_revealing(cast, case):
    html = client_for(cast.secretary).get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert f'<a href="tel:{PHONE}">' in html and 'action="/cases/' + str(case.pk) + '/reveal/"' not in html


@pytest.mark.parametrize(("who", "status"), [("officer", 200), ("other_officer", 403), ("member", 404)])
def test_the_api_follows_the_same_rule(cast, case, other_officer, who, status, api):
    Case.objects.filter(pk=case.pk).update(received_by=other_officer)
    api.force_authenticate(other_officer if who == "other_officer" else getattr(cast, who))

    response = api.post(f"/api/v1/cases/{case.pk}/reveal/", {"reason": "电话反馈办理结果"}, format="json")

    api.force_authenticate(None)
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json() == {"resident_phone": PHONE}
    assert AccessLog.objects.filter(what="reveal").count() == (1 if status == 200 else 0)
