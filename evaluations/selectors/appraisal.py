"""Reads of the democratic evaluation: who is evaluated, the tally (set-based: one query for every
member's counts), the results the feedback sheet prints, the eligibility of an excellent member, the
ledger summary shown beside each name on the ballot, and an officer's yearly figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases.models import Case, DiaryEntry, Rating
from core.workdays import add_working_days
from members.models import (
    InformationOfficer,
    MemberCategory,
    Person,
    RegistrationStatus,
)
from members.roles import MANAGING_ROLES
from volunteering import selectors as volunteering_selectors

from ..models import (
    GRADE_ORDER,
    GROUPS_BY_KIND,
    PASSING_GRADES,
    Appraisal,
    AppraisalKind,
    AppraisalState,
    Ballot,
    EvaluatorGroup,
    ExcellentSelection,
    Grade,
    TallyRule,
)

# ------------------------------------------------------------------------------------------- subjects


def subjects(appraisal: Appraisal) -> QuerySet:
    """Who the evaluation grades: the in-service members with a confirmed registration in the community
    (members), or the people whose login holds a managing role there (cadres: secretary, staff, director)."""
    if appraisal.kind == AppraisalKind.CADRES:
        q = Q(
            user__role_assignments__community_id=appraisal.community_id,
            user__role_assignments__role__in=MANAGING_ROLES,
        )
        ids = Person.objects.filter(q).values("pk")
    else:
        ids = Person.objects.filter(
            registrations__community_id=appraisal.community_id,
            registrations__status=RegistrationStatus.CONFIRMED,
            membership__category=MemberCategory.IN_SERVICE,
        ).values("pk")
    return Person.objects.filter(pk__in=ids).order_by("name", "pk")


def accepts_ballots(appraisal: Appraisal, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return appraisal.state == AppraisalState.OPEN and today <= appraisal.closes_on


# ----------------------------------------------------------------------------------------------- tally


@dataclass
class AppraisalResult:
    """The result of one subject: the grade by the evaluation's rule (None: no ballot yet), the votes per
    panel group and grade ({"resident_rep": {"excellent": 3, …}, …}), and whether chosen as excellent."""

    person_id: int
    grade: str | None
    grade_label: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    excellent: bool = False
    excellent_reason: str = ""
    final: bool = False  # the evaluation is closed: the result no longer changes

    @property
    def total(self) -> dict[str, int]:
        out = dict.fromkeys(Grade.values, 0)
        for per_grade in self.counts.values():
            for grade, n in per_grade.items():
                out[grade] += n
        return out

    @property
    def votes(self) -> int:
        return sum(self.total.values())


def grade_by_rule(totals: dict[str, int], rule: str = TallyRule.MOST_VOTES_TIE_LOWER) -> str | None:
    """The grade the votes give. 得票最多者为准: the grade with most votes; a tie goes to the lower grade."""
    if rule != TallyRule.MOST_VOTES_TIE_LOWER:
        raise ValueError(f"unknown tally rule {rule}")
    best = max(totals.values(), default=0)
    if best == 0:
        return None
    return [g for g in GRADE_ORDER if totals.get(g, 0) == best][-1]


def _empty_counts(kind: str) -> dict[str, dict[str, int]]:
    return {group: dict.fromkeys(Grade.values, 0) for group in GROUPS_BY_KIND[AppraisalKind(kind)]}


def tally(appraisal: Appraisal, *, subject_ids: list[int] | None = None) -> dict[int, AppraisalResult]:
    """Every subject's result: one grouped query over the ballots, one for the excellent selections."""
    subject_ids_given = subject_ids is not None
    if subject_ids is None:
        subject_ids = list(subjects(appraisal).values_list("pk", flat=True))
    counts: dict[int, dict[str, dict[str, int]]] = {pid: _empty_counts(appraisal.kind) for pid in subject_ids}
    ballots = Ballot.objects.filter(appraisal=appraisal)
    if subject_ids_given:
        ballots = ballots.filter(subject_id__in=subject_ids)  # a chunk of members: its ballots only
    rows = ballots.values_list("subject_id", "evaluator__group", "grade").annotate(n=Count("pk")).order_by()
    for subject_id, group, grade, n in rows:
        per_group = counts.setdefault(subject_id, _empty_counts(appraisal.kind))
        per_group.setdefault(group, dict.fromkeys(Grade.values, 0))[grade] += n
    chosen = dict(ExcellentSelection.objects.filter(appraisal=appraisal).values_list("person_id", "reason"))
    results = {}
    for person_id, per_group in counts.items():
        result = AppraisalResult(person_id=person_id, grade=None, grade_label="", counts=per_group)
        result.grade = grade_by_rule(result.total, appraisal.rule)
        result.grade_label = Grade(result.grade).label if result.grade else "未评议"
        result.excellent = person_id in chosen
        result.excellent_reason = chosen.get(person_id, "")
        result.final = appraisal.state == AppraisalState.CLOSED
        results[person_id] = result
    return results


