"""Office accounts verify a TOTP device after login before any page or API works, when the platform
(REQUIRE_2FA_FOR_STAFF) or their town (Town.require_2fa_for_staff, switched by its supervisor) asks it."""

import datetime as dt
import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from core.models import AuditEvent
from members import services
from members.models import Town, User
from members.roles import Role, scope_for
from members.second_factor import requires_second_factor
from tests import factories as f

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def required(settings):
    settings.REQUIRE_2FA_FOR_STAFF = True


def code_for(device, at=None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():0{device.digits}d}"


def session_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["secretary", "staff", "director", "town"])
def test_office_accounts_are_sent_to_set_up_a_device_first(cast, required, persona):
    client = session_for(getattr(cast, persona))
    response = client.get("/roster/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/setup/?next=/roster/"


@pytest.mark.parametrize("persona", ["member", "officer", "liaison", "deputy", "outsider"])
def test_other_roles_are_not_asked(cast, required, persona):
    response = session_for(getattr(cast, persona)).get("/")
    assert response.status_code == 200


def test_nothing_is_asked_while_the_setting_is_off(cast):
    assert session_for(cast.secretary).get("/").status_code == 200


def test_set_up_shows_the_otpauth_uri_and_a_qr_code_and_a_right_code_opens_the_pages(cast, required):
    client = session_for(cast.secretary)
    with time_machine.travel(T0, tick=False):
        page = client.get("/accounts/2fa/setup/?next=/roster/")
        html = page.content.decode()

        assert page.status_code == 200
        uri = unquote(re.search(r'otp-uri">([^<]+)<', html).group(1)).replace("&amp;", "&")
        assert uri.startswith("otpauth://totp/民情流水线:alice?")
        assert parse_qs(urlparse(uri).query)["issuer"] == ["民情流水线"]
        assert 'src="data:image/svg+xml' in html
        assert "<script" not in html.split("</main>")[0].split("<main>")[1]

        assert client.get("/api/v1/people/").json()["error"]["code"] == "otp_required"

        device = TOTPDevice.objects.get(user=cast.secretary)
        assert not device.confirmed
        wrong = client.post("/accounts/2fa/setup/", {"token": "000000", "next": "/roster/"})
        assert wrong.status_code == 400

    with time_machine.travel(T0 + dt.timedelta(seconds=5), tick=False):
        right = client.post("/accounts/2fa/setup/", {"token": code_for(device, T0), "next": "/roster/"})
        assert right.status_code == 302 and right["Location"] == "/roster/"
        device.refresh_from_db()
        assert device.confirmed
        assert client.get("/roster/").status_code == 200
        assert client.get("/api/v1/people/").status_code == 200


@pytest.fixture
def enrolled(cast):
    return TOTPDevice.objects.create(user=cast.secretary, name="手机", confirmed=True)


def test_each_new_login_must_verify_again(cast, required, enrolled):
    client = Client()
    with time_machine.travel(T0, tick=False):
        client.post("/accounts/login/", {"username": "alice", "password": "pass-1234-word"})
        response = client.get("/")
        assert response["Location"] == "/accounts/2fa/verify/?next=/"
        assert client.get("/api/v1/me/").status_code == 403

        assert client.post("/accounts/2fa/verify/", {"token": "123456"}).status_code == 400

    with time_machine.travel(T0 + dt.timedelta(seconds=40), tick=False):  # past the throttle delay
        response = client.post(
            "/accounts/2fa/verify/",
            {"token": code_for(enrolled, T0 + dt.timedelta(seconds=40)), "next": "/"},
        )
        assert response.status_code == 302 and response["Location"] == "/"
        assert client.get("/").status_code == 200


def test_a_code_cannot_be_replayed(cast, required, enrolled):
    with time_machine.travel(T0, tick=False):
        code = code_for(enrolled, T0)
        first, second = session_for(cast.secretary), session_for(cast.secretary)
        assert first.post("/accounts/2fa/verify/", {"token": code}).status_code == 302
        assert second.post("/accounts/2fa/verify/", {"token": code}).status_code == 400


def test_an_enrolled_account_cannot_enrol_another_device_without_verifying(cast, required, enrolled):
    client = session_for(cast.secretary)
    response = client.get("/accounts/2fa/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/verify/")
    assert TOTPDevice.objects.filter(user=cast.secretary).count() == 1


def test_api_tokens_of_office_accounts_are_refused_while_2fa_is_required(cast, required):
    office = Token.objects.create(user=cast.secretary)
    member = Token.objects.create(user=cast.member)

    refused = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {office.key}")
    allowed = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {member.key}")

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "otp_required"
    assert allowed.status_code == 200


def test_logout_stays_reachable_before_verifying(cast, required):
    client = session_for(cast.secretary)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


# ------------------------------------------------------------------- a town requires it of its own staff
# 城关镇 (北街, 长城; supervisor tom) and 东关镇 (东关社区; supervisor otto_town): the env setting stays off
# unless a test says otherwise, so whatever is asked below is asked by the town.


@pytest.fixture
def dongguan_secretary(cast):
    """书记 of 东关社区, in the other town."""
    user = f.UserFactory(username="dina")
    f.RoleFactory(user=user, role=Role.SECRETARY, community=cast.dongguan)
    return user


def require_in(town):
    town.require_2fa_for_staff = True
    town.save(update_fields=["require_2fa_for_staff"])


def logged_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": "pass-1234-word"})
    assert response.status_code == 302
    return client


def test_only_the_requiring_towns_office_accounts_are_sent_to_set_up_a_device_on_login(
    cast, dongguan_secretary
):
    require_in(cast.town_obj)

    for username in ("alice", "bob", "dora", "carl", "tom"):  # 北街 office, 长城's secretary, supervisor
        response = logged_in(username).get("/roster/")
        assert response.status_code == 302, username
        assert response["Location"] == "/accounts/2fa/setup/?next=/roster/", username
    for username in ("dina", "otto_town"):  # 东关镇's office: their town asks nothing
        assert logged_in(username).get("/roster/").status_code == 200, username
    for username in ("mike", "olga", "dan"):  # 城关镇, but not office roles
        assert logged_in(username).get("/").status_code == 200, username


def test_only_the_requiring_towns_office_tokens_are_refused(cast, dongguan_secretary):
    require_in(cast.town_obj)
    tokens = {
        user.username: Token.objects.create(user=user).key
        for user in (cast.secretary, cast.town, cast.member, dongguan_secretary, cast.other_town)
    }

    def me(username):
        return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {tokens[username]}")

    for username in ("alice", "tom"):
        refused = me(username)
        assert refused.status_code == 403, username
        assert refused.json()["error"]["code"] == "otp_required"
    for username in ("mike", "dina", "otto_town"):
        assert me(username).status_code == 200, username


def test_the_town_supervisor_switches_it_on_and_it_takes_effect_on_the_next_request(cast):
    secretary = session_for(cast.secretary)
    token = Token.objects.create(user=cast.secretary).key
    assert secretary.get("/roster/").status_code == 200
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200

    supervisor = session_for(cast.town)
    switched = supervisor.post(
        f"/towns/{cast.town_obj.pk}/second-factor/", {"require_2fa_for_staff": "on"}, follow=False
    )

    assert switched.status_code == 302 and switched["Location"] == "/"
    cast.town_obj.refresh_from_db()
    assert cast.town_obj.require_2fa_for_staff
    # the same sessions and token, their next requests
    assert secretary.get("/roster/")["Location"] == "/accounts/2fa/setup/?next=/roster/"
    assert secretary.get("/api/v1/people/").json()["error"]["code"] == "otp_required"
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 403
    assert supervisor.get("/")["Location"] == "/accounts/2fa/setup/?next=/"  # the supervisor too
    assert session_for(cast.other_secretary).get("/roster/").status_code == 302  # 长城, same town

    # the supervisor sets up a device, verifies it, and switches it off again
    TOTPDevice.objects.create(user=cast.town, name="手机", confirmed=True)
    with time_machine.travel(T0, tick=False):
        device = TOTPDevice.objects.get(user=cast.town)
        supervisor.post("/accounts/2fa/verify/", {"token": code_for(device, T0)})
        off = supervisor.post(f"/towns/{cast.town_obj.pk}/second-factor/", {})  # box unticked
    assert off.status_code == 302
    assert secretary.get("/roster/").status_code == 200


def test_the_api_switch_takes_effect_on_the_next_request(cast, as_user):
    secretary = session_for(cast.secretary)
    assert secretary.get("/roster/").status_code == 200

    response = as_user("town").patch(
        f"/api/v1/towns/{cast.town_obj.pk}/", {"require_2fa_for_staff": True}, format="json"
    )

    assert response.status_code == 200 and response.json()["require_2fa_for_staff"] is True
    assert secretary.get("/roster/").status_code == 302


def test_the_env_setting_still_asks_every_office_account_whatever_the_towns_say(
    cast, required, dongguan_secretary
):
    assert not cast.town_obj.require_2fa_for_staff and not cast.other_town_obj.require_2fa_for_staff

    for username in ("alice", "dina", "tom", "otto_town"):
        assert logged_in(username).get("/roster/").status_code == 302, username

    # a town switching it off (it is off already) changes nothing either
    services.town_set_second_factor(town=cast.other_town_obj, by=cast.other_town, required=False)
    assert logged_in("dina").get("/roster/").status_code == 302


def test_a_platform_admin_holding_no_role_in_the_town_is_not_asked_by_the_town(cast):
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    require_in(cast.town_obj)
    require_in(cast.other_town_obj)

    assert session_for(admin).get("/").status_code == 200


def test_switching_it_is_audited_with_before_and_after(cast):
    supervisor = session_for(cast.town)
    supervisor.post(
        f"/towns/{cast.town_obj.pk}/second-factor/", {"require_2fa_for_staff": "on"}, REMOTE_ADDR="10.9.8.7"
    )

    [event] = AuditEvent.objects.filter(
        action="update", object_type="members.Town", object_id=str(cast.town_obj.pk)
    )
    assert event.actor == cast.town and event.actor_label == "tom"
    assert event.ip == "10.9.8.7"
    assert event.changes == {"require_2fa_for_staff": [False, True]}

    services.town_set_second_factor(town=cast.town_obj, by=cast.town, required=True)  # no change
    services.town_set_second_factor(town=cast.town_obj, by=cast.town, required=False)
    switches = AuditEvent.objects.filter(action="update", object_type="members.Town").order_by("pk")
    assert [e.changes["require_2fa_for_staff"] for e in switches] == [[False, True], [True, False]]


def test_only_the_towns_own_supervisor_may_switch_it(cast):
    for user in (cast.secretary, cast.director, cast.member, cast.other_town):
        with pytest.raises(services.PermissionDenied):
            services.town_set_second_factor(town=cast.town_obj, by=user, required=True)
    cast.town_obj.refresh_from_db()
    assert not cast.town_obj.require_2fa_for_staff

    # on the page: the town's office sees the town (403), another town's supervisor does not (404)
    url = f"/towns/{cast.town_obj.pk}/second-factor/"
    assert session_for(cast.secretary).post(url, {"require_2fa_for_staff": "on"}).status_code == 403
    assert session_for(cast.other_town).post(url, {"require_2fa_for_staff": "on"}).status_code == 404
    assert session_for(cast.town).get(url).status_code == 405
    cast.town_obj.refresh_from_db()
    assert not cast.town_obj.require_2fa_for_staff


def test_the_home_page_offers_the_switch_to_the_town_supervisor_only(cast):
    page = session_for(cast.town).get("/").content.decode()
    section = page.split('aria-labelledby="otp-title"')[1].split("</section>")[0]

    assert f'action="/towns/{cast.town_obj.pk}/second-factor/"' in section
    assert 'name="csrfmiddlewaretoken"' in section
    assert 'type="checkbox" name="require_2fa_for_staff"' in section
    assert "checked" not in section
    assert "otp-title" not in session_for(cast.secretary).get("/").content.decode()

    require_in(cast.town_obj)
    TOTPDevice.objects.create(user=cast.town, name="手机", confirmed=True)
    client = session_for(cast.town)
    with time_machine.travel(T0, tick=False):
        device = TOTPDevice.objects.get(user=cast.town)
        client.post("/accounts/2fa/verify/", {"token": code_for(device, T0)})
        page = client.get("/").content.decode()
    assert "checked" in page.split('aria-labelledby="otp-title"')[1].split("</section>")[0]


def test_a_supervised_town_without_communities_yet_still_gets_its_switch(cast):
    empty = f.TownFactory(name="新设镇", code="xinshe")
    f.RoleFactory(user=cast.town, role=Role.TOWN_SUPERVISOR, town=empty)

    page = session_for(cast.town).get("/").content.decode()

    for town in (cast.town_obj, empty):
        assert f'action="/towns/{town.pk}/second-factor/"' in page


def test_in_the_admin_only_superusers_edit_the_towns_switch(cast, rf):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    change = f"/admin/members/town/{cast.town_obj.pk}/change/"
    page = session_for(root).get(change).content.decode()
    assert 'type="checkbox" name="require_2fa_for_staff"' in page

    town_admin = admin.site._registry[Town]
    request = rf.get(change)
    cast.town.is_staff = True  # an admin-staff supervisor: the page and API are its way, with their checks
    request.user = cast.town
    assert "require_2fa_for_staff" in town_admin.get_readonly_fields(request, cast.town_obj)


def test_the_towns_requirement_is_read_with_the_scope_at_no_extra_query(cast, django_assert_num_queries):
    require_in(cast.town_obj)
    secretary = User.objects.get(pk=cast.secretary.pk)  # nothing cached on it yet

    with django_assert_num_queries(2):  # the scope's own two: the roles (towns joined), the person row
        assert requires_second_factor(secretary)
        scope_for(secretary)
