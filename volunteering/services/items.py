"""Service items (志愿服务事项) and sign-ups: capacity under a row lock, the waitlist and its promotion."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, DomainError
from core.transitions import move, table_targets
from members.models import Community, Person, RoleAssignment, User
from members.permissions import require_office, runs_office

from ..access import (
    require_acting_for,
    require_runs_item,
)
from ..models import (
    ItemStatus,
    Programme,
    RecordStatus,
    ServiceItem,
    ServicePost,
    ServiceRecord,
    SignUp,
    SignUpStatus,
)
from ..selectors.posts import person_skills_and_interests
from ._common import (
    _clean_list,
    _event,
    _lock_item,
    _require_member_of,
    _require_text,
    _tell,
    _transition,
    _when,
)

# ------------------------------------------------------------------------------------------------ items

ITEM_FIELDS = {
    "title",
    "description",
    "place",
    "starts_at",
    "ends_at",
    "post",
    "programme",
    "capacity",
    "required_skills",
    "recipients",
    "organiser",
}


def _check_item_fields(community_id: int, fields: dict, *, current: ServiceItem | None = None) -> dict:
    errors = {}
    for name, label in (("title", "事项名称"), ("place", "地点")):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            if not fields[name]:
                errors[name] = [f"请填写{label}"]
    for name in ("starts_at", "ends_at"):
        if name in fields and (fields[name] is None or timezone.is_naive(fields[name])):
            errors[name] = ["请填写带时区的时间"]
    starts = fields.get("starts_at", current.starts_at if current else None)
    ends = fields.get("ends_at", current.ends_at if current else None)
    if not errors and starts and ends and ends <= starts:
        errors["ends_at"] = ["结束时间须晚于开始时间"]
    if not errors and starts and ends and ends - starts > dt.timedelta(hours=24):
        errors["ends_at"] = ["一个事项不超过 24 小时；多日活动请分别发布"]
    if "capacity" in fields and (fields["capacity"] is None or not 1 <= fields["capacity"] <= 500):
        errors["capacity"] = ["名额应在 1–500 之间"]
    if fields.get("post") is not None and fields["post"].community_id != community_id:
        errors["post"] = ["岗位不属于本社区"]
    if fields.get("programme") is not None and fields["programme"].community_id != community_id:
        errors["programme"] = ["特色载体不属于本社区"]
    organiser = fields.get("organiser")
    if (
        organiser is not None
        and not organiser.is_superuser
        and not RoleAssignment.objects.filter(user=organiser, community_id=community_id).exists()
    ):
        errors["organiser"] = ["负责人须是本社区的工作人员或党员"]
    if "required_skills" in fields:
        fields["required_skills"] = _clean_list(fields["required_skills"])
    if errors:
        raise DomainError("服务事项信息有误", fields=errors)
    return fields


@transaction.atomic
def item_create(
    *,
    community: Community,
    by: User,
    title: str,
    place: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    description: str = "",
    post: ServicePost | None = None,
    programme: Programme | None = None,
    required_skills: list[str] | None = None,
    recipients: str = "",
    organiser: User | None = None,
) -> ServiceItem:
    """Publish a service item (志愿服务事项). Past items may be entered to record hours afterwards."""
    require_office(by, community.pk)
    fields = _check_item_fields(
        community.pk,
        {
            "title": title,
            "place": place,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "capacity": capacity,
            "post": post,
            "programme": programme,
            "required_skills": required_skills or [],
            "organiser": organiser,
        },
    )
    item = ServiceItem.objects.create(
        community=community,
        description=(description or "").strip(),
        recipients=(recipients or "").strip(),
        created_by=by,
        **{**fields, "organiser": fields["organiser"] or by},
    )
    _event(community_id=community.pk, action="item.create", by=by, to_status=item.status, item=item)
    return item


@transaction.atomic
def item_update(*, item: ServiceItem, by: User, demote_excess: bool = False, **changes) -> ServiceItem:
    """Edit an item. Reducing the capacity below the confirmed sign-ups is refused, unless `demote_excess`
    says explicitly to move the latest sign-ups back to the head of the waitlist (each is told).
    Raising it promotes from the waitlist."""
    require_office(by, item.community_id)
    unknown = set(changes) - ITEM_FIELDS
    if unknown:
        raise DomainError("不能修改这些字段", fields={k: ["不可修改"] for k in unknown})
    locked = _lock_item(item.pk)
    if locked.status == ItemStatus.CANCELLED:
        raise Conflict("该事项已取消，不能修改", code="item_cancelled")
    changes = _check_item_fields(locked.community_id, dict(changes), current=locked)
    moved = {k for k in ("starts_at", "ends_at") if k in changes and changes[k] != getattr(locked, k)}
    if moved and ServiceRecord.objects.filter(item=locked).exists():
        raise Conflict(
            "该事项已有服务时长记录，不能再修改时间",
            code="item_has_records",
            fields={k: ["已有服务记录"] for k in moved},
        )
    confirmed = list(
        SignUp.objects.filter(item=locked, status=SignUpStatus.CONFIRMED).order_by("-queued_at", "-pk")
    )
    new_capacity = changes.get("capacity", locked.capacity)
    excess = len(confirmed) - new_capacity
    if excess > 0 and not demote_excess:
        raise Conflict(
            f"已有 {len(confirmed)} 人报名，名额不能减少到 {new_capacity}。"
            f"请先请部分报名者取消，或选择把最后报名的 {excess} 人转为候补（他们会收到通知）。",
            code="capacity_below_signups",
            fields={"capacity": [f"不能少于已报名的 {len(confirmed)} 人"]},
        )
    for key, value in changes.items():
        setattr(locked, key, value)
    if changes:
        locked.save(update_fields=list(changes))
    if excess > 0:
        for signup in confirmed[:excess]:
            signup = _transition(
                signup,
                SignUpStatus.WAITLISTED,
                table=SIGNUP_TRANSITIONS,
                by=by,
                action="signup.demote",
                community_id=locked.community_id,
                subject="signup",
                note=f"名额调整为 {new_capacity}",
            )
            _tell(
                signup.person,
                locked,
                kind="volunteering.demoted",
                title=f"名额调整，您已转为候补：{locked.title}",
                body=f"「{locked.title}」（{_when(locked)}）名额减少为 {new_capacity} 人，您排在候补第一位附近；"
                "有人取消时会自动转正并通知您。",
            )
    elif moved or "place" in changes:
        for signup in SignUp.objects.filter(item=locked, status=SignUpStatus.CONFIRMED).select_related(
            "person__user"
        ):
            _tell(
                signup.person,
                locked,
                kind="volunteering.item_changed",
                title=f"服务事项有变更：{locked.title}",
                body=f"新的时间地点：{_when(locked)}，{locked.place}",
            )
    _promote_waitlist(locked, by=by)
    _event(
        community_id=locked.community_id,
        action="item.update",
        by=by,
        item=locked,
        note=", ".join(sorted(changes)),
    )
    item.__dict__.update({k: getattr(locked, k) for k in changes})
    return locked


ITEM_TRANSITIONS: dict[str, set[str]] = {
    ItemStatus.OPEN: {ItemStatus.CANCELLED},
    ItemStatus.CANCELLED: set(),
}


@transaction.atomic
def item_cancel(*, item: ServiceItem, by: User, reason: str) -> ServiceItem:
    """Cancel an item; everyone signed up or waiting is told."""
    require_office(by, item.community_id)
    reason = _require_text(reason, "reason", "请填写取消原因")
    locked = _lock_item(item.pk)
    if locked.status == ItemStatus.CANCELLED:
        raise Conflict("该事项已取消", code="item_cancelled")
    if ServiceRecord.objects.filter(item=locked, status=RecordStatus.APPROVED).exists():
        raise Conflict("该事项已有确认的服务时长，不能取消", code="item_has_records")
    # the item is already locked (capacity rules share the lock): move it, the table is checked again
    move(
        locked,
        to=ItemStatus.CANCELLED,
        targets=table_targets(ITEM_TRANSITIONS),
        state_field="status",
        fields={"cancel_reason": reason[:200]},
        record_event=lambda row, from_status, to_status: _event(
            community_id=row.community_id,
            action="item.cancel",
            by=by,
            from_status=from_status,
            to_status=to_status,
            item=row,
            note=reason,
        ),
        caller=item,
    )
    for signup in SignUp.objects.filter(
        item=locked, status__in=[SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED]
    ).select_related("person__user"):
        _tell(
            signup.person,
            locked,
            kind="volunteering.item_cancelled",
            title=f"服务事项已取消：{locked.title}",
            body=f"「{locked.title}」（{_when(locked)}）已取消。原因：{reason}",
            dedupe_key=f"vol-item-cancelled:{locked.pk}:{signup.person_id}",
        )
    return locked


@transaction.atomic
def item_rotate_code(*, item: ServiceItem, by: User) -> ServiceItem:
    """Void every QR code and short code shown so far for this item (e.g. a photo of it was shared)."""
    require_runs_item(by, item)
    locked = _lock_item(item.pk)
    from ..models import new_checkin_key

    locked.checkin_key = new_checkin_key()
    locked.save(update_fields=["checkin_key"])
    _event(community_id=locked.community_id, action="item.rotate_code", by=by, item=locked)
    item.checkin_key = locked.checkin_key
    return locked


# ---------------------------------------------------------------------------------------------- sign-ups

SIGNUP_TRANSITIONS: dict[str, set[str]] = {
    SignUpStatus.CONFIRMED: {SignUpStatus.CANCELLED, SignUpStatus.WAITLISTED},
    SignUpStatus.WAITLISTED: {SignUpStatus.CONFIRMED, SignUpStatus.CANCELLED},
    SignUpStatus.CANCELLED: {SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED},
}


@transaction.atomic
def signup_create(*, item: ServiceItem, person: Person, by: User) -> SignUp:
    """Sign up for an item. Under the item's row lock: confirmed while places remain, waitlisted after."""
    acting_self = require_acting_for(by, person, item.community_id)
    locked = _lock_item(item.pk)
    now = timezone.now()
    if locked.status == ItemStatus.CANCELLED:
        raise DomainError("该事项已取消，不能报名", code="item_cancelled")
    if locked.starts_at <= now:
        raise DomainError("该事项已开始或已结束，不能报名", code="item_past")
    _require_member_of(person, locked.community_id, acting_self=acting_self, what="报名服务事项")
    missing = [s for s in locked.required_skills if s not in person_skills_and_interests(person)[0]]
    if missing:
        raise DomainError(
            f"该事项需要以下技能：{'、'.join(missing)}。如已具备，请先在报到信息中补充专长",
            code="skills_missing",
            fields={"required_skills": missing},
        )
    existing = SignUp.objects.select_for_update().filter(item=locked, person=person).first()
    if existing is not None and existing.status != SignUpStatus.CANCELLED:
        where = "候补名单中" if existing.status == SignUpStatus.WAITLISTED else "已报名"
        raise Conflict(f"您{where}，无需重复报名", code="already_signed_up")
    confirmed = SignUp.objects.filter(item=locked, status=SignUpStatus.CONFIRMED).count()
    status = SignUpStatus.CONFIRMED if confirmed < locked.capacity else SignUpStatus.WAITLISTED
    if existing is None:
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(
                    item=locked, person=person, status=status, queued_at=now, created_by=by
                )
        except IntegrityError:
            raise Conflict("已报名，无需重复报名", code="already_signed_up")
        _event(
            community_id=locked.community_id, action="signup.create", by=by, to_status=status, signup=signup
        )
    else:
        signup = _transition(
            existing,
            status,
            table=SIGNUP_TRANSITIONS,
            by=by,
            action="signup.create",
            community_id=locked.community_id,
            subject="signup",
            queued_at=now,
            cancelled_at=None,
            promoted_at=None,
            checked_in_at=None,
            checked_out_at=None,
            check_in_method="",
        )
    return signup


