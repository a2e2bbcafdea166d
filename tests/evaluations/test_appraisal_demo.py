"""The demo town shows both sides of the evaluation: a closed 2025 one with ballots and excellent members
(each with a commendation to the employer) and an open 2026 one with links handed out."""

import datetime as dt
import random

import pytest
import time_machine

from cases.models import Announcement
from evaluations.models import Appraisal, AppraisalKind, AppraisalState, Commendation, ExcellentSelection
from members.demo import demo_seeds, seed_town
from tests.volunteering.factories import at

pytestmark = pytest.mark.django_db


def test_the_demo_town_has_a_closed_2025_and_an_open_2026_evaluation(without_cast):
    with time_machine.travel(at(2026, 12, 3, 10), tick=False):
        rng = random.Random(7)
        made = seed_town(rng=rng, people_per_community=20)
        for _, seed in demo_seeds():
            seed(town=made["town"], rng=rng, today=dt.date(2026, 12, 3))

    members = Appraisal.objects.filter(kind=AppraisalKind.MEMBERS)
    assert set(members.filter(year=2025).values_list("state", flat=True)) == {AppraisalState.CLOSED}
    assert set(members.filter(year=2026).values_list("state", flat=True)) == {AppraisalState.OPEN}
    closed = members.filter(year=2025)
    assert all(a.ballots.exists() for a in closed if a.evaluators.exists())
    assert ExcellentSelection.objects.count() == Commendation.objects.count() > 0
    assert all(a.closes_on == dt.date(2025, 12, 20) for a in closed)
    cadres = Appraisal.objects.get(kind=AppraisalKind.CADRES)
    assert cadres.published_at is not None
    assert Announcement.objects.filter(title="2025年度社区干部述职述廉民主评议结果").count() == 1
