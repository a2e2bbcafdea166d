"""民情信息员: appointment, ending, the commendation/penalty ladder, the community's quota and the
vacancy alerts."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core import audit
from core.errors import Conflict, DomainError

from ..models import (
    MEMBER_SOURCES,
    PENALTY_LADDER,
    Community,
    InformationOfficer,
    OfficerEndReason,
    OfficerRecord,
    OfficerRecordKind,
    OfficerSource,
    OfficerStatus,
    Person,
    RoleAssignment,
    User,
)
from ..permissions import require_manager
from ..roles import Role, forget_scope


def next_appointment_no(community: Community, year: int) -> str:
    prefix = f"{community.code.upper()}-{year}-"
    taken = InformationOfficer.objects.filter(
        community=community, appointment_no__startswith=prefix
    ).values_list("appointment_no", flat=True)
    highest = max((int(n.rsplit("-", 1)[1]) for n in taken if n.rsplit("-", 1)[1].isdigit()), default=0)
    return f"{prefix}{highest + 1:03d}"


@transaction.atomic
def officer_appoint(
    *,
    community: Community,
    person: Person,
    by: User,
    source: str,
    appointed_on: dt.date,
    term_years: int = 3,
    term_end: dt.date | None = None,
    appointment_no: str = "",
    compound=None,
) -> InformationOfficer:
    """聘用 a 民情信息员 of this community, enter them on the roster and give them a login role."""
    require_manager(by, community.pk)
    errors = {}
    if person.community_id != community.pk:
        errors["person"] = ["信息员须从本社区居民中聘用"]
    membership = getattr(person, "membership", None)
    if membership is not None and membership.is_in_service:
        # Whatever source the form claims: in-service members claim service posts instead.
        errors["person"] = ["信息员从非在职党员和积极分子中聘用，在职党员请认领服务岗位"]
    elif source in MEMBER_SOURCES and membership is None:
        errors["source"] = ["该人员不是党员，来源应为小区积极分子或优秀综治员"]
    elif source not in OfficerSource.values:
        errors["source"] = ["未知的人员来源"]
    if compound is not None and compound.community_id != community.pk:
        errors["compound"] = ["楼院不属于本社区"]
    if term_end is None:
        try:
            term_end = appointed_on.replace(year=appointed_on.year + term_years) - dt.timedelta(days=1)
        except ValueError:  # 29 February
            term_end = appointed_on.replace(year=appointed_on.year + term_years, day=28)
    if term_end <= appointed_on:
        errors["term_end"] = ["聘期结束日期须晚于聘用日期"]
    if errors:
        raise DomainError("无法聘用该信息员", fields=errors)
    # Serialise appointments per community: the next letter number is read and then written.
    Community.objects.select_for_update().filter(pk=community.pk).first()
    if InformationOfficer.objects.filter(
        community=community, person=person, status=OfficerStatus.ACTIVE
    ).exists():
        raise Conflict("该人员已是本社区在聘信息员", code="already_appointed", fields={"person": ["已在聘"]})
    appointment_no = appointment_no.strip() or next_appointment_no(community, appointed_on.year)
    if InformationOfficer.objects.filter(community=community, appointment_no=appointment_no).exists():
        raise Conflict("聘书编号已被使用", fields={"appointment_no": ["聘书编号已被使用"]})
    officer = InformationOfficer.objects.create(
        community=community,
        person=person,
        appointment_no=appointment_no,
        appointed_on=appointed_on,
        term_end=term_end,
        source=source,
        compound=compound,
        appointed_by=by,
    )
    if person.user_id:
        RoleAssignment.objects.get_or_create(user_id=person.user_id, role=Role.OFFICER, community=community)
        forget_scope(person.user)
    return officer


@transaction.atomic
def officer_end(
    *, officer: InformationOfficer, by: User, reason: str, on: dt.date | None = None
) -> InformationOfficer:
    require_manager(by, officer.community_id)
    if reason not in OfficerEndReason.values:
        raise DomainError(
            "未知的离任原因", fields={"reason": [f"应为 {', '.join(OfficerEndReason.values)} 之一"]}
        )
    # Compare-and-set: of two concurrent endings only one finds the row active. update() bypasses the
    # model receivers of the audit trail, so the change is recorded explicitly.
    before = {"status": OfficerStatus.ACTIVE, "ended_on": officer.ended_on, "end_reason": officer.end_reason}
    updated = InformationOfficer.objects.filter(pk=officer.pk, status=OfficerStatus.ACTIVE).update(
        status=OfficerStatus.ENDED, ended_on=on or timezone.localdate(), end_reason=reason
    )
    if not updated:
        raise Conflict("该信息员已离任", code="already_ended")
    officer.refresh_from_db()
    audit.record_update(officer, before=before, actor=by)
    still_officer = InformationOfficer.objects.filter(
        person=officer.person, community=officer.community, status=OfficerStatus.ACTIVE
    ).exists()
    if officer.person.user_id and not still_officer:
        RoleAssignment.objects.filter(
            user_id=officer.person.user_id, role=Role.OFFICER, community=officer.community
        ).delete()
    return officer


def next_penalty(officer: InformationOfficer) -> str:
    """The next rung of the manual's ladder after the heaviest penalty already recorded."""
    kinds = set(officer.records.values_list("kind", flat=True))
    reached = [i for i, kind in enumerate(PENALTY_LADDER) if kind in kinds]
    return PENALTY_LADDER[min(max(reached, default=-1) + 1, len(PENALTY_LADDER) - 1)]


