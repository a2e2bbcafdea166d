"""The cases a member handled show on their activity ledger (活动台账), through volunteering's hook."""

import datetime as dt

from cases.states import CaseState
from tests.cases.factories import make_case
from volunteering.selectors import member_ledger

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _section(ledger):
    return next((s for s in ledger.sections if s.key == "cases"), None)


def test_the_ledger_lists_the_cases_the_member_handled_that_year(cast):
    # Given two cases assigned to the member: one this year, one last year
    this_year = make_case(
        cast.beijie,
        by=cast.secretary,
        state=CaseState.RESOLVED,
        worker=cast.member,
        received_at=dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI),
    )
    make_case(
        cast.beijie,
        by=cast.secretary,
        state=CaseState.RESOLVED,
        worker=cast.member,
        received_at=dt.datetime(2025, 12, 30, 10, tzinfo=SHANGHAI),
    )
    # When the secretary opens the member's 2026 ledger
    ledger = member_ledger(person=cast.member_person, year=2026, viewer=cast.secretary)
    section = _section(ledger)
    # Then the cases section lists exactly this year's case
    assert section is not None and section.title == "承办的民情件"
    assert [row[0] for row in section.rows] == [this_year.tracking_no]
    assert section.rows[0][4] == "已办结"


def test_a_viewer_who_cannot_see_the_cases_sees_an_empty_section(cast):
    make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.member)
    ledger = member_ledger(person=cast.member_person, year=dt.date.today().year, viewer=cast.other_secretary)
    section = _section(ledger)
    assert section is not None and section.rows == []
