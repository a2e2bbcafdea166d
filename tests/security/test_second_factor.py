"""REQUIRE_2FA_FOR_STAFF: office accounts verify a TOTP device after login before any page or API works."""

import datetime as dt
import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

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