@transaction.atomic
def officer_record(
    *,
    officer: InformationOfficer,
    by: User,
    kind: str,
    reason: str,
    on: dt.date | None = None,
    amount_yuan=None,
    skip_reason: str = "",
) -> OfficerRecord:
    """Record a commendation or a penalty. Penalties climb the manual's ladder one rung at a time
    (批评教育 → 通报批评 → 经济处罚 → 解除聘用); skipping a rung needs a written reason."""
    require_manager(by, officer.community_id)
    errors = {}
    if kind not in OfficerRecordKind.values:
        errors["kind"] = ["未知的奖惩类型"]
    if not (reason or "").strip():
        errors["reason"] = ["请填写事由"]
    if kind == OfficerRecordKind.ECONOMIC_PENALTY and not amount_yuan:
        errors["amount_yuan"] = ["经济处罚须填写金额"]
    if errors:
        raise DomainError("奖惩记录不完整", fields=errors)
    if officer.status != OfficerStatus.ACTIVE:
        raise Conflict("该信息员已离任，不能再记录奖惩", code="officer_ended")
    if kind in PENALTY_LADDER:
        expected = next_penalty(officer)
        if PENALTY_LADDER.index(kind) > PENALTY_LADDER.index(expected) and not skip_reason.strip():
            raise DomainError(
                f"处理应逐级进行，下一级为「{OfficerRecordKind(expected).label}」；越级处理须说明理由",
                fields={"skip_reason": ["越级处理须说明理由"]},
                allowed=[expected],
            )
    record = OfficerRecord.objects.create(
        officer=officer,
        kind=kind,
        on=on or timezone.localdate(),
        reason=reason.strip() + (f"（越级理由：{skip_reason.strip()}）" if skip_reason.strip() else ""),
        amount_yuan=amount_yuan,
        recorded_by=by,
    )
    if kind == OfficerRecordKind.DISMISSAL:
        officer_end(officer=officer, by=by, reason=OfficerEndReason.DISMISSED, on=record.on)
    return record


@transaction.atomic
def community_set_officer_quota(*, community: Community, by: User, quota: int) -> Community:
    require_manager(by, community.pk)
    if quota < 0 or quota > 500:
        raise DomainError("定额应在 0–500 之间", fields={"officer_quota": ["定额应在 0–500 之间"]})
    community.officer_quota = quota
    community.save(update_fields=["officer_quota"])
    return community


def officer_vacancy_alerts(*, today: dt.date | None = None) -> int:
    """Tell each short community's secretary and office director that officer posts are vacant
    (缺额要立即给予补充). At most one alert per community per day, however often the task runs."""
    from core.notifications import notify

    from ..selectors import communities_short_of_officers

    today = today or timezone.localdate()
    short = {s.community_id: s for s in communities_short_of_officers(Community.objects.all())}
    if not short:
        return 0
    recipients = RoleAssignment.objects.filter(
        community_id__in=short, role__in=[Role.SECRETARY, Role.OFFICE_DIRECTOR]
    ).select_related("user")
    sent = 0
    for assignment in recipients:
        strength = short[assignment.community_id]
        note = notify(
            recipient=assignment.user,
            kind="officer_vacancy",
            title=f"{strength.community_name}民情信息员缺额 {strength.vacancies} 名",
            body=f"定额 {strength.quota} 名，在聘 {strength.active} 名。请及时补充，保持信息员队伍战斗力。",
            url="/officers/",
            dedupe_key=f"officer-vacancy:{assignment.community_id}:{assignment.user_id}:{today:%Y%m%d}",
        )
        sent += note is not None
    return sent
