"""QR and short-code check-in/out: valid, wrong, expired, replayed — and the hours it records."""

import datetime as dt

import pytest
import time_machine

from core.errors import DomainError
from volunteering import checkin, services
from volunteering.models import RecordSource, RecordStatus, ServiceRecord, SignUp, SignUpStatus

from .factories import ItemFactory, SignUpFactory, at

pytestmark = pytest.mark.django_db

# Saturday 14 March 2026, 09:00–11:00 Shanghai
START, END = at(2026, 3, 14, 9), at(2026, 3, 14, 11)


@pytest.fixture
def item(cast):
    return ItemFactory(community=cast.beijie, starts_at=START, ends_at=END, organiser=cast.staff, capacity=5)


@pytest.fixture
def signed_up(cast, item, registered):
    return SignUpFactory(item=item, person=cast.member_person, status=SignUpStatus.CONFIRMED)


def token_at(item, moment):
    with time_machine.travel(moment, tick=False):
        return checkin.make_token(item)


def code_at(item, moment):
    return checkin.make_code(item, moment)


def test_scanning_the_qr_checks_in_and_a_replay_changes_nothing(cast, item, signed_up):
    token = token_at(item, at(2026, 3, 14, 8, 55))
    with time_machine.travel(at(2026, 3, 14, 8, 56), tick=False):
        signup, changed = services.check_in(item=item, by=cast.member, token=token)
    assert changed and signup.checked_in_at == at(2026, 3, 14, 8, 56) and signup.check_in_method == "qr"
    with time_machine.travel(at(2026, 3, 14, 9, 1), tick=False):
        signup, changed = services.check_in(item=item, by=cast.member, token=token)
    assert not changed and signup.checked_in_at == at(2026, 3, 14, 8, 56)


def test_a_wrong_token_is_refused_and_changes_nothing(cast, item, signed_up):
    other = ItemFactory(community=cast.beijie, starts_at=START, ends_at=END)
    with time_machine.travel(at(2026, 3, 14, 9), tick=False):
        for token in ("garbage", checkin.make_token(other), checkin.make_token(item)[:-2] + "xx"):
            with pytest.raises(DomainError) as exc:
                services.check_in(item=item, by=cast.member, token=token)
            assert exc.value.code == "checkin_code_wrong"
    signed_up.refresh_from_db()
    assert signed_up.checked_in_at is None


def test_an_expired_token_is_refused(cast, item, signed_up):
    token = token_at(item, at(2026, 3, 14, 8, 45))
    with time_machine.travel(at(2026, 3, 14, 8, 56), tick=False), pytest.raises(DomainError) as exc:
        services.check_in(item=item, by=cast.member, token=token)
    assert exc.value.code == "checkin_code_expired" and "过期" in exc.value.message
    signed_up.refresh_from_db()
    assert signed_up.checked_in_at is None


def test_rotating_the_key_voids_codes_already_shown(cast, item, signed_up):
    token = token_at(item, at(2026, 3, 14, 9))
    code = code_at(item, at(2026, 3, 14, 9))
    services.item_rotate_code(item=item, by=cast.staff)
    with time_machine.travel(at(2026, 3, 14, 9, 1), tick=False):
        for kwargs in ({"token": token}, {"code": code}):
            with pytest.raises(DomainError) as exc:
                services.check_in(item=item, by=cast.member, **kwargs)
            assert exc.value.code == "checkin_code_wrong"


def test_the_short_code_works_for_its_window_and_the_one_before(cast, item, signed_up):
    code = code_at(item, at(2026, 3, 14, 9, 0))
    assert len(code) == 6 and set(code) <= set(checkin.CODE_ALPHABET)
    with time_machine.travel(at(2026, 3, 14, 9, 6), tick=False):
        signup, changed = services.check_in(item=item, by=cast.member, code=code.lower())
    assert changed and signup.check_in_method == "code"


def test_an_old_short_code_is_expired_and_a_made_up_one_is_wrong(cast, item, signed_up):
    old = code_at(item, at(2026, 3, 14, 8, 40))
    with time_machine.travel(at(2026, 3, 14, 9, 0), tick=False):
        with pytest.raises(DomainError) as exc:
            services.check_in(item=item, by=cast.member, code=old)
        assert exc.value.code == "checkin_code_expired"
        current = checkin.make_code(item)
        wrong = "".join(c for c in checkin.CODE_ALPHABET if c not in current)[:6]
        with pytest.raises(DomainError) as exc:
            services.check_in(item=item, by=cast.member, code=wrong)
        assert exc.value.code == "checkin_code_wrong"
        with pytest.raises(DomainError) as exc:
            services.check_in(item=item, by=cast.member, code="")
        assert exc.value.code == "checkin_code_missing"


def test_check_in_outside_the_window_is_refused(cast, item, signed_up):
    for moment in (at(2026, 3, 14, 8, 29), at(2026, 3, 14, 11, 1)):
        with time_machine.travel(moment, tick=False), pytest.raises(DomainError) as exc:
            services.check_in(item=item, by=cast.member, token=checkin.make_token(item))
        assert exc.value.code == "outside_checkin_window"


def test_only_confirmed_sign_ups_check_in(cast, item, registered):
    waiting = SignUpFactory(item=item, person=cast.member_person, status=SignUpStatus.WAITLISTED)
    with time_machine.travel(at(2026, 3, 14, 9), tick=False):
        with pytest.raises(DomainError) as exc:
            services.check_in(item=item, by=cast.member, token=checkin.make_token(item))
        assert exc.value.code == "not_confirmed"
        waiting.delete()
        with pytest.raises(DomainError) as exc:
            services.check_in(item=item, by=cast.member, token=checkin.make_token(item))
        assert exc.value.code == "not_signed_up"