def results_for(
    *, community_id: int, year: int, person_ids: list[int] | None = None
) -> dict[int, AppraisalResult]:
    """The members' evaluation of a community and year, per person id (empty when there is none); only
    these `person_ids` when given (a batch's chunk). The feedback sheet prints these: the grade, both
    groups' counts, excellent or not."""
    appraisal = Appraisal.objects.filter(
        community_id=community_id, year=year, kind=AppraisalKind.MEMBERS
    ).first()
    if appraisal is None:
        return {}
    return tally(appraisal, subject_ids=person_ids)


# ------------------------------------------------------------------------------------------- excellent


@dataclass
class Eligibility:
    grade: str | None
    behind: bool

    @property
    def needs_reason(self) -> bool:
        return self.grade not in PASSING_GRADES or self.behind

    @property
    def why(self) -> str:
        parts = []
        if self.grade not in PASSING_GRADES:
            parts.append(f"评议结果为「{Grade(self.grade).label if self.grade else '未评议'}」，低于合格")
        if self.behind:
            parts.append("未完成本年度志愿服务要求")
        return "；".join(parts)


def eligibility(appraisal: Appraisal, person_id: int) -> Eligibility:
    """Whether selecting the member as excellent needs a recorded reason: a result below 合格, or behind
    the yearly volunteering requirement (volunteering.selectors.member_progress)."""
    result = tally(appraisal, subject_ids=[person_id]).get(person_id)
    progress = volunteering_selectors.member_progress(person_id, appraisal.community_id, appraisal.year)
    return Eligibility(grade=result.grade if result else None, behind=bool(progress["behind"]))


# --------------------------------------------------------------------------------------- ledger summary


@dataclass
class LedgerSummary:
    person_id: int
    items: int = 0
    hours: object = 0
    cases: int = 0
    registered_on: dt.date | None = None
    behind: bool = False
    requirement: str = ""


def ledger_summaries(appraisal: Appraisal) -> dict[int, LedgerSummary]:
    """Beside each name on the ballot: the year's service items and hours, cases handled and registration,
    from the yearly requirement rows (one query for all) and one grouped count of cases."""
    rows = volunteering_selectors.requirement_rows(
        community_ids=[appraisal.community_id], year=appraisal.year
    )
    out = {
        r.person_id: LedgerSummary(
            person_id=r.person_id,
            items=r.items,
            hours=r.hours,
            registered_on=r.registered_on,
            behind=r.behind,
            requirement=r.requirement_text,
        )
        for r in rows
    }
    users = {r.user_id: r.person_id for r in rows if r.user_id}
    handled = (
        Case.objects.filter(assignee_id__in=list(users), received_at__year=appraisal.year)
        .values_list("assignee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for user_id, n in handled:
        out[users[user_id]].cases = n
    return out


# ----------------------------------------------------------------------------------- officers' review


@dataclass
class OfficerFigures:
    diary_entries: int
    reports: int
    reports_prompt: int
    feedback_total: int
    feedback_on_time: int
    complaints: int

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def officer_figures(officer: InformationOfficer, year: int) -> OfficerFigures:
    """An officer's year (民情信息员管理制度 §5): visit-diary entries; cases they reported, and how many were
    registered within one working day of the visit (report "at once"); cases assigned to them that got
    feedback, and how many by the due date; complaints: their handled or reported cases rated 不满意."""
    town = officer.community.town_id
    diary = DiaryEntry.objects.filter(officer=officer, visited_on__year=year)
    reports = Case.objects.filter(reported_by_officer=officer, received_at__year=year)
    prompt = 0
    for visited_on, received_at in diary.filter(case__isnull=False).values_list(
        "visited_on", "case__received_at"
    ):
        if timezone.localtime(received_at).date() <= add_working_days(visited_on, 1, town=town):
            prompt += 1
    user_id = officer.person.user_id
    handled = (
        Case.objects.filter(assignee_id=user_id, received_at__year=year) if user_id else Case.objects.none()
    )
    feedback = list(handled.filter(feedback_at__isnull=False).values_list("feedback_at", "due_on"))
    on_time = sum(1 for at, due in feedback if due is None or timezone.localtime(at).date() <= due)
    complaints = (
        Case.objects.filter(received_at__year=year, rating=Rating.UNSATISFIED)
        .filter(Q(reported_by_officer=officer) | (Q(assignee_id=user_id) if user_id else Q(pk__in=[])))
        .count()
    )
    return OfficerFigures(
        diary_entries=diary.count(),
        reports=reports.count(),
        reports_prompt=prompt,
        feedback_total=len(feedback),
        feedback_on_time=on_time,
        complaints=complaints,
    )


__all__ = [
    "AppraisalResult",
    "Eligibility",
    "EvaluatorGroup",
    "LedgerSummary",
    "OfficerFigures",
    "accepts_ballots",
    "eligibility",
    "grade_by_rule",
    "ledger_summaries",
    "officer_figures",
    "results_for",
    "subjects",
    "tally",
]
