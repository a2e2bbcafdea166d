"""Helpers for the democratic-evaluation tests: an evaluation of 北街 in 2026 with its panel, built
through the services (so states and events are consistent)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from evaluations import services
from evaluations.models import AppraisalKind, EvaluatorGroup
from tests.volunteering.factories import at, register

NOW = at(2026, 11, 20, 10)  # a Friday in November: the year's evaluation is under way
CLOSES_ON = dt.date(2026, 12, 15)


def open_appraisal(
    cast, *, residents=3, members=2, kind=AppraisalKind.MEMBERS, year=2026, closes_on=CLOSES_ON
):
    """北街's evaluation, opened by the secretary, with `residents` resident reps and `members` party-member
    reps (cadres: unit reps instead of party-member reps). 马明 (cast.member_person) is registered."""
    if kind == AppraisalKind.MEMBERS and not cast.member_person.registrations.exists():
        register(cast.member_person, cast.beijie)
    appraisal = services.appraisal_create(
        community=cast.beijie, by=cast.secretary, year=year, closes_on=closes_on, kind=kind
    )
    second = EvaluatorGroup.MEMBER_REP if kind == AppraisalKind.MEMBERS else EvaluatorGroup.UNIT_REP
    panel = [
        services.evaluator_add(
            appraisal=appraisal, by=cast.secretary, name=f"居民代表{i + 1}", group=EvaluatorGroup.RESIDENT_REP
        )
        for i in range(residents)
    ] + [
        services.evaluator_add(appraisal=appraisal, by=cast.secretary, name=f"代表{i + 1}", group=second)
        for i in range(members)
    ]
    services.appraisal_open(appraisal=appraisal, by=cast.secretary)
    return SimpleNamespace(
        appraisal=appraisal, panel=panel, residents=panel[:residents], others=panel[residents:]
    )


def vote(cast, evaluator, grades: dict):
    """A paper ballot entered by the staff."""
    return services.ballot_enter_paper(evaluator=evaluator, by=cast.staff, grades=grades)


def appraisal_admin_rows(community, *, person, officer) -> dict:
    """One row of every appraisal model in `community` (for tests/security/test_admin_tenancy.py)."""
    from evaluations.models import (
        Appraisal,
        Ballot,
        Commendation,
        Evaluator,
        ExcellentSelection,
        OfficerOutcome,
        OfficerReview,
    )

    appraisal = Appraisal.objects.create(community=community, year=2025, closes_on=dt.date(2025, 12, 20))
    evaluator = Evaluator.objects.create(appraisal=appraisal, name="代表", group=EvaluatorGroup.RESIDENT_REP)
    selection = ExcellentSelection.objects.create(appraisal=appraisal, person=person)
    return {
        "evaluations.Appraisal": appraisal,
        "evaluations.Ballot": Ballot.objects.create(
            appraisal=appraisal, evaluator=evaluator, subject=person, grade="excellent"
        ),
        "evaluations.ExcellentSelection": selection,
        "evaluations.Commendation": Commendation.objects.create(
            selection=selection,
            community=community,
            employer=person.membership.employer,
            person=person,
            year=2025,
            number=f"2025-{community.code}-001",
            body="通报表彰",
        ),
        "evaluations.OfficerReview": OfficerReview.objects.create(
            officer=officer,
            year=2025,
            outcome=OfficerOutcome.NONE,
            note="按时走访",
            **dict.fromkeys(
                [
                    "diary_entries",
                    "reports",
                    "reports_prompt",
                    "feedback_total",
                    "feedback_on_time",
                    "complaints",
                ],
                0,
            ),
        ),
    }
