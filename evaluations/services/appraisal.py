"""Every write of the democratic evaluation: one service per business action, keyword-only, atomic, the
permission check inside. States change through core.transitions with an AppraisalEvent row.

- the community office (书记、工作人员、办公室主任) creates, opens and closes its evaluation, keeps the
  panel, hands out links, enters paper ballots, selects excellent members, publishes the cadres' result;
- only the town supervisor reopens a closed evaluation, with a reason;
- an evaluator needs no account: the personal link (a random token, stored hashed) is the credential,
  usable once, until the evaluation closes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import AnnouncementCategory
from cases.services import announcement_publish
from core.errors import Conflict, DomainError, PermissionDenied
from core.security import has_control_characters
from core.transitions import apply_transition, table_targets
from core.validators import BUSINESS_DATES
from members import services as member_services
from members.models import Community, InformationOfficer, OfficerRecordKind, Person, User
from members.permissions import require_manager, require_office, require_town_supervisor

from .. import selectors
from ..models import (
    GROUPS_BY_KIND,
    Appraisal,
    AppraisalEvent,
    AppraisalKind,
    AppraisalState,
    Ballot,
    BallotChannel,
    Commendation,
    Evaluator,
    ExcellentSelection,
    Grade,
    OfficerOutcome,
    OfficerReview,
    TallyRule,
)
from ..models.appraisal import APPRAISAL_ACTION_LABELS

TRANSITIONS: dict[str, set[str]] = {
    AppraisalState.DRAFT: {AppraisalState.OPEN},
    AppraisalState.OPEN: {AppraisalState.CLOSED},
    AppraisalState.CLOSED: {AppraisalState.OPEN},
}
# action → (from, to): the table keyed by what the user asked for, so the refusal names the legal actions
ACTIONS = {
    "open": (AppraisalState.DRAFT, AppraisalState.OPEN),
    "close": (AppraisalState.OPEN, AppraisalState.CLOSED),
    "reopen": (AppraisalState.CLOSED, AppraisalState.OPEN),
}
MAX_COMMENT = 200
READ_ONLY = "评议已结束，不能再修改"


def allowed_actions(appraisal: Appraisal) -> list[str]:
    return [action for action, (frm, _) in ACTIONS.items() if frm == appraisal.state]


def _refused(action: str):
    def refused(locked: Appraisal) -> DomainError:
        return Conflict(
            f"评议当前为「{locked.get_state_display()}」，不能{ACTION_LABELS[action]}",
            code="invalid_transition",
            allowed=allowed_actions(locked),
        )

    return refused


ACTION_LABELS = APPRAISAL_ACTION_LABELS


def _move(appraisal: Appraisal, action: str, *, by: User | None, note: str = "", fields=None) -> Appraisal:
    frm, to = ACTIONS[action]
    table = {frm: {to}}  # this action's row of TRANSITIONS

    def record(locked, from_state, to_state):
        return AppraisalEvent.objects.create(
            appraisal=locked, action=action, from_state=from_state, to_state=to_state, by=by, note=note
        )

    assert to in TRANSITIONS[frm]
    return apply_transition(
        appraisal,
        to=to,
        targets=table_targets(table),
        refused=_refused(action),
        record_event=record,
        state_field="state",
        fields=fields,
    )


def _text(value, field: str, label: str, *, max_chars: int, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if value is None or value == "":
        if required:
            raise DomainError(f"请填写{label}", fields={field: [f"请填写{label}"]})
        return ""
    if not isinstance(value, str):
        raise DomainError(f"{label}应为文字", fields={field: [f"{label}应为文字"]})
    if has_control_characters(value):
        raise DomainError(f"{label}含有不可见的控制字符", fields={field: ["含有不可见的控制字符"]})
    if len(value) > max_chars:
        raise DomainError(f"{label}不能超过 {max_chars} 字", fields={field: [f"不能超过 {max_chars} 字"]})
    return value


def _require_editable(appraisal: Appraisal) -> None:
    if appraisal.state == AppraisalState.CLOSED:
        raise Conflict(READ_ONLY, code="appraisal_closed", allowed=allowed_actions(appraisal))


# ------------------------------------------------------------------------------------- the evaluation


@transaction.atomic
def appraisal_create(
    *,
    community: Community,
    by: User,
    year: int,
    closes_on: dt.date,
    kind: str = AppraisalKind.MEMBERS,
    rule: str = TallyRule.MOST_VOTES_TIE_LOWER,
) -> Appraisal:
    """The secretary prepares the year's evaluation (draft): one per community, year and kind."""
    require_office(by, community.pk)
    errors = {}
    if kind not in AppraisalKind.values:
        errors["kind"] = ["应为在职党员民主评议或社区干部述职述廉评议"]
    if rule not in TallyRule.values:
        errors["rule"] = ["未知的计票规则"]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = ["年度应在 2000–2100 之间"]
    elif not isinstance(closes_on, dt.date) or closes_on.year not in (year, year + 1):
        errors["closes_on"] = ["截止日期应在评议年度或次年内"]
    if errors:
        raise DomainError("评议信息有误", fields=errors)
    if Appraisal.objects.filter(community=community, year=year, kind=kind).exists():
        raise Conflict(
            f"{community.name}{year}年度的{AppraisalKind(kind).label}已经建立",
            fields={"year": ["该年度已有评议"]},
        )
    try:
        with transaction.atomic():
            return Appraisal.objects.create(
                community=community, year=year, kind=kind, rule=rule, closes_on=closes_on, created_by=by
            )
    except IntegrityError:
        raise Conflict("该年度已有评议", fields={"year": ["该年度已有评议"]}) from None


