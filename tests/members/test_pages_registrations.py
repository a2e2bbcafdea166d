"""Registration pages: the office's tabs and actions, window registration, transfers, and the member's
phone page."""

import pytest
from django.urls import reverse

from members.models import Registration, RegistrationChannel, RegistrationStatus
from tests import factories as f


def html_of(response) -> str:
    return response.content.decode()


def in_service(cast, name, community=None):
    return f.MembershipFactory(person__community=community or cast.beijie, person__name=name).person


# -------------------------------------------------------------------------------------------- the tabs


def test_waiting_tab_lists_submitted_registrations_of_the_community_only(client, cast):
    f.RegistrationFactory(person=cast.member_person)
    f.RegistrationFactory(person=in_service(cast, "王已"), status=RegistrationStatus.CONFIRMED)
    f.RegistrationFactory(person=cast.foreign_person)
    client.force_login(cast.secretary)

    html = html_of(client.get(reverse("members:registrations")))

    assert "马明" in html
    assert "王已" not in html
    assert "陈外" not in html
    assert "确认" in html and "退回" in html


def test_confirmed_returned_and_all_tabs(client, cast):
    f.RegistrationFactory(person=cast.member_person)
    f.RegistrationFactory(person=in_service(cast, "王已"), status=RegistrationStatus.CONFIRMED)
    f.RegistrationFactory(
        person=in_service(cast, "李退"), status=RegistrationStatus.RETURNED, return_reason="地址不符"
    )
    client.force_login(cast.secretary)
    url = reverse("members:registrations")

    confirmed = html_of(client.get(url, {"tab": "confirmed"}))
    returned = html_of(client.get(url, {"tab": "returned"}))
    everything = html_of(client.get(url, {"tab": "all"}))

    assert "王已" in confirmed and "马明" not in confirmed
    assert "李退" in returned and "地址不符" in returned and "王已" not in returned
    assert all(name in everything for name in ["马明", "王已", "李退"])


def test_unregistered_tab_lists_in_service_members_without_an_active_registration(client, cast):
    f.RegistrationFactory(person=in_service(cast, "王已"), status=RegistrationStatus.CONFIRMED)
    f.RegistrationFactory(person=in_service(cast, "李退"), status=RegistrationStatus.RETURNED)
    client.force_login(cast.secretary)

    html = html_of(client.get(reverse("members:registrations"), {"tab": "unregistered"}))

    assert "马明" in html
    assert "李退" in html  # a returned registration is not an active one
    assert "王已" not in html
    assert "欧兰" not in html  # not a party member
    assert "陈外" not in html
    assert cast.member_person.mobile not in html


@pytest.mark.parametrize("tab", ["waiting", "all", "unregistered"])
@pytest.mark.parametrize("rows", [5, 30])
def test_registration_tabs_run_a_constant_number_of_queries(
    client, cast, django_assert_max_num_queries, tab, rows
):
    for i in range(rows):
        person = in_service(cast, f"党员{i}")
        if tab != "unregistered":
            f.RegistrationFactory(person=person)
    client.force_login(cast.secretary)

    with django_assert_max_num_queries(10):  # +1: the bell's unread count
        response = client.get(reverse("members:registrations"), {"tab": tab})

    assert response.status_code == 200


# ------------------------------------------------------------------------------------ confirm / return


def test_secretary_confirms_a_waiting_registration(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.secretary)
    back = reverse("members:registrations") + "?tab=waiting"

    response = client.post(reverse("members:registration_confirm", args=[registration.pk]), {"next": back})

    registration.refresh_from_db()
    assert response.status_code == 302
    assert response.url == back
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.decided_by == cast.secretary
    assert list(registration.events.values_list("to_status", flat=True)) == ["confirmed"]


def test_confirm_ignores_a_next_address_on_another_site(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.staff)

    response = client.post(
        reverse("members:registration_confirm", args=[registration.pk]), {"next": "https://evil.example/"}
    )

    assert response.url == reverse("members:registrations")


def test_confirm_is_post_only(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.secretary)

    response = client.get(reverse("members:registration_confirm", args=[registration.pk]))

    registration.refresh_from_db()
    assert response.status_code == 405
    assert registration.status == RegistrationStatus.SUBMITTED


def test_confirming_twice_shows_the_services_message(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person, status=RegistrationStatus.CONFIRMED)
    client.force_login(cast.secretary)

    response = client.post(reverse("members:registration_confirm", args=[registration.pk]), follow=True)

    assert "不能执行此操作" in html_of(response)


def test_secretary_returns_a_registration_with_a_reason(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:registration_return", args=[registration.pk]), {"reason": "居住地址不在本社区"}
    )

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.status == RegistrationStatus.RETURNED
    assert registration.return_reason == "居住地址不在本社区"


@pytest.mark.parametrize("reason", ["", "   "])
def test_returning_without_a_reason_shows_the_error_and_changes_nothing(client, cast, reason):
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.secretary)

    response = client.post(reverse("members:registration_return", args=[registration.pk]), {"reason": reason})

    registration.refresh_from_db()
    assert response.status_code == 400
    assert "请填写退回原因" in html_of(response)
    assert registration.status == RegistrationStatus.SUBMITTED
    assert not registration.events.exists()


def test_registration_detail_shows_the_history(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.secretary)
    client.post(reverse("members:registration_return", args=[registration.pk]), {"reason": "材料不全"})

    html = html_of(client.get(reverse("members:registration_detail", args=[registration.pk])))

    assert "退回" in html and "材料不全" in html and "alice" in html


# ------------------------------------------------------------------------------------- window and move


