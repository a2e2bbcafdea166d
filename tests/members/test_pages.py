"""Members pages: who may open which page, the home page per role, the forced password change, and
another community's objects answering 404."""

import pytest
from django.urls import reverse

from members.models import RegistrationStatus
from tests import factories as f

OFFICE = ["secretary", "staff", "director", "town"]
NOT_OFFICE = ["officer", "member", "liaison", "deputy", "outsider", "other_liaison"]
OFFICE_PAGES = [
    "members:roster",
    "members:person_create",
    "members:roster_import",
    "members:registrations",
    "members:registration_window",
    "members:officers",
    "members:officer_appoint",
    "members:zones",
    "members:zone_create",
]


def page_html(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------ access matrix


@pytest.mark.parametrize("url_name", [*OFFICE_PAGES, "members:my_registration", "home"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, cast, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", OFFICE)
@pytest.mark.parametrize("url_name", OFFICE_PAGES)
def test_office_pages_open_for_the_community_office_and_the_town(client, cast, who, url_name):
    client.force_login(getattr(cast, who))

    response = client.get(reverse(url_name))

    assert response.status_code == 200


@pytest.mark.parametrize("who", NOT_OFFICE)
@pytest.mark.parametrize("url_name", OFFICE_PAGES)
def test_office_pages_are_forbidden_to_everyone_else(client, cast, who, url_name):
    client.force_login(getattr(cast, who))

    response = client.get(reverse(url_name))

    assert response.status_code == 403
    assert "无权访问" in page_html(response)


def test_member_opens_their_registration_page(client, cast):
    client.force_login(cast.member)

    response = client.get(reverse("members:my_registration"))

    assert response.status_code == 200
    assert "提交报到" in page_html(response)


@pytest.mark.parametrize("who", ["secretary", "officer", "liaison", "outsider"])
def test_registration_phone_page_is_forbidden_to_people_who_are_not_in_service_members(client, cast, who):
    client.force_login(getattr(cast, who))

    response = client.get(reverse("members:my_registration"))

    assert response.status_code == 403


# ------------------------------------------------------------------------------------------------- home


def test_secretary_home_shows_the_dashboard_with_the_officer_vacancy_alert(client, cast):
    # 北街 has a quota of 2 and one active officer
    f.RegistrationFactory(person=f.MembershipFactory(person__community=cast.beijie).person)
    client.force_login(cast.secretary)

    html = page_html(client.get(reverse("home")))

    assert "报到待确认" in html
    assert "在职党员未报到" in html
    assert "信息员缺额 1 人" in html
    assert "北街社区：定额 2 人，在聘 1 人，缺 1 人" in html
    assert "各社区情况" not in html  # one community: no per-community table


def test_town_supervisor_home_has_a_row_per_community_of_the_town_only(client, cast):
    client.force_login(cast.town)

    html = page_html(client.get(reverse("home")))

    assert "各社区情况" in html
    assert "北街社区" in html
    assert "长城社区" in html
    assert "东关社区" not in html


def test_member_home_shows_registration_status_and_a_link_to_register(client, cast):
    client.force_login(cast.member)

    html = page_html(client.get(reverse("home")))

    assert "我的报到" in html
    assert "去报到" in html
    assert reverse("members:my_registration") in html
    assert "工作概览" not in html


def test_member_home_shows_a_waiting_registration(client, cast):
    f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.member)

    html = page_html(client.get(reverse("home")))

    assert "待确认" in html
    assert "去报到" not in html


def test_officer_home_shows_the_appointment(client, cast):
    client.force_login(cast.officer)

    html = page_html(client.get(reverse("home")))

    assert "我的信息员聘用" in html
    assert cast.officer_row.appointment_no in html
    assert reverse("members:officer_letter", args=[cast.officer_row.pk]) in html


def test_employer_liaison_home_lists_their_in_service_members_without_numbers(client, cast):
    f.RegistrationFactory(person=cast.member_person, status=RegistrationStatus.RETURNED)
    f.RegistrationFactory(person=cast.member_person, status=RegistrationStatus.CONFIRMED)
    client.force_login(cast.liaison)

    html = page_html(client.get(reverse("home")))

    assert "<b>1</b>在职党员" in html  # one member, however many registrations
    assert "<b>1</b>已报到" in html
    assert "马明" in html
    assert "北街社区" in html
    assert "已报到" in html
    assert "陈外" not in html  # works at 县财政局
    assert cast.member_person.mobile not in html
    assert cast.member_person.mobile[-4:] not in html
    assert cast.member_person.id_number[-4:] not in html


def test_user_without_a_role_sees_a_polite_page(client, cast):
    client.force_login(cast.outsider)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "还没有分配角色" in page_html(response)


def test_deputy_home_names_the_role(client, cast):
    client.force_login(cast.deputy)

    html = page_html(client.get(reverse("home")))

    assert "两代表一委员" in html
    assert "还没有分配角色" not in html
    assert "目前没有需要您在这里办理的事项" in html


# ------------------------------------------------------------------------------- initial password change


@pytest.mark.parametrize("url_name", ["home", "members:roster", "members:my_registration"])
def test_user_with_an_initial_password_is_sent_to_change_it_first(client, cast, url_name):
    cast.secretary.must_change_password = True
    cast.secretary.save(update_fields=["must_change_password"])
    client.force_login(cast.secretary)

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url == reverse("password_change")


def test_changing_the_initial_password_clears_the_flag_and_opens_the_pages(client, cast):
    cast.member.must_change_password = True
    cast.member.save(update_fields=["must_change_password"])
    client.force_login(cast.member)
    page = client.get(reverse("password_change"))
    assert "初始密码" in page_html(page)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pass-1234-word",
            "new_password1": "Hong-Qi-Piao-2026",
            "new_password2": "Hong-Qi-Piao-2026",
        },
    )

    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.must_change_password is False
    assert cast.member.check_password("Hong-Qi-Piao-2026")
    assert client.get(reverse("home")).status_code == 200