@transaction.atomic
def appraisal_open(*, appraisal: Appraisal, by: User) -> Appraisal:
    require_office(by, appraisal.community_id)
    if appraisal.closes_on < timezone.localdate():
        raise DomainError("截止日期已过，请先修改截止日期", fields={"closes_on": ["截止日期已过"]})
    if not appraisal.evaluators.exists():
        raise DomainError("请先添加评议代表", fields={"evaluators": ["至少需要一名评议代表"]})
    return _move(appraisal, "open", by=by, fields={"opened_at": timezone.now()})


@transaction.atomic
def appraisal_close(*, appraisal: Appraisal, by: User) -> Appraisal:
    require_office(by, appraisal.community_id)
    return _move(appraisal, "close", by=by, fields={"closed_at": timezone.now()})


@transaction.atomic
def appraisal_reopen(
    *, appraisal: Appraisal, by: User, reason: str, closes_on: dt.date | None = None
) -> Appraisal:
    """Only the town supervisor reopens a closed evaluation, with a written reason (kept in the event)."""
    require_town_supervisor(by, appraisal.community.town_id)
    reason = _text(reason, "reason", "重新开放的理由", max_chars=300, required=True)
    closes_on = closes_on or appraisal.closes_on
    if BUSINESS_DATES.problem(closes_on):
        raise DomainError(
            "截止日期超出范围", fields={"closes_on": [f"日期{BUSINESS_DATES.problem(closes_on)}"]}
        )
    if closes_on < timezone.localdate():
        raise DomainError("请给出新的截止日期（不早于今天）", fields={"closes_on": ["截止日期已过"]})
    return _move(appraisal, "reopen", by=by, note=reason, fields={"closes_on": closes_on, "closed_at": None})


@transaction.atomic
def appraisal_set_closing_date(*, appraisal: Appraisal, by: User, closes_on: dt.date) -> Appraisal:
    require_office(by, appraisal.community_id)
    _require_editable(appraisal)
    if not isinstance(closes_on, dt.date) or closes_on < timezone.localdate():
        raise DomainError("截止日期不能早于今天", fields={"closes_on": ["截止日期不能早于今天"]})
    appraisal.closes_on = closes_on
    appraisal.save(update_fields=["closes_on"])
    return appraisal


def close_past_due(*, today: dt.date | None = None) -> int:
    """The nightly sweep: open evaluations past their closing date are closed (by nobody: the date)."""
    today = today or timezone.localdate()
    closed = 0
    for appraisal in Appraisal.objects.filter(state=AppraisalState.OPEN, closes_on__lt=today):
        try:
            with transaction.atomic():
                _move(
                    appraisal,
                    "close",
                    by=None,
                    note="截止日期已过，自动结束",
                    fields={"closed_at": timezone.now()},
                )
        except Conflict:  # closed meanwhile by the office
            continue
        closed += 1
    return closed


# ------------------------------------------------------------------------------------------ the panel