def test_checking_in_to_a_cancelled_item_is_refused(cast, item, signed_up):
    services.item_cancel(item=item, by=cast.secretary, reason="取消")
    with time_machine.travel(at(2026, 3, 14, 9), tick=False), pytest.raises(DomainError) as exc:
        services.check_in(item=item, by=cast.member, token=checkin.make_token(item))
    assert exc.value.code == "item_cancelled"


def test_check_out_records_actual_service_time_only_once(cast, item, signed_up):
    with time_machine.travel(at(2026, 3, 14, 8, 40), tick=False):  # early: waiting time does not count
        services.check_in(item=item, by=cast.member, token=checkin.make_token(item))
    with time_machine.travel(at(2026, 3, 14, 11, 20), tick=False):  # late: the walk home does not count
        token = checkin.make_token(item)
        signup, record, changed = services.check_out(item=item, by=cast.member, token=token)
        assert changed
        assert (record.started_at, record.ended_at, record.minutes) == (START, END, 120)
        assert record.source == RecordSource.ON_SITE and record.status == RecordStatus.APPROVED
        assert record.recorded_by == cast.staff  # the organiser who ran the check-in is the recorder
        again_signup, again_record, changed = services.check_out(item=item, by=cast.member, token=token)
    assert not changed and again_record.pk == record.pk
    assert ServiceRecord.objects.count() == 1
    assert again_signup.checked_out_at == at(2026, 3, 14, 11, 20)


def test_partial_attendance_counts_only_the_time_present(cast, item, signed_up):
    with time_machine.travel(at(2026, 3, 14, 9, 30), tick=False):
        services.check_in(item=item, by=cast.member, code=checkin.make_code(item))
    with time_machine.travel(at(2026, 3, 14, 10, 15), tick=False):
        _, record, _ = services.check_out(item=item, by=cast.member, code=checkin.make_code(item))
    assert record.minutes == 45


def test_check_out_without_check_in_is_refused(cast, item, signed_up):
    with time_machine.travel(at(2026, 3, 14, 10), tick=False), pytest.raises(DomainError) as exc:
        services.check_out(item=item, by=cast.member, token=checkin.make_token(item))
    assert exc.value.code == "not_checked_in"
    assert not ServiceRecord.objects.exists()


def test_check_out_after_the_organiser_recorded_hours_does_not_count_twice(cast, item, signed_up):
    with time_machine.travel(at(2026, 3, 14, 9), tick=False):
        services.check_in(item=item, by=cast.member, token=checkin.make_token(item))
    with time_machine.travel(at(2026, 3, 14, 10, 30), tick=False):
        services.attendance_mark(
            item=item,
            person=cast.member_person,
            by=cast.staff,
            started_at=at(2026, 3, 14, 9),
            ended_at=at(2026, 3, 14, 10, 30),
        )
        _, record, _ = services.check_out(item=item, by=cast.member, token=checkin.make_token(item))
    assert record.source == RecordSource.ORGANISER
    assert ServiceRecord.objects.count() == 1


def test_a_scanned_url_names_its_item(item):
    token = checkin.make_token(item)
    assert checkin.token_item_id(token) == item.pk
    assert checkin.token_item_id("nonsense") is None


def test_the_qr_is_an_svg_of_the_check_in_url(item):
    svg = checkin.qr_svg("https://example.org/volunteering/checkin/abc/")
    assert svg.startswith("<svg") and "path" in svg


def test_the_token_lives_ten_minutes(cast, item, signed_up):
    token = token_at(item, at(2026, 3, 14, 8, 50))
    with time_machine.travel(at(2026, 3, 14, 8, 50) + dt.timedelta(minutes=9, seconds=59), tick=False):
        assert services.check_in(item=item, by=cast.member, token=token)[1]
    assert SignUp.objects.get(pk=signed_up.pk).checked_in_at is not None


def test_my_page_tells_where_the_member_is_in_a_running_item(cast, item, signed_up, client):
    from django.urls import reverse

    client.force_login(cast.member)
    page = reverse("volunteering:my_items")
    with time_machine.travel(at(2026, 3, 14, 8, 50), tick=False):
        assert "（可以签到）" in client.get(page).content.decode()
        services.check_in(item=item, by=cast.member, token=checkin.make_token(item))
        html = client.get(page).content.decode()
    assert "（已签到，结束时签退）" in html and "可以签到" not in html
    with time_machine.travel(at(2026, 3, 14, 11, 5), tick=False):
        services.check_out(item=item, by=cast.member, token=checkin.make_token(item))
        assert "（已签退）" in client.get(page).content.decode()


def test_the_ledger_says_a_checked_in_item_is_under_way_not_yet_to_start(cast, item, signed_up, client):
    from django.urls import reverse

    client.force_login(cast.member)
    page = reverse("volunteering:ledger", args=[cast.member_person.pk])
    with time_machine.travel(at(2026, 3, 14, 8, 50), tick=False):
        assert "已报名，尚未开始" in client.get(page).content.decode()
        services.check_in(item=item, by=cast.member, token=checkin.make_token(item))
        html = client.get(page).content.decode()
    assert "已签到，服务进行中" in html and "尚未开始" not in html
