import datetime as dt

from core.models import Notification
from members import services, tasks
from members.models import OfficerEndReason


def test_a_community_below_its_officer_quota_alerts_its_secretary_once_a_day(cast):
    # Given 北街 has a quota of two officers and one active officer
    assert cast.beijie.officer_quota == 2
    # When the daily task runs twice on the same day
    first = services.officer_vacancy_alerts(today=dt.date(2026, 11, 26))
    second = services.officer_vacancy_alerts(today=dt.date(2026, 11, 26))
    # Then the secretary and the office director are told once, and nobody of 长城 (no quota) is
    titles = list(Notification.objects.values_list("recipient__username", "title"))
    assert first == 2 and second == 0
    assert sorted(u for u, _ in titles) == ["alice", "dora"]
    assert all("缺额 1 名" in t for _, t in titles)


def test_the_next_day_brings_a_new_alert_while_the_post_is_still_vacant(cast):
    services.officer_vacancy_alerts(today=dt.date(2026, 11, 26))
    assert services.officer_vacancy_alerts(today=dt.date(2026, 11, 27)) == 2


def test_a_community_at_strength_gets_no_alert(cast):
    cast.beijie.officer_quota = 1
    cast.beijie.save(update_fields=["officer_quota"])
    assert tasks.alert_officer_vacancies.delay().get() == 0
    assert not Notification.objects.exists()


def test_dismissing_an_officer_opens_a_vacancy(cast):
    cast.beijie.officer_quota = 1
    cast.beijie.save(update_fields=["officer_quota"])
    services.officer_end(officer=cast.officer_row, by=cast.secretary, reason=OfficerEndReason.RESIGNED)
    assert services.officer_vacancy_alerts(today=dt.date(2026, 11, 26)) == 2