@transaction.atomic
def evaluator_add(
    *, appraisal: Appraisal, by: User, name: str = "", group: str, person: Person | None = None
) -> Evaluator:
    require_office(by, appraisal.community_id)
    _require_editable(appraisal)
    groups = GROUPS_BY_KIND[AppraisalKind(appraisal.kind)]
    if group not in groups:
        labels = "、".join(g.label for g in groups)
        raise DomainError(f"代表类别应为{labels}", fields={"group": [f"应为{labels}"]})
    if person is not None and person.community.town_id != appraisal.community.town_id:
        raise DomainError("该人员不在本镇", fields={"person": ["该人员不在本镇"]})
    name = _text(name or (person.name if person else ""), "name", "代表姓名", max_chars=50, required=True)
    if person is not None and appraisal.evaluators.filter(person=person).exists():
        raise Conflict("此人已在评议代表名单中", fields={"person": ["此人已在评议代表名单中"]})
    return Evaluator.objects.create(appraisal=appraisal, name=name, group=group, person=person)


@transaction.atomic
def evaluator_remove(*, evaluator: Evaluator, by: User) -> None:
    appraisal = evaluator.appraisal
    require_office(by, appraisal.community_id)
    _require_editable(appraisal)
    if evaluator.voted_at is not None:
        raise Conflict("该代表已投票，不能移除", fields={"evaluator": ["该代表已投票"]})
    evaluator.delete()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def evaluator_issue_link(*, evaluator: Evaluator, by: User) -> str:
    """A new personal link token for the evaluator, returned once (only its hash is kept). Issuing again
    replaces the previous link, which stops working; a used link cannot be replaced."""
    appraisal = evaluator.appraisal
    require_office(by, appraisal.community_id)
    _require_editable(appraisal)
    locked = Evaluator.objects.select_for_update().get(pk=evaluator.pk)
    if locked.voted_at is not None:
        raise Conflict("该代表已投票，链接已失效", fields={"evaluator": ["该代表已投票"]})
    token = secrets.token_urlsafe(24)
    locked.token_hash = hash_token(token)
    locked.link_issued_at = timezone.now()
    locked.save(update_fields=["token_hash", "link_issued_at"])
    evaluator.token_hash, evaluator.link_issued_at = locked.token_hash, locked.link_issued_at
    return token


def evaluator_for_token(token: str) -> Evaluator | None:
    """The evaluator a link belongs to, or None (an unknown, replaced or malformed token)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    return (
        Evaluator.objects.select_related("appraisal__community").filter(token_hash=hash_token(token)).first()
    )


# ---------------------------------------------------------------------------------------------- ballots

LINK_DEAD = "此评议链接无效或已失效"


def _clean_grades(appraisal: Appraisal, grades) -> list[tuple[int, str, str]]:
    """[(subject id, grade, comment)] from {subject id: grade or {"grade", "comment"}}; every subject of the
    evaluation graded once, each grade one of the four. Errors name the field: grades.<subject id>."""
    if not isinstance(grades, Mapping) or not grades:
        raise DomainError("请为每位评议对象选择评议等次", fields={"grades": ["请为每位评议对象选择评议等次"]})
    expected = dict(selectors.subjects(appraisal).values_list("pk", "name"))
    errors: dict[str, list[str]] = {}
    cleaned = []
    seen: set[int] = set()
    for key, value in grades.items():
        try:
            subject_id = int(key)
        except (TypeError, ValueError):
            subject_id = None
        if subject_id is None or subject_id not in expected:
            errors[f"grades.{key}"] = ["不是本次评议的评议对象"]
            continue
        seen.add(subject_id)
        grade, comment = (
            (value.get("grade"), value.get("comment", "")) if isinstance(value, Mapping) else (value, "")
        )
        if grade in (None, ""):
            errors[f"grades.{subject_id}"] = [f"请为{expected[subject_id]}选择评议等次"]
            continue
        if grade not in Grade.values:
            errors[f"grades.{subject_id}"] = ["评议等次应为优秀、合格、基本合格或不合格"]
            continue
        try:
            comment = _text(comment, f"grades.{subject_id}.comment", "意见", max_chars=MAX_COMMENT)
        except DomainError as exc:
            errors.update(exc.fields)
            continue
        cleaned.append((subject_id, grade, comment))
    missing = set(expected) - seen
    for subject_id in sorted(missing):
        errors[f"grades.{subject_id}"] = [f"请为{expected[subject_id]}选择评议等次"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(f"选票有误：{first}", fields=errors)
    return cleaned


def _cast(evaluator: Evaluator, grades, *, channel: str, entered_by: User | None) -> list[Ballot]:
    """Lock the evaluator, refuse a second ballot or a closed evaluation, write every grade at once.
    The unique constraint (appraisal, evaluator, subject) catches a race the lock did not serialise."""
    locked = Evaluator.objects.select_for_update().select_related("appraisal").get(pk=evaluator.pk)
    appraisal = locked.appraisal
    if not selectors.accepts_ballots(appraisal):
        raise Conflict(
            "评议已结束或尚未开始，不能投票",
            code="appraisal_closed",
            fields={"appraisal": ["评议不在投票期内"]},
        )
    if locked.voted_at is not None or Ballot.objects.filter(evaluator=locked).exists():
        raise Conflict(
            "该代表已经投过票，每人只能投一次", code="already_voted", fields={"evaluator": ["已经投过票"]}
        )
    cleaned = _clean_grades(appraisal, grades)
    try:
        with transaction.atomic():
            ballots = Ballot.objects.bulk_create(
                Ballot(
                    appraisal=appraisal,
                    evaluator=locked,
                    subject_id=subject_id,
                    grade=grade,
                    comment=comment,
                    entered_by=entered_by,
                )
                for subject_id, grade, comment in cleaned
            )
    except IntegrityError:
        raise Conflict(
            "该代表已经投过票，每人只能投一次", code="already_voted", fields={"evaluator": ["已经投过票"]}
        ) from None
    locked.voted_at = timezone.now()
    locked.channel = channel
    locked.token_hash = ""  # the link is spent
    locked.save(update_fields=["voted_at", "channel", "token_hash"])
    return ballots


@transaction.atomic
def ballot_submit_by_link(*, token: str, grades) -> list[Ballot]:
    """The evaluator's own ballot through their personal link: no account; the token is the credential."""
    evaluator = evaluator_for_token(token)
    if evaluator is None:
        raise PermissionDenied(LINK_DEAD)
    return _cast(evaluator, grades, channel=BallotChannel.LINK, entered_by=None)


