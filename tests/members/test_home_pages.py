"""Each role's home answers "what do I do today": the member (phone), the officer, the secretary, the
employer liaison and the town; every number links to the list it counts, and that list filters the same
way; a home costs the same number of queries whatever the size of the data."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case
from cases.states import CaseState
from core.models import Notification
from members.home import Figure
from members.models import RegistrationStatus
from tests import factories as f
from tests.cases.factories import make_case
from tests.volunteering.factories import (
    ClaimFactory,
    ItemFactory,
    PostFactory,
    RecordFactory,
    SignUpFactory,
    at,
    register,
    registered_member,
)

TODAY = dt.date(2026, 12, 3)  # a Thursday, a working day


@pytest.fixture(autouse=True)
def _today():
    from core import workdays

    workdays.clear_cache()
    with time_machine.travel(at(2026, 12, 3, 9), tick=False):
        yield
    workdays.clear_cache()


def html_of(client, user, url=None) -> str:
    client.force_login(user)
    response = client.get(url or reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def figure_url(view, **query) -> str:
    return Figure("x", "x", 0, view, query).url.replace("&", "&amp;")


def member_life(cast, *, items=1):
    register(cast.member_person)
    person = cast.member_person
    upcoming = ItemFactory(community=cast.beijie, title="敬老院义诊", starts_at=at(2026, 12, 6, 9))
    SignUpFactory(item=upcoming, person=person)
    for i in range(items):
        done = ItemFactory(community=cast.beijie, title=f"楼道清扫{i}", starts_at=at(2026, 5, 1 + i % 20, 9))
        RecordFactory(item=done, person=person)
    ClaimFactory(post=PostFactory(community=cast.beijie, name="法律咨询岗"), person=person, year=2026)
    for i in range(2):
        Notification.objects.create(recipient=cast.member, kind="test", title=f"通知{i}")


# --------------------------------------------------------------------------------------------- member


def test_member_home_shows_the_next_item_the_years_progress_claims_and_unread_notices(client, cast):
    member_life(cast)

    html = html_of(client, cast.member)

    assert "下一项服务" in html and "敬老院义诊" in html and "12月6日 09:00" in html
    assert "已完成 <strong>1</strong> 项 · <strong>2.0</strong> 小时" in html
    assert "本社区要求：每年至少 1 项（目标 2 项）" in html
    assert "法律咨询岗" in html and "待审核" in html
    assert "未读通知" in html and '<span class="badge bad">2</span>' in html
    assert "今日待办" not in html  # no office figures for a member


def test_member_home_says_when_nothing_is_signed_up(client, cast):
    register(cast.member_person)

    html = html_of(client, cast.member)

    assert "还没有报名的服务事项" in html and "今年还没有认领岗位" in html
    assert "未读通知" not in html


@pytest.mark.parametrize("items", [1, 15])
def test_member_home_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, items):
    member_life(cast, items=items)
    client.force_login(cast.member)

    # session, user, scope (3); the person, registration, officer posts (3); notices (2); the next item,
    # the year's totals, the policy, the claims (4); assigned cases are skipped for a member with none (1)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("home")).status_code == 200


# -------------------------------------------------------------------------------------------- officer


def officer_life(cast, *, n=1):
    from cases import services

    for i in range(n):
        mine = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.officer)
        Case.objects.filter(pk=mine.pk).update(due_on=TODAY + dt.timedelta(days=i))
        entry = services.diary_add(
            by=cast.officer, visited_on=TODAY, household=f"{i}号楼 张家", heard="楼道灯坏了"
        )
        services.diary_to_case(entry=entry, by=cast.officer, category="other")
    services.diary_add(
        by=cast.officer, visited_on=TODAY - dt.timedelta(days=10), household="旧", heard="上月"
    )


def test_officer_home_shows_assigned_cases_with_deadlines_the_week_and_the_report_back(client, cast):
    officer_life(cast)

    html = html_of(client, cast.officer)

    assert "我承办的民情件" in html and "1 件未办结" in html
    assert "2026-12-03 到期" in html
    assert "本周（11月30日起）已走访记录 <strong>1</strong> 户" in html  # not last month's visit
    assert "我反映的民情办理情况" in html and "共 1 件" in html and "已登记" in html
    assert "我的信息员聘用" in html


@pytest.mark.parametrize("n", [1, 8])
def test_officer_home_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, n):
    officer_life(cast, n=n)
    client.force_login(cast.officer)

    # session, user, scope (3); the person and the officer posts (2); notices (1); assigned cases (2); the
    # week's diary, the report-back tally and its latest cases (3); the calendar when its cache is cold (1)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("home")).status_code == 200


# ------------------------------------------------------------------------------------------ secretary


def office_life(cast, community, *, n=1):
    """n of each thing that waits, in `community`."""
    from cases import services

    secretary = cast.secretary if community == cast.beijie else cast.other_secretary
    for i in range(n):
        f.RegistrationFactory(person=f.MembershipFactory(person__community=community).person)
        late = make_case(community, by=secretary, state=CaseState.ASSIGNED, worker=secretary)
        soon = make_case(community, by=secretary, state=CaseState.ASSIGNED, worker=secretary)
        Case.objects.filter(pk=late.pk).update(due_on=TODAY - dt.timedelta(days=3))
        Case.objects.filter(pk=soon.pk).update(due_on=TODAY + dt.timedelta(days=1))
        services.mailbox_save(community=community, by=secretary, location=f"{i}号院门口", keeper=secretary)
        registered_member(community)  # registered, no service this year: behind
    make_case(community, by=secretary)  # registered, waiting to be classified


def test_secretary_home_shows_what_waits_and_each_number_links_to_its_filtered_list(client, cast):
    office_life(cast, cast.beijie, n=2)
    office_life(cast, cast.changcheng, n=1)  # another community: not counted for 北街

    html = html_of(client, cast.secretary)
    pk = cast.beijie.pk

    assert "今日待办" in html
    expected = {
        "registrations_waiting": (2, figure_url("members:registrations", tab="waiting", community=pk)),
        "overdue": (2, figure_url("cases:list", community=pk, overdue="true")),
        "due_soon": (2, figure_url("cases:list", community=pk, due_soon="true")),
        "unclassified": (1, figure_url("cases:list", community=pk, state="registered")),
        "mailboxes_unopened": (2, figure_url("cases:mailboxes", community=pk)),
        "officer_vacancies": (1, figure_url("members:officers", community=pk)),
        "behind": (2, figure_url("volunteering:requirement", community=pk, behind=1)),
    }
    for key, (count, url) in expected.items():
        assert f'href="{url}" data-figure="{key}"><b>{count}</b>' in html, key


def test_the_lists_behind_the_secretarys_numbers_filter_the_same_way(client, cast):
    office_life(cast, cast.beijie, n=2)
    client.force_login(cast.secretary)
    pk = cast.beijie.pk

    def shown(url):
        return client.get(url).context["page"].paginator.count

    assert shown(f"{reverse('cases:list')}?community={pk}&overdue=true") == 2
    assert shown(f"{reverse('cases:list')}?community={pk}&due_soon=true") == 2
    assert shown(f"{reverse('cases:list')}?community={pk}&state=registered") == 1
    boxes = client.get(f"{reverse('cases:mailboxes')}?community={pk}").context["missed"]
    assert len(boxes) == 2 or boxes == []  # missed: yesterday's openings (the figure counts today's)
    regs = client.get(f"{reverse('members:registrations')}?tab=waiting&community={pk}")
    assert regs.context["page_obj"].paginator.count == 2


@pytest.mark.parametrize("n", [1, 6])
def test_secretary_home_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, n):
    office_life(cast, cast.beijie, n=n)
    client.force_login(cast.secretary)

    # session, user, scope (3); the dashboard's counts (7); what waits: members (1), the requirement and
    # claims (3), cases and mailboxes (2), the calendar when cold (1); notices (1); assigned cases (1)
    with django_assert_max_num_queries(21):
        assert client.get(reverse("home")).status_code == 200


# ---------------------------------------------------------------------------------------------- town


def test_town_home_puts_the_communities_side_by_side_with_the_same_numbers(client, cast):
    office_life(cast, cast.beijie, n=2)
    office_life(cast, cast.changcheng, n=1)

    html = html_of(client, cast.town)

    assert "各社区情况" in html and "东关社区" not in html
    for community, n in ((cast.beijie, 2), (cast.changcheng, 1)):
        url = figure_url("cases:list", community=community.pk, overdue="true")
        assert f'href="{url}" data-figure="overdue">{n}</a>' in html
    # and the totals over the town
    assert 'data-figure="overdue"><b>3</b>' in html


# ----------------------------------------------------------------------------------------- liaison


def test_liaison_home_shows_each_members_registration_items_and_hours(client, cast):
    register(cast.member_person)
    for day in (1, 2):
        RecordFactory(
            item=ItemFactory(community=cast.beijie, starts_at=at(2026, 6, day, 9)), person=cast.member_person
        )
    RecordFactory(
        item=ItemFactory(community=cast.beijie, starts_at=at(2025, 6, 1, 9)), person=cast.member_person
    )

    html = html_of(client, cast.liaison)

    assert "2026年服务事项" in html and "2026年服务时长（小时）" in html
    row = html[html.index("马明") :]
    row = row[: row.index("</tr>")]
    assert '<td data-label="2026年服务事项">2</td>' in row  # last year's item does not count
    assert '<td data-label="2026年服务时长（小时）">4.0</td>' in row
    assert "已报到" in row


def test_a_confirmed_registration_shows_on_the_liaison_home(client, cast):
    f.RegistrationFactory(person=cast.member_person, status=RegistrationStatus.CONFIRMED)

    assert "已报到" in html_of(client, cast.liaison)


def test_the_officers_list_behind_the_vacancy_figure_shows_that_community(client, cast):
    f.OfficerFactory(community=cast.changcheng)
    client.force_login(cast.town)

    response = client.get(reverse("members:officers"), {"community": cast.beijie.pk})

    assert {o.community_id for o in response.context["page_obj"]} == {cast.beijie.pk}
    assert [s.community_id for s in response.context["strength"]] == [cast.beijie.pk]