@transaction.atomic
def signup_cancel(*, signup: SignUp, by: User) -> SignUp:
    """Cancel a sign-up. A confirmed place goes to the head of the waitlist in the same transaction, and
    the promoted member is told (in-app now, email after commit)."""
    require_acting_for(by, signup.person, signup.item.community_id)
    item = _lock_item(signup.item_id)
    now = timezone.now()
    if item.starts_at <= now and not runs_office(by, item.community_id):
        raise DomainError("事项已开始，不能取消报名；如有特殊情况请联系活动负责人", code="item_started")
    locked = SignUp.objects.select_for_update().get(pk=signup.pk)
    if locked.checked_in_at is not None:
        raise Conflict("已签到，不能取消报名", code="already_checked_in")
    signup = _transition(
        locked,
        SignUpStatus.CANCELLED,
        table=SIGNUP_TRANSITIONS,
        by=by,
        action="signup.cancel",
        community_id=item.community_id,
        subject="signup",
        cancelled_at=now,
    )
    _promote_waitlist(item, by=by)
    return signup


def _promote_waitlist(item: ServiceItem, *, by) -> list[SignUp]:
    """Fill free places from the head of the waitlist. The caller holds the item's row lock."""
    if item.status == ItemStatus.CANCELLED or item.starts_at <= timezone.now():
        return []
    free = item.capacity - SignUp.objects.filter(item=item, status=SignUpStatus.CONFIRMED).count()
    if free <= 0:
        return []
    promoted = []
    for waiting in (
        SignUp.objects.filter(item=item, status=SignUpStatus.WAITLISTED)
        .select_related("person__user")
        .order_by("queued_at", "pk")[:free]
    ):
        now = timezone.now()
        signup = _transition(
            waiting,
            SignUpStatus.CONFIRMED,
            table=SIGNUP_TRANSITIONS,
            by=by,
            action="signup.promote",
            community_id=item.community_id,
            subject="signup",
            promoted_at=now,
        )
        _tell(
            waiting.person,
            item,
            kind="volunteering.waitlist_promoted",
            title=f"候补成功：{item.title}",
            body=f"有人取消报名，您已由候补转为正式报名：「{item.title}」，{_when(item)}，{item.place}。"
            "如不能参加，请及时取消，把名额留给其他人。",
            dedupe_key=f"vol-promoted:{signup.pk}:{int(now.timestamp() * 1000)}",
        )
        promoted.append(signup)
    return promoted
