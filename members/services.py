"""Every write of the members app: one function per business action, keyword-only, atomic.

Permission checks here are about *which* community the actor may act in; the API and pages only ever
hand in objects they obtained through `visible_to`, so a foreign object never reaches a service.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.errors import Conflict, DomainError, PermissionDenied

from .models import (
    ACTIVE_REGISTRATION_STATUSES,
    MEMBER_SOURCES,
    PENALTY_LADDER,
    Building,
    Community,
    InformationOfficer,
    MemberCategory,
    OfficerEndReason,
    OfficerRecord,
    OfficerRecordKind,
    OfficerSource,
    OfficerStatus,
    PartyMembership,
    Person,
    Registration,
    RegistrationChannel,
    RegistrationEvent,
    RegistrationStatus,
    ResponsibilityZone,
    RoleAssignment,
    Town,
    User,
    ZoneAssignment,
    ZoneSource,
)
from .permissions import require_manager, require_town_supervisor  # noqa: F401  (re-exported for callers)
from .roles import Role, forget_scope, scope_for

# ---------------------------------------------------------------------------------------------- people


@transaction.atomic
def person_save(
    *, by: User, person: Person | None = None, membership: dict | None = None, **fields
) -> Person:
    """Create or update a person (and their party membership). `membership=None` leaves it as it is."""
    if person is None:
        person = Person(**fields)
    else:
        moving_from = person.community_id
        for key, value in fields.items():
            setattr(person, key, value)
        if person.community_id != moving_from:
            # Moving someone out of a community takes the office of that community too, not only the new one.
            require_manager(by, moving_from)
            if Registration.objects.filter(person=person, status__in=ACTIVE_REGISTRATION_STATUSES).exists():
                # A registered member's move goes through the transfer, which keeps the registration's history.
                raise Conflict(
                    "该党员已在原社区报到，搬家请办理报到转移",
                    code="registration_active",
                    fields={"community": ["请通过报到转移变更居住社区"]},
                )
    require_manager(by, person.community_id)
    if person.id_number == "":
        person.id_number = None
    person.full_clean()
    person.save()
    if membership is not None:
        membership_save(person=person, **membership)
    return person


def membership_save(*, person: Person, **fields) -> PartyMembership:
    """Create or update the membership. Fields left out keep their current value (so a PATCH that sends
    only the position neither wipes the category nor drops an in-service member's employer)."""
    current = PartyMembership.objects.filter(person=person).first()
    category = fields.get("category") or (current.category if current else "")
    employer = fields.get("employer", current.employer if current else None)
    if not category:
        raise DomainError("请选择党员类别", fields={"category": ["请选择党员类别"]})
    if category == MemberCategory.IN_SERVICE and employer is None:
        raise DomainError("在职党员必须填写工作单位", fields={"employer": ["在职党员必须填写工作单位"]})
    obj, _ = PartyMembership.objects.update_or_create(
        person=person, defaults={**fields, "category": category, "employer": employer}
    )
    return obj


# ---------------------------------------------------------------------------------------- registration

# The only legal moves of a registration; services consult this table and nothing else changes status.
REGISTRATION_TRANSITIONS = {
    RegistrationStatus.SUBMITTED: {
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.RETURNED,
        RegistrationStatus.WITHDRAWN,
        RegistrationStatus.TRANSFERRED,
    },
    RegistrationStatus.CONFIRMED: {RegistrationStatus.TRANSFERRED},
    RegistrationStatus.RETURNED: set(),
    RegistrationStatus.WITHDRAWN: set(),
    RegistrationStatus.TRANSFERRED: set(),
}

_ACTION_LABELS = {
    RegistrationStatus.CONFIRMED: "confirm",
    RegistrationStatus.RETURNED: "return",
    RegistrationStatus.WITHDRAWN: "withdraw",
    RegistrationStatus.TRANSFERRED: "transfer",
}


def _move(registration: Registration, to: str, *, by: User, note: str = "", **extra) -> Registration:
    """Compare-and-set the status under a row lock and append the event, in the caller's transaction."""
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    allowed = REGISTRATION_TRANSITIONS[locked.status]
    if to not in allowed:
        raise Conflict(
            f"报到登记当前状态为「{locked.get_status_display()}」，不能执行此操作",
            code="illegal_transition",
            allowed=sorted(_ACTION_LABELS[s] for s in allowed),
        )
    from_status = locked.status
    locked.status = to
    for key, value in extra.items():
        setattr(locked, key, value)
    locked.save(update_fields=["status", *extra.keys()])
    RegistrationEvent.objects.create(
        registration=locked, from_status=from_status, to_status=to, by=by, note=note
    )
    registration.__dict__.update({k: getattr(locked, k) for k in ["status", *extra.keys()]})
    return locked


def _require_in_service(person: Person) -> PartyMembership:
    membership = getattr(person, "membership", None)
    if membership is None or not membership.is_in_service:
        raise DomainError(
            "只有在职党员需要到居住地社区报到；请先在花名册中登记其党员类别和工作单位",
            fields={"person": ["不是在职党员"]},
        )
    return membership


@transaction.atomic
def registration_submit(
    *,
    person: Person,
    community: Community,
    by: User,
    channel: str = RegistrationChannel.ONLINE,
    specialties: list[str] | None = None,
    interests: list[str] | None = None,
    desired_posts: str = "",
) -> Registration:
    """报到: the member online (for themselves) or staff at the window (for the member in front of them)."""
    scope = scope_for(by)
    is_self = scope.person_id == person.pk
    if not is_self:
        require_manager(by, community.pk)
        channel = RegistrationChannel.WINDOW
    membership = _require_in_service(person)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise concurrent submits per person
    if Registration.objects.filter(person=person, status__in=ACTIVE_REGISTRATION_STATUSES).exists():
        raise Conflict(
            "该党员已有有效的报到登记（一人只能有一个有效报到）；搬家请办理转移", code="already_registered"
        )
    if person.community_id != community.pk:
        raise DomainError(
            "应到家庭居住地所在社区报到；如已搬家请先办理转移",
            fields={"community": ["不是该党员的居住社区"]},
        )
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                person=person,
                community=community,
                channel=channel,
                specialties=specialties if specialties is not None else membership.specialties,
                interests=interests if interests is not None else membership.interests,
                desired_posts=desired_posts,
                submitted_by=by,
            )
    except IntegrityError:
        raise Conflict("该党员已有有效的报到登记", code="already_registered")
    RegistrationEvent.objects.create(
        registration=registration,
        from_status="",
        to_status=RegistrationStatus.SUBMITTED,
        by=by,
        note=registration.get_channel_display(),
    )
    return registration