# ------------------------------------------------------------------------------ another community's data


def test_other_community_objects_are_404_for_a_secretary(client, cast):
    zone = f.ZoneFactory(community=cast.beijie)
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.other_secretary)

    urls = [
        reverse("members:person_detail", args=[cast.member_person.pk]),
        reverse("members:person_edit", args=[cast.member_person.pk]),
        reverse("members:registration_detail", args=[registration.pk]),
        reverse("members:registration_return", args=[registration.pk]),
        reverse("members:registration_transfer", args=[registration.pk]),
        reverse("members:officer_detail", args=[cast.officer_row.pk]),
        reverse("members:officer_letter", args=[cast.officer_row.pk]),
        reverse("members:zone_detail", args=[zone.pk]),
        reverse("members:zone_edit", args=[zone.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_posts_against_another_community_are_404_and_change_nothing(client, cast):
    zone = f.ZoneFactory(community=cast.beijie)
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.other_secretary)

    posts = [
        (reverse("members:registration_confirm", args=[registration.pk]), {}),
        (reverse("members:registration_return", args=[registration.pk]), {"reason": "不是本社区"}),
        (reverse("members:officer_record", args=[cast.officer_row.pk]), {"kind": "criticism", "reason": "x"}),
        (
            reverse("members:officer_end", args=[cast.officer_row.pk]),
            {"reason": "resigned", "on": "2026-03-01"},
        ),
        (reverse("members:officer_quota", args=[cast.beijie.pk]), {"officer_quota": "9"}),
        (reverse("members:zone_unassign", args=[zone.pk, cast.member_person.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url

    registration.refresh_from_db()
    cast.officer_row.refresh_from_db()
    cast.beijie.refresh_from_db()
    assert registration.status == RegistrationStatus.SUBMITTED
    assert cast.officer_row.status == "active"
    assert cast.beijie.officer_quota == 2


def test_town_supervisor_of_another_town_sees_none_of_this_town(client, cast):
    client.force_login(cast.other_town)

    assert client.get(reverse("members:person_detail", args=[cast.member_person.pk])).status_code == 404
    html = page_html(client.get(reverse("members:roster")))
    assert "马明" not in html


# ------------------------------------------------------------------------------------------ query counts


def populate(cast, rows):
    for community in (cast.beijie, cast.changcheng):
        for i in range(rows):
            person = f.MembershipFactory(person__community=community, employer=cast.hospital).person
            if i % 2:
                f.RegistrationFactory(person=person)
            f.OfficerFactory(community=community)


@pytest.mark.parametrize("rows", [5, 30])
def test_town_dashboard_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, rows):
    populate(cast, rows)
    client.force_login(cast.town)

    # 13 for the session, the user, the scope and the members' dashboard and table, and 8 for what waits:
    # members' figures (1), the yearly requirement (policies, registrations) and pending claims (3), case
    # counts and unopened mailboxes (2), unread notices (1), assigned cases (1) — whatever the data size —
    # and the working-day calendar's table when its cache is cold (1)
    # +1: the bell's unread count in the header
    with django_assert_max_num_queries(23):
        response = client.get(reverse("home"))

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 30])
def test_liaison_home_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, rows):
    populate(cast, rows)
    client.force_login(cast.liaison)

    # 8 for the session, the scope and the members with their registration, +1 for their items and hours
    # this year (volunteering's columns), +1 for unread notices
    # +1: the bell's unread count in the header
    with django_assert_max_num_queries(11):
        response = client.get(reverse("home"))

    assert response.status_code == 200