def test_staff_register_a_member_at_the_window(client, cast):
    client.force_login(cast.staff)
    page = html_of(client.get(reverse("members:registration_window"), {"person": cast.member_person.pk}))
    assert "马明" in page
    assert "陈外" not in page

    response = client.post(
        reverse("members:registration_window"),
        {"person": cast.member_person.pk, "specialties": "", "desired_posts": "政策宣传岗"},
    )

    registration = Registration.objects.get(person=cast.member_person)
    assert response.status_code == 302
    assert registration.channel == RegistrationChannel.WINDOW
    assert registration.status == RegistrationStatus.SUBMITTED
    assert registration.specialties == ["法律咨询"]  # empty keeps the roster's
    assert registration.desired_posts == "政策宣传岗"


def test_window_registration_cannot_pick_another_communitys_member(client, cast):
    client.force_login(cast.secretary)

    response = client.post(reverse("members:registration_window"), {"person": cast.foreign_person.pk})

    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_office_transfers_a_registration_to_another_community_of_the_town(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person, status=RegistrationStatus.CONFIRMED)
    client.force_login(cast.secretary)
    page = html_of(client.get(reverse("members:registration_transfer", args=[registration.pk])))
    assert "长城社区" in page and "东关社区" not in page

    response = client.post(
        reverse("members:registration_transfer", args=[registration.pk]),
        {"to_community": cast.changcheng.pk, "building": cast.cc1.pk, "unit_room": "5单元"},
    )

    registration.refresh_from_db()
    new = Registration.objects.get(transferred_from=registration)
    assert response.status_code == 302
    assert registration.status == RegistrationStatus.TRANSFERRED
    assert new.community == cast.changcheng
    assert new.status == RegistrationStatus.SUBMITTED


def test_transfer_to_a_building_of_another_community_is_refused(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person, status=RegistrationStatus.CONFIRMED)
    client.force_login(cast.secretary)
    other = f.CommunityFactory(town=cast.town_obj, name="文化街社区")

    response = client.post(
        reverse("members:registration_transfer", args=[registration.pk]),
        {"to_community": other.pk, "building": cast.cc1.pk},
    )

    registration.refresh_from_db()
    assert response.status_code == 400
    assert "楼栋不属于所选的新居住社区" in html_of(response)
    assert registration.status == RegistrationStatus.CONFIRMED


# ------------------------------------------------------------------------------- the member's phone page


def test_member_registers_on_the_phone_page(client, cast):
    client.force_login(cast.member)
    page = html_of(client.get(reverse("members:my_registration")))
    assert 'name="viewport"' in page
    assert f'<option value="{cast.beijie.pk}" selected>' in page  # defaults to the home community
    assert "法律咨询" in page  # specialties from the roster

    response = client.post(
        reverse("members:my_registration"),
        {
            "community": cast.beijie.pk,
            "specialties": "法律咨询，调解",
            "interests": "书法",
            "desired_posts": "矛盾调解岗",
        },
    )

    registration = Registration.objects.get(person=cast.member_person)
    assert response.status_code == 302
    assert registration.channel == RegistrationChannel.ONLINE
    assert registration.specialties == ["法律咨询", "调解"]
    assert registration.interests == ["书法"]
    html = html_of(client.get(reverse("members:my_registration")))
    assert "待确认" in html
    assert "撤回报到" in html
    assert "提交报到" in html  # the history shows the submit event
    assert 'name="desired_posts"' not in html  # no second form while one is active


def test_member_registering_with_another_community_sees_why_and_nothing_is_saved(client, cast):
    client.force_login(cast.member)

    response = client.post(reverse("members:my_registration"), {"community": cast.changcheng.pk})

    assert response.status_code == 400
    assert "应到家庭居住地所在社区报到" in html_of(response)
    assert not Registration.objects.exists()


def test_member_sees_the_reason_of_a_returned_registration_and_can_register_again(client, cast):
    f.RegistrationFactory(
        person=cast.member_person, status=RegistrationStatus.RETURNED, return_reason="请补充单位"
    )
    client.force_login(cast.member)

    html = html_of(client.get(reverse("members:my_registration")))

    assert "上次报到被退回" in html and "请补充单位" in html
    assert 'name="desired_posts"' in html


def test_member_withdraws_a_waiting_registration(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person)
    client.force_login(cast.member)

    response = client.post(reverse("members:my_registration_withdraw"))

    registration.refresh_from_db()
    assert response.status_code == 302
    assert registration.status == RegistrationStatus.WITHDRAWN
    again = client.post(reverse("members:my_registration_withdraw"), follow=True)
    assert "没有可以撤回的报到" in html_of(again)


def test_member_moves_house(client, cast):
    registration = f.RegistrationFactory(person=cast.member_person, status=RegistrationStatus.CONFIRMED)
    client.force_login(cast.member)
    assert "我搬家了" in html_of(client.get(reverse("members:my_registration")))

    response = client.post(
        reverse("members:my_registration_transfer"),
        {"to_community": cast.changcheng.pk, "unit_room": "3-201"},
    )

    registration.refresh_from_db()
    cast.member_person.refresh_from_db()
    assert response.status_code == 302
    assert registration.status == RegistrationStatus.TRANSFERRED
    assert cast.member_person.community == cast.changcheng
    html = html_of(client.get(reverse("members:my_registration")))
    assert "长城社区" in html and "北街社区" in html  # the history is kept


def test_member_without_an_active_registration_is_sent_back_from_the_move_page(client, cast):
    client.force_login(cast.member)

    response = client.get(reverse("members:my_registration_transfer"))

    assert response.status_code == 302
    assert response.url == reverse("members:my_registration")