@transaction.atomic
def registration_confirm(*, registration: Registration, by: User) -> Registration:
    require_manager(by, registration.community_id)
    return _move(registration, RegistrationStatus.CONFIRMED, by=by, decided_by=by, decided_at=timezone.now())


@transaction.atomic
def registration_return(*, registration: Registration, by: User, reason: str) -> Registration:
    require_manager(by, registration.community_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("退回时必须说明原因", fields={"reason": ["请填写退回原因"]})
    return _move(
        registration,
        RegistrationStatus.RETURNED,
        by=by,
        note=reason,
        decided_by=by,
        decided_at=timezone.now(),
        return_reason=reason,
    )


@transaction.atomic
def registration_withdraw(*, registration: Registration, by: User) -> Registration:
    if scope_for(by).person_id != registration.person_id:
        require_manager(by, registration.community_id)
    return _move(registration, RegistrationStatus.WITHDRAWN, by=by)


@transaction.atomic
def registration_transfer(
    *,
    registration: Registration,
    to_community: Community,
    by: User,
    building: Building | None = None,
    unit_room: str = "",
    note: str = "",
) -> Registration:
    """A move: the old registration becomes TRANSFERRED and a new one, pointing back to it, waits for the
    new community's confirmation. The person's home community follows."""
    scope = scope_for(by)
    if scope.person_id != registration.person_id:
        require_manager(by, registration.community_id)
    if to_community.pk == registration.community_id:
        raise DomainError("迁入社区与当前社区相同", fields={"to_community": ["请选择新的居住社区"]})
    if to_community.town_id != registration.community.town_id and not scope.is_superuser:
        # Cross-town moves are a new registration at the other town, not a transfer inside this platform.
        raise DomainError("只能转移到本镇的其他社区", fields={"to_community": ["不在本镇"]})
    if building is not None and building.community_id != to_community.pk:
        raise DomainError("楼栋不属于迁入社区", fields={"building": ["楼栋不属于迁入社区"]})
    old = _move(registration, RegistrationStatus.TRANSFERRED, by=by, note=note or f"迁往{to_community.name}")
    person = old.person
    person.community = to_community
    person.building = building
    person.unit_room = unit_room
    person.save(update_fields=["community", "building", "unit_room", "updated_at"])
    if person.user_id:
        # The member's login role belongs to the community they are registered with: it follows the move.
        left_behind = RoleAssignment.objects.filter(
            user_id=person.user_id, role=Role.MEMBER, community_id=old.community_id
        )
        if left_behind.exists():
            RoleAssignment.objects.get_or_create(
                user_id=person.user_id, role=Role.MEMBER, community=to_community
            )
            left_behind.delete()
        if by.pk == person.user_id:
            forget_scope(by)
    new = Registration.objects.create(
        person=person,
        community=to_community,
        channel=old.channel,
        specialties=old.specialties,
        interests=old.interests,
        desired_posts=old.desired_posts,
        submitted_by=by,
        transferred_from=old,
    )
    RegistrationEvent.objects.create(
        registration=new,
        from_status="",
        to_status=RegistrationStatus.SUBMITTED,
        by=by,
        note=f"由{old.community.name}转入",
    )
    return new


# --------------------------------------------------------------------------------- information officers


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


# ------------------------------------------------------------------------------------- community settings


@transaction.atomic
def community_set_officer_quota(*, community: Community, by: User, quota: int) -> Community:
    require_manager(by, community.pk)
    if quota < 0 or quota > 500:
        raise DomainError("定额应在 0–500 之间", fields={"officer_quota": ["定额应在 0–500 之间"]})
    community.officer_quota = quota
    community.save(update_fields=["officer_quota"])
    return community


@transaction.atomic
def town_set_second_factor(*, town: Town, by: User, required: bool) -> Town:
    """管理人员须动态口令: whether the town's office accounts (its supervisors, and the secretaries, staff and
    office directors of its communities) verify a TOTP device after each login (core.security).

    Its own town supervisor (or a superuser) switches it; the audit trail records the change with
    before/after (core.audit's receivers). It adds to REQUIRE_2FA_FOR_STAFF, never overrides it.
    """
    require_town_supervisor(by, town.pk)
    town.require_2fa_for_staff = required
    town.save(update_fields=["require_2fa_for_staff"])
    return town


# --------------------------------------------------------------------------------- responsibility zones


@transaction.atomic
def zone_save(
    *,
    community: Community,
    by: User,
    name: str,
    buildings: list[Building],
    zone: ResponsibilityZone | None = None,
) -> ResponsibilityZone:
    require_manager(by, community.pk)
    foreign = [b.name for b in buildings if b.community_id != community.pk]
    if foreign:
        raise DomainError("楼栋不属于本社区", fields={"buildings": [f"不属于本社区：{'、'.join(foreign)}"]})
    clash = ResponsibilityZone.objects.filter(community=community, name=name.strip())
    if zone is not None:
        clash = clash.exclude(pk=zone.pk)
    if clash.exists():
        raise Conflict("责任区名称已存在", fields={"name": ["责任区名称已存在"]})
    if zone is None:
        zone = ResponsibilityZone.objects.create(community=community, name=name.strip())
    else:
        zone.name = name.strip()
        zone.save(update_fields=["name"])
    zone.buildings.set(buildings)
    return zone


@transaction.atomic
def zone_assign(
    *,
    zone: ResponsibilityZone,
    person: Person,
    by: User,
    source: str = ZoneSource.ASSIGNED,
    letter_signed_on: dt.date | None = None,
) -> ZoneAssignment:
    """A member takes responsibility for a zone: self-reported by the member or assigned by the branch."""
    scope = scope_for(by)
    if scope.person_id == person.pk and source == ZoneSource.SELF_REPORTED:
        if person.community_id != zone.community_id:
            raise PermissionDenied("只能自报本社区的责任区")
    else:
        require_manager(by, zone.community_id)
    if getattr(person, "membership", None) is None:
        raise DomainError("责任区须由党员负责", fields={"person": ["不是党员"]})
    if person.community_id != zone.community_id:
        raise DomainError("该党员不住在本社区", fields={"person": ["不住在本社区"]})
    assignment, created = ZoneAssignment.objects.get_or_create(
        zone=zone, person=person, defaults={"source": source, "letter_signed_on": letter_signed_on}
    )
    if not created and letter_signed_on and assignment.letter_signed_on != letter_signed_on:
        assignment.letter_signed_on = letter_signed_on
        assignment.save(update_fields=["letter_signed_on"])
    return assignment


@transaction.atomic
def zone_unassign(*, zone: ResponsibilityZone, person: Person, by: User) -> None:
    require_manager(by, zone.community_id)
    ZoneAssignment.objects.filter(zone=zone, person=person).delete()


# --------------------------------------------------------------------------------------------- accounts


@transaction.atomic
def user_create_for_person(*, person: Person, by: User, username: str, password: str, role: str) -> User:
    """Give a resident a login with a role in their community; the initial password must be changed."""
    require_manager(by, person.community_id)
    if person.user_id:
        raise Conflict("该人员已有账号", fields={"person": ["已有账号"]})
    if User.objects.filter(username=username).exists():
        raise Conflict("用户名已被使用", fields={"username": ["用户名已被使用"]})
    if role not in (Role.MEMBER, Role.OFFICER, Role.DEPUTY):
        raise DomainError("社区只能开通党员、信息员和代表账号", fields={"role": ["不允许的角色"]})
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=person.name,
        mobile=person.mobile,
        must_change_password=True,
    )
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    RoleAssignment.objects.create(user=user, role=role, community=person.community)
    return user


# ----------------------------------------------------------------------------------------------- places


@transaction.atomic
def building_create(*, community: Community, by: User, name: str, compound=None) -> Building:
    require_manager(by, community.pk)
    name = name.strip()
    if compound is not None and compound.community_id != community.pk:
        raise DomainError("楼院不属于该社区", fields={"compound": ["楼院不属于该社区"]})
    if Building.objects.filter(community=community, name=name).exists():
        raise Conflict("该楼栋已存在", fields={"name": ["该楼栋已存在"]})
    return Building.objects.create(community=community, name=name, compound=compound)


def officer_vacancy_alerts(*, today: dt.date | None = None) -> int:
    """Tell each short community's secretary and office director that officer posts are vacant
    (缺额要立即给予补充). At most one alert per community per day, however often the task runs."""
    from core.notifications import notify

    from .selectors import communities_short_of_officers

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