@transaction.atomic
def ballot_enter_paper(*, evaluator: Evaluator, by: User, grades) -> list[Ballot]:
    """Staff enter an evaluator's paper ballot (the same one-ballot rule as the link)."""
    require_office(by, evaluator.appraisal.community_id)
    return _cast(evaluator, grades, channel=BallotChannel.PAPER, entered_by=by)


# ------------------------------------------------------------------------------------ excellent members


@transaction.atomic
def excellent_select(
    *, appraisal: Appraisal, person: Person, by: User, reason: str = ""
) -> ExcellentSelection:
    """评选评优 from the final tally. Below 合格 or behind the yearly requirement: only with a reason.
    Issues the commendation notice (通报表彰) to the member's employer in the same transaction."""
    require_office(by, appraisal.community_id)
    if appraisal.kind != AppraisalKind.MEMBERS:
        raise DomainError("只有在职党员民主评议可以评选优秀党员", fields={"appraisal": ["不是党员评议"]})
    if appraisal.state != AppraisalState.CLOSED:
        raise Conflict(
            "评议结束、计票确定后才能评选优秀党员",
            code="appraisal_not_closed",
            allowed=allowed_actions(appraisal),
        )
    if not selectors.subjects(appraisal).filter(pk=person.pk).exists():
        raise DomainError("该人员不是本次评议的评议对象", fields={"person": ["不是本次评议的评议对象"]})
    reason = _text(reason, "reason", "理由", max_chars=300)
    # the evaluation's row lock serialises selections, so notice numbers are handed out one at a time
    Appraisal.objects.select_for_update().filter(pk=appraisal.pk).first()
    check = selectors.eligibility(appraisal, person.pk)
    if check.needs_reason and not reason:
        raise DomainError(f"{check.why}，评为优秀须填写理由", fields={"reason": [f"{check.why}，须填写理由"]})
    membership = getattr(person, "membership", None)
    if membership is None or membership.employer_id is None:
        raise DomainError("该党员没有登记工作单位，无法通报表彰", fields={"person": ["没有工作单位"]})
    if ExcellentSelection.objects.filter(appraisal=appraisal, person=person).exists():
        raise Conflict("该党员已评为优秀", fields={"person": ["已评为优秀"]})
    try:
        with transaction.atomic():
            selection = ExcellentSelection.objects.create(
                appraisal=appraisal,
                person=person,
                reason=reason,
                needed_reason=check.needs_reason,
                selected_by=by,
            )
    except IntegrityError:
        raise Conflict("该党员已评为优秀", fields={"person": ["已评为优秀"]}) from None
    community = appraisal.community
    sequence = Commendation.objects.filter(community=community, year=appraisal.year).count() + 1
    Commendation.objects.create(
        selection=selection,
        community=community,
        employer_id=membership.employer_id,
        person=person,
        year=appraisal.year,
        number=f"{appraisal.year}-{community.code}-{sequence:03d}",
        body=(
            f"{membership.employer.party_org_name or membership.employer.name}：\n"
            f"贵单位在职党员{person.name}同志在{community.name}报到以来，积极参加志愿服务，"
            f"在{appraisal.year}年度民主评议中被评为优秀党员，特此通报表彰。\n"
            f"中共{community.name}总支部委员会"
        ),
    )
    return selection


