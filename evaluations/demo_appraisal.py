"""The demo town's democratic evaluations: per community a closed 2025 evaluation with every ballot in
and its excellent members (each with a commendation to the employer), an open 2026 one with part of the
ballots in; and in the first community the cadres' 2025 述职述廉 evaluation, published.

Built through the services, as the secretary of each community. The 2025 dates are history, so they are
set on the rows after the services ran (the services refuse a closing date in the past)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from members.models import Community, Person, RoleAssignment
from members.roles import MANAGING_ROLES, Role

from . import selectors, services
from .models import GRADE_ORDER, Appraisal, AppraisalKind, EvaluatorGroup

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英志强桂兰玉梅海燕明华丽娟国平春生德胜淑珍"
# the panel: 3 resident reps and 2 party-member (or unit) reps
PANEL = 5
WEIGHTS = (3, 6, 1, 0.2)  # 优秀, 合格, 基本合格, 不合格


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


def _panel(appraisal, by, rng, kind=AppraisalKind.MEMBERS):
    second = EvaluatorGroup.MEMBER_REP if kind == AppraisalKind.MEMBERS else EvaluatorGroup.UNIT_REP
    groups = [EvaluatorGroup.RESIDENT_REP] * 3 + [second] * (PANEL - 3)
    return [services.evaluator_add(appraisal=appraisal, by=by, name=_name(rng), group=g) for g in groups]


def _grades(appraisal, rng):
    return {
        pk: {"grade": rng.choices(GRADE_ORDER, weights=WEIGHTS)[0]}
        for pk in selectors.subjects(appraisal).values_list("pk", flat=True)
    }


def _backdate(appraisal: Appraisal, year: int) -> None:
    tz = timezone.get_current_timezone()
    appraisal.closes_on = dt.date(year, 12, 20)
    appraisal.opened_at = dt.datetime(year, 12, 1, 9, tzinfo=tz)
    appraisal.closed_at = dt.datetime(year, 12, 21, 9, tzinfo=tz)
    appraisal.save(update_fields=["closes_on", "opened_at", "closed_at"])


def _closed(community, by, rng, *, year, kind=AppraisalKind.MEMBERS) -> Appraisal:
    appraisal = services.appraisal_create(
        community=community,
        by=by,
        year=year,
        kind=kind,
        closes_on=timezone.localdate() + dt.timedelta(days=1),
    )
    panel = _panel(appraisal, by, rng, kind)
    services.appraisal_open(appraisal=appraisal, by=by)
    for evaluator in panel:
        if selectors.subjects(appraisal).exists():
            services.ballot_enter_paper(evaluator=evaluator, by=by, grades=_grades(appraisal, rng))
    services.appraisal_close(appraisal=appraisal, by=by)
    _backdate(appraisal, year)
    return appraisal


def seed_appraisal(*, town, rng: random.Random, today: dt.date) -> dict:
    counts = dict.fromkeys(["appraisals", "ballots", "excellent", "links"], 0)
    last, this = today.year - 1, today.year
    for index, community in enumerate(Community.objects.filter(town=town).order_by("pk")):
        secretary_id = (
            RoleAssignment.objects.filter(community=community, role=Role.SECRETARY)
            .values_list("user_id", flat=True)
            .first()
        )
        if secretary_id is None:
            continue
        by = RoleAssignment.objects.get(community=community, role=Role.SECRETARY, user_id=secretary_id).user
        closed = _closed(community, by, rng, year=last)
        counts["appraisals"] += 1
        # the excellent: the best two by the tally (a reason recorded where the rule asks for one)
        results = sorted(
            selectors.tally(closed).values(),
            key=lambda r: (-r.total["excellent"], -r.total["competent"], r.person_id),
        )
        for result in results[:2]:
            check = selectors.eligibility(closed, result.person_id)
            services.excellent_select(
                appraisal=closed,
                person=Person.objects.get(pk=result.person_id),
                by=by,
                reason="年度内多次参加小区志愿服务，群众评价好" if check.needs_reason else "",
            )
            counts["excellent"] += 1
        # this year's: open, some ballots in, links handed out to the rest
        current = services.appraisal_create(
            community=community, by=by, year=this, closes_on=max(today, dt.date(this, 12, 20))
        )
        panel = _panel(current, by, rng)
        services.appraisal_open(appraisal=current, by=by)
        counts["appraisals"] += 1
        for evaluator in panel[:2]:
            if selectors.subjects(current).exists():
                services.ballot_enter_paper(evaluator=evaluator, by=by, grades=_grades(current, rng))
        for evaluator in panel[2:]:
            services.evaluator_issue_link(evaluator=evaluator, by=by)
            counts["links"] += 1
        if index == 0:
            # the cadres' 述职述廉 of last year, published on the disclosure page
            for ra in RoleAssignment.objects.filter(
                community=community, role__in=MANAGING_ROLES
            ).select_related("user"):
                if not Person.objects.filter(user=ra.user).exists():
                    Person.objects.create(community=community, name=ra.user.display_name[:50], user=ra.user)
            cadres = _closed(community, by, rng, year=last, kind=AppraisalKind.CADRES)
            services.cadre_result_publish(appraisal=cadres, by=by)
            counts["appraisals"] += 1
    counts["ballots"] = sum(a.ballots.count() for a in Appraisal.objects.filter(community__town=town))
    return counts
