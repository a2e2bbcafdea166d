"""Login lockout, password rules, the forced change of initial passwords and session limits."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.authtoken.models import Token

from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"  # tests/factories.py
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# ------------------------------------------------------------------------------------------------ lockout


def test_five_failures_lock_the_account_even_for_the_right_password_then_cool_off_releases_it(cast):
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(4):
            assert login(client, "alice", "wrong-password").status_code == 200
        assert login(client, "alice", "wrong-password").status_code == 429  # the fifth failure locks

        locked = login(client, "alice", PASSWORD)

        assert locked.status_code == 429
        assert "账号已暂时锁定" in locked.content.decode()
        assert not is_logged_in(client)

        clock.shift(dt.timedelta(minutes=14))
        assert login(client, "alice", PASSWORD).status_code == 429

        clock.shift(dt.timedelta(minutes=2))  # 16 minutes after the last failure
        response = login(client, "alice", PASSWORD)

        assert response.status_code == 302
        assert is_logged_in(client)


def test_a_forged_x_forwarded_for_neither_resets_nor_dodges_the_lockout(cast):
    from axes.models import AccessAttempt

    with time_machine.travel(T0, tick=False):
        for n in range(5):
            login(Client(), "alice", "wrong-password", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

        for forged in ("10.9.9.9", "203.0.113.7, 10.0.0.1", "unknown"):
            response = login(Client(), "alice", PASSWORD, HTTP_X_FORWARDED_FOR=forged)
            assert response.status_code == 429

        # another address altogether (a colleague's PC) is refused too: the lock is per account
        assert login(Client(REMOTE_ADDR="192.0.2.55"), "alice", PASSWORD).status_code == 429
        # and the recorded address is the TCP peer, never a header's value
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_failures_on_one_account_do_not_lock_another(cast):
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            login(Client(), "alice", "wrong-password")
        assert login(Client(), "bob", PASSWORD).status_code == 302


def test_four_failures_then_success_resets_the_counter(cast):
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            login(Client(), "alice", "wrong-password")
        assert login(Client(), "alice", PASSWORD).status_code == 302
        for _ in range(4):
            login(Client(), "alice", "wrong-password")
        assert login(Client(), "alice", PASSWORD).status_code == 302


# ------------------------------------------------------------------------------------- password rules


@pytest.fixture
def office_user(cast):
    """A secretary with a realistic login name (the similarity check needs something to compare)."""
    from members.roles import Role

    user = f.UserFactory(username="beijie_shuji", first_name="王建国")
    f.RoleFactory(user=user, role=Role.SECRETARY, community=cast.beijie)
    return user


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab3-xyz!", "password_too_short"),  # fewer than 10 characters
        ("password123", "password_too_common"),
        ("beijie_shuji1", "password_too_similar"),
        ("2026031588", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused_for_staff(office_user, password, reason):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=office_user)
    assert reason in {e.code for e in refused.value.error_list}


def test_a_sound_password_passes(office_user):
    validate_password("北街-Lantern-7461", user=office_user)


@pytest.mark.parametrize("new_password", ["Ab3-xyz!", "1234567890123", "password123", "beijie_shuji1"])
def test_the_password_change_page_refuses_weak_passwords(office_user, new_password):
    client = Client()
    client.force_login(office_user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    office_user.refresh_from_db()
    assert office_user.check_password(PASSWORD)


# ----------------------------------------------------------------------------- forced password change


@pytest.fixture
def fresh_user(cast):
    user = cast.secretary
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    return user


@pytest.mark.parametrize(
    "url", ["/", "/roster/", "/registrations/", "/admin/", "/volunteering/", "/no-such-page/"]
)
def test_an_initial_password_sends_every_page_to_the_password_change_page(fresh_user, url):
    client = Client()
    client.force_login(fresh_user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"


def test_the_api_answers_password_change_required(fresh_user):
    session = Client()
    session.force_login(fresh_user)
    token = Token.objects.create(user=fresh_user)

    by_session = session.get("/api/v1/people/")
    by_token = Client().get("/api/v1/people/", HTTP_AUTHORIZATION=f"Token {token.key}")

    for response in (by_session, by_token):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "password_change_required"


def test_the_password_page_logout_and_static_files_stay_reachable(fresh_user):
    client = Client()
    client.force_login(fresh_user)
    assert client.get("/accounts/password/").status_code == 200
    assert client.get("/static/css/app.css").status_code != 302
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_changing_the_password_clears_the_flag_and_opens_the_pages(fresh_user):
    client = Client()
    client.force_login(fresh_user)

    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "北街-Lantern-7461",
            "new_password2": "北街-Lantern-7461",
        },
    )

    assert response.status_code == 302
    fresh_user.refresh_from_db()
    assert fresh_user.must_change_password is False
    assert client.get("/").status_code == 200  # still logged in, no longer redirected


def test_a_seeded_initial_account_logs_in_and_is_sent_to_change_its_password(cast):
    user = f.UserFactory(username="newbie")
    user.must_change_password = True
    user.save()
    client = Client()
    login(client, "newbie", PASSWORD)
    assert client.get("/", follow=False)["Location"] == "/accounts/password/"


# ---------------------------------------------------------------------------------------- session limits


def test_thirty_minutes_idle_logs_the_session_out(cast, settings):
    assert settings.IDLE_TIMEOUT_SECONDS == 1800
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        assert login(client, "alice", PASSWORD).status_code == 302
        for _ in range(4):  # active every 29 minutes: stays in, for two hours
            clock.shift(dt.timedelta(minutes=29))
            assert client.get("/").status_code == 200

        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/")

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert not is_logged_in(client)


def test_an_idle_api_session_is_refused(cast):
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(cast.secretary)
        assert client.get("/api/v1/people/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert client.get("/api/v1/people/").status_code == 403


def test_a_session_ends_eight_hours_after_login_however_active(cast, settings):
    assert settings.SESSION_ABSOLUTE_SECONDS == 8 * 3600
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(cast.secretary)
        for _ in range(23):  # every 20 minutes for 7 h 40 min
            clock.shift(dt.timedelta(minutes=20))
            assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=21))  # 8 h 1 min
        assert client.get("/").status_code == 302
        assert not is_logged_in(client)


def test_ordinary_requests_do_not_rewrite_the_session(cast, django_assert_num_queries):
    """Activity is written at most once a minute, so page query counts stay what the page needs."""
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        client.force_login(cast.secretary)
        client.get("/api/v1/me/")
        clock.shift(dt.timedelta(seconds=30))
        session_key = client.session.session_key
        from django.contrib.sessions.models import Session

        before = Session.objects.get(pk=session_key).session_data
        client.get("/api/v1/me/")
        assert Session.objects.get(pk=session_key).session_data == before
        clock.shift(dt.timedelta(seconds=31))
        client.get("/api/v1/me/")
        assert Session.objects.get(pk=session_key).session_data != before