# ------------------------------------------------------------------------------------ cadres' result


@transaction.atomic
def cadre_result_publish(*, appraisal: Appraisal, by: User):
    """Publish the closed 述职述廉 evaluation on the community's public disclosure page (an announcement
    through cases.services), once."""
    require_office(by, appraisal.community_id)
    if appraisal.kind != AppraisalKind.CADRES:
        raise DomainError("只有社区干部述职述廉评议的结果需要公示", fields={"appraisal": ["不是干部评议"]})
    if appraisal.state != AppraisalState.CLOSED:
        raise Conflict(
            "评议结束后才能公示结果", code="appraisal_not_closed", allowed=allowed_actions(appraisal)
        )
    locked = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if locked.published_at is not None:
        raise Conflict("结果已经公示", code="already_published")
    people = dict(selectors.subjects(appraisal).values_list("pk", "name"))
    lines = []
    for person_id, result in selectors.tally(appraisal).items():
        total = result.total
        votes = "，".join(f"{Grade(g).label} {total[g]} 票" for g in Grade.values)
        lines.append(f"{people.get(person_id, '')}：{votes}；评议结果：{result.grade_label}")
    announcement = announcement_publish(
        community=appraisal.community,
        by=by,
        category=AnnouncementCategory.PARTY,
        title=f"{appraisal.year}年度社区干部述职述廉民主评议结果",
        body="\n".join(lines) or "本次评议没有评议对象",
    )
    locked.published_at = timezone.now()
    locked.save(update_fields=["published_at"])
    appraisal.published_at = locked.published_at
    AppraisalEvent.objects.create(
        appraisal=locked,
        action="publish",
        from_state=locked.state,
        to_state=locked.state,
        by=by,
        note="公示评议结果",
    )
    return announcement


# ---------------------------------------------------------------------------- officers' yearly review


@transaction.atomic
def officer_review(
    *,
    officer: InformationOfficer,
    by: User,
    year: int,
    outcome: str,
    note: str,
    amount_yuan=None,
    skip_reason: str = "",
) -> OfficerReview:
    """民情信息员年度考评: the year's figures, and the outcome applied through the officer's record —
    a commendation, or the next rung of the penalty ladder (members.services.officer_record)."""
    require_manager(by, officer.community_id)
    if outcome not in OfficerOutcome.values:
        raise DomainError(
            "考评结果应为推荐表彰、按奖惩阶梯处理或不作奖惩", fields={"outcome": ["未知的考评结果"]}
        )
    if not isinstance(year, int) or not 2000 <= year <= timezone.localdate().year:
        raise DomainError("考评年度有误", fields={"year": ["年度不能晚于今年"]})
    note = _text(note, "note", "评语", max_chars=300, required=True)
    if OfficerReview.objects.filter(officer=officer, year=year).exists():
        raise Conflict("该信息员本年度已考评", fields={"year": ["本年度已考评"]})
    figures = selectors.officer_figures(officer, year)
    record = None
    kind: str | None
    if outcome == OfficerOutcome.COMMENDATION:
        kind = OfficerRecordKind.COMMENDATION
    elif outcome == OfficerOutcome.PENALTY:
        kind = member_services.next_penalty(officer)
    else:
        kind = None
    if kind is not None:
        record = member_services.officer_record(
            officer=officer,
            by=by,
            kind=kind,
            reason=f"{year}年度考评：{note}",
            amount_yuan=amount_yuan,
            skip_reason=skip_reason,
        )
    try:
        with transaction.atomic():
            return OfficerReview.objects.create(
                officer=officer,
                year=year,
                outcome=outcome,
                note=note,
                record=record,
                reviewed_by=by,
                **figures.as_dict(),
            )
    except IntegrityError:
        raise Conflict("该信息员本年度已考评", fields={"year": ["本年度已考评"]}) from None
