"""The employer half's demo seed: last year's sheets issued and partly acknowledged, an open consultation."""

import datetime as dt
import random

import pytest
import time_machine

from evaluations import demo_employer
from evaluations.models import Consultation, ConsultationState, FeedbackSheet, SheetState
from members.demo import demo_seeds
from tests.volunteering.factories import at, registered_member

pytestmark = pytest.mark.django_db


def test_the_seed_is_registered():
    assert dict(demo_seeds())["evaluations_employer"] is demo_employer.seed


def test_the_demo_has_issued_partly_acknowledged_sheets_and_an_open_consultation(cast, monkeypatch):
    with time_machine.travel(at(2026, 12, 10, 10), tick=False):
        for _ in range(3):
            registered_member(cast.beijie, employer=cast.hospital)
            registered_member(cast.beijie, employer=cast.finance)
        registered_member(cast.changcheng, employer=cast.finance)
        # the hospital's liaison acknowledges, the finance bureau's does not
        draws = iter([0.1, 0.9])
        rng = random.Random()
        monkeypatch.setattr(rng, "random", lambda: next(draws))

        counts = demo_employer.seed(town=cast.town_obj, rng=rng, today=dt.date(2026, 12, 10))

    sheets = FeedbackSheet.objects.filter(year=2025, is_current=True)
    assert counts["sheets"] == sheets.count() == 7
    assert set(sheets.filter(employer=cast.hospital).values_list("state", flat=True)) == {
        SheetState.ACKNOWLEDGED
    }
    assert set(sheets.filter(employer=cast.finance).values_list("state", flat=True)) == {SheetState.ISSUED}
    assert all(s.opinion for s in sheets)
    assert Consultation.objects.filter(state=ConsultationState.OPEN).count() == 1
    drafts = FeedbackSheet.objects.filter(year=2026, community=cast.beijie)
    assert counts["drafts"] == drafts.count() == 6 and {s.state for s in drafts} == {SheetState.DRAFT}
