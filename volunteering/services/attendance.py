"""Check-in/out with the organiser's QR or short code, and hours per the national volunteer-record rules
(on the spot, marked by the organiser, self-reported or back-filled; approval, evaluation, 注销)."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, DomainError, PermissionDenied
from core.notifications import notify
from members.models import Person, User
from members.permissions import require_office
from members.roles import scope_for

from .. import checkin
from ..access import (
    require_runs_item,
)
from ..models import (
    CheckInMethod,
    Evaluation,
    ItemStatus,
    RecordSource,
    RecordStatus,
    ServiceItem,
    ServiceRecord,
    SignUp,
    SignUpStatus,
)
from ._common import (
    BACKFILL_AFTER,
    _belongs_to,
    _event,
    _lock_item,
    _require_member_of,
    _require_text,
    _transition,
    _when,
)

# ----------------------------------------------------------------------------------- check-in / check-out


def _confirmed_signup_of(by: User, item: ServiceItem) -> SignUp:
    person_id = scope_for(by).person_id
    signup = (
        SignUp.objects.select_for_update().filter(item=item, person_id=person_id).first()
        if person_id
        else None
    )
    if signup is None or signup.status != SignUpStatus.CONFIRMED:
        if signup is not None and signup.status == SignUpStatus.WAITLISTED:
            raise DomainError("您在候补名单中，尚未转为正式报名，不能签到", code="not_confirmed")
        raise DomainError("您没有报名此事项，不能签到；请联系活动负责人现场登记", code="not_signed_up")
    return signup


def _open_item_for_codes(item: ServiceItem) -> ServiceItem:
    locked = ServiceItem.objects.get(pk=item.pk)  # the current key, not a stale copy
    if locked.status == ItemStatus.CANCELLED:
        raise DomainError("该事项已取消", code="item_cancelled")
    return locked


@transaction.atomic
def check_in(*, item: ServiceItem, by: User, token: str = "", code: str = "") -> tuple[SignUp, bool]:
    """Scan the organiser's QR (or type the short code) to check in. Returns (sign-up, changed).
    A replay of a valid code is harmless: the first check-in time stands."""
    item = _open_item_for_codes(item)
    now = timezone.now()
    method = checkin.verify(item, token=token, code=code, now=now)
    if not (item.starts_at - checkin.CHECKIN_OPENS_BEFORE <= now <= item.ends_at):
        raise DomainError("不在签到时间内（开始前 30 分钟至结束）", code="outside_checkin_window")
    signup = _confirmed_signup_of(by, item)
    if signup.checked_in_at is not None:
        return signup, False
    signup.checked_in_at = now
    signup.check_in_method = CheckInMethod.QR if method == "qr" else CheckInMethod.CODE
    signup.save(update_fields=["checked_in_at", "check_in_method"])
    _event(community_id=item.community_id, action="signup.check_in", by=by, signup=signup, note=method)
    return signup, True


def _service_window(
    item: ServiceItem, start: dt.datetime, end: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """Actual service time: only the part inside the item's window counts (not travel or waiting)."""
    return max(start, item.starts_at), min(end, item.ends_at)


@transaction.atomic
def check_out(
    *, item: ServiceItem, by: User, token: str = "", code: str = ""
) -> tuple[SignUp, ServiceRecord | None, bool]:
    """Check out: the service time between check-in and check-out (clipped to the item) becomes an
    on-site record (现场签到). Returns (sign-up, record, changed); a replay returns the existing record
    and adds nothing."""
    item = _open_item_for_codes(item)
    now = timezone.now()
    checkin.verify(item, token=token, code=code, now=now)
    if not (item.starts_at <= now <= item.ends_at + checkin.CHECKOUT_CLOSES_AFTER):
        raise DomainError("不在签退时间内（活动开始后至结束后 2 小时）", code="outside_checkout_window")
    signup = _confirmed_signup_of(by, item)
    live = ServiceRecord.objects.filter(
        item=item, person_id=signup.person_id, status__in=[RecordStatus.PENDING, RecordStatus.APPROVED]
    ).first()
    if signup.checked_out_at is not None:
        return signup, live, False
    if signup.checked_in_at is None:
        raise DomainError("请先签到", code="not_checked_in")
    started, ended = _service_window(item, signup.checked_in_at, now)
    if ended <= started:
        raise DomainError("签到签退之间没有有效服务时间，请联系活动负责人登记", code="no_service_time")
    signup.checked_out_at = now
    signup.save(update_fields=["checked_out_at"])
    _event(community_id=item.community_id, action="signup.check_out", by=by, signup=signup)
    if live is not None:
        return signup, live, True  # the organiser already recorded this member's hours: never count twice
    record = ServiceRecord.objects.create(
        item=item,
        person_id=signup.person_id,
        started_at=started,
        ended_at=ended,
        minutes=int((ended - started).total_seconds() // 60),
        content=_default_content(item),
        source=RecordSource.ON_SITE,
        status=RecordStatus.APPROVED,
        recorded_by_id=item.organiser_id,
        approved_by_id=item.organiser_id,
        approved_at=now,
    )
    _event(
        community_id=item.community_id, action="record.on_site", by=by, record=record, to_status=record.status
    )
    return signup, record, True


def _default_content(item: ServiceItem) -> str:
    return (item.description or item.title)[:300]


# ------------------------------------------------------------------------------------------------ hours

RECORD_TRANSITIONS: dict[str, set[str]] = {
    RecordStatus.PENDING: {RecordStatus.APPROVED, RecordStatus.REJECTED, RecordStatus.CANCELLED},
    RecordStatus.APPROVED: {RecordStatus.CANCELLED},
    RecordStatus.REJECTED: set(),
    RecordStatus.CANCELLED: set(),
}


def _check_times(item: ServiceItem, started_at: dt.datetime, ended_at: dt.datetime, now: dt.datetime) -> int:
    errors = {}
    for name, value in (("started_at", started_at), ("ended_at", ended_at)):
        if value is None or timezone.is_naive(value):
            errors[name] = ["请填写带时区的时间"]
    if errors:
        raise DomainError("服务时间有误", fields=errors)
    if ended_at <= started_at:
        raise DomainError("服务结束时间须晚于开始时间", fields={"ended_at": ["须晚于开始时间"]})
    if started_at < item.starts_at or ended_at > item.ends_at:
        raise DomainError(
            f"服务时间须在事项时间之内（{_when(item)}）；往返路途时间不计入",
            code="outside_item_window",
            fields={"started_at" if started_at < item.starts_at else "ended_at": ["超出事项时间"]},
        )
    if ended_at > now:
        raise DomainError("不能登记尚未发生的服务时间", fields={"ended_at": ["晚于当前时间"]})
    return int((ended_at - started_at).total_seconds() // 60)


def _require_no_live_record(item: ServiceItem, person: Person) -> None:
    if ServiceRecord.objects.filter(
        item=item, person=person, status__in=[RecordStatus.PENDING, RecordStatus.APPROVED]
    ).exists():
        raise Conflict("该党员在此事项已有服务记录（待审核或已确认）", code="record_exists")


def _create_record(**fields) -> ServiceRecord:
    try:
        with transaction.atomic():
            return ServiceRecord.objects.create(**fields)
    except IntegrityError:
        raise Conflict("该党员在此事项已有服务记录（待审核或已确认）", code="record_exists")


@transaction.atomic
def attendance_mark(
    *,
    item: ServiceItem,
    person: Person,
    by: User,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    content: str = "",
    evaluation: str = "",
    evaluation_note: str = "",
) -> ServiceRecord:
    """The organiser marks a member's attendance and hours. Within 48 hours of the end it counts at once
    (负责人登记); later it is back-filled (事后补录) and waits for approval."""
    require_runs_item(by, item)
    item = _lock_item(item.pk)
    if item.status == ItemStatus.CANCELLED:
        raise DomainError("该事项已取消", code="item_cancelled")
    if not _belongs_to(person, item.community_id):
        raise DomainError("该人员不是本社区居民或报到党员", fields={"person": ["不属于本社区"]})
    if evaluation and evaluation not in Evaluation.values:
        raise DomainError("未知的评价等级", fields={"evaluation": ["未知的评价等级"]})
    now = timezone.now()
    minutes = _check_times(item, started_at, ended_at, now)
    _require_no_live_record(item, person)
    back_filled = now > item.ends_at + BACKFILL_AFTER
    record = _create_record(
        item=item,
        person=person,
        started_at=started_at,
        ended_at=ended_at,
        minutes=minutes,
        content=(content or "").strip()[:300] or _default_content(item),
        evaluation=evaluation,
        evaluation_note=(evaluation_note or "")[:200],
        source=RecordSource.BACK_FILLED if back_filled else RecordSource.ORGANISER,
        status=RecordStatus.PENDING if back_filled else RecordStatus.APPROVED,
        recorded_by=by,
        approved_by=None if back_filled else by,
        approved_at=None if back_filled else now,
    )
    _event(
        community_id=item.community_id, action="record.mark", by=by, record=record, to_status=record.status
    )
    signup = SignUp.objects.select_for_update().filter(item=item, person=person).first()
    if signup is not None and signup.status == SignUpStatus.CONFIRMED and signup.checked_in_at is None:
        signup.checked_in_at, signup.checked_out_at = started_at, ended_at
        signup.check_in_method = CheckInMethod.ORGANISER
        signup.save(update_fields=["checked_in_at", "checked_out_at", "check_in_method"])
    return record


@transaction.atomic
def record_self_report(
    *,
    item: ServiceItem,
    person: Person,
    by: User,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    content: str,
) -> ServiceRecord:
    """本人申报: a member reports hours they served at an item; the organiser must approve them."""
    if scope_for(by).person_id != person.pk:
        raise PermissionDenied("只能申报本人的服务时长；为他人登记请由活动负责人操作")
    if item.status == ItemStatus.CANCELLED:
        raise DomainError("该事项已取消", code="item_cancelled")
    _require_member_of(person, item.community_id, acting_self=True, what="申报服务时长")
    content = _require_text(content, "content", "请填写服务内容")
    minutes = _check_times(item, started_at, ended_at, timezone.now())
    _require_no_live_record(item, person)
    record = _create_record(
        item=item,
        person=person,
        started_at=started_at,
        ended_at=ended_at,
        minutes=minutes,
        content=content[:300],
        source=RecordSource.SELF_REPORTED,
        status=RecordStatus.PENDING,
        recorded_by=by,
    )
    _event(
        community_id=item.community_id,
        action="record.self_report",
        by=by,
        record=record,
        to_status=record.status,
    )
    if item.organiser_id and item.organiser_id != by.pk:
        notify(
            recipient=item.organiser,
            kind="volunteering.record_pending",
            title=f"待审核的服务时长：{item.title}",
            body=f"{person.name}申报了 {minutes} 分钟服务时长，请审核。",
            url=reverse("volunteering:records"),
            dedupe_key=f"vol-record-pending:{record.pk}",
        )
    return record


def _require_not_own(by: User, record: ServiceRecord) -> None:
    if scope_for(by).person_id == record.person_id:
        raise PermissionDenied("不能审核本人的服务时长")


@transaction.atomic
def record_approve(
    *, record: ServiceRecord, by: User, evaluation: str = "", evaluation_note: str = ""
) -> ServiceRecord:
    require_runs_item(by, record.item)
    _require_not_own(by, record)
    if evaluation and evaluation not in Evaluation.values:
        raise DomainError("未知的评价等级", fields={"evaluation": ["未知的评价等级"]})
    extra: dict[str, Any] = {"approved_by": by, "approved_at": timezone.now()}
    if evaluation:
        extra.update(evaluation=evaluation, evaluation_note=(evaluation_note or "")[:200])
    return _transition(
        record,
        RecordStatus.APPROVED,
        table=RECORD_TRANSITIONS,
        by=by,
        action="record.approve",
        community_id=record.item.community_id,
        subject="record",
        **extra,
    )


@transaction.atomic
def record_reject(*, record: ServiceRecord, by: User, reason: str) -> ServiceRecord:
    require_runs_item(by, record.item)
    _require_not_own(by, record)
    reason = _require_text(reason, "reason", "请填写未通过的原因")
    record = _transition(
        record,
        RecordStatus.REJECTED,
        table=RECORD_TRANSITIONS,
        by=by,
        action="record.reject",
        community_id=record.item.community_id,
        subject="record",
        note=reason,
        status_reason=reason[:200],
    )
    person = Person.objects.select_related("user").get(pk=record.person_id)
    if person.user_id:
        notify(
            recipient=person.user,
            kind="volunteering.record_rejected",
            title=f"服务时长未通过审核：{record.item.title}",
            body=f"原因：{reason}",
            url=reverse("volunteering:records"),
            dedupe_key=f"vol-record-rejected:{record.pk}",
        )
    return record


@transaction.atomic
def record_evaluate(
    *, record: ServiceRecord, by: User, evaluation: str, evaluation_note: str = ""
) -> ServiceRecord:
    """The organiser's quality evaluation (服务评价) of a confirmed record."""
    require_runs_item(by, record.item)
    _require_not_own(by, record)
    if evaluation not in Evaluation.values:
        raise DomainError("未知的评价等级", fields={"evaluation": ["未知的评价等级"]})
    locked = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    if locked.status != RecordStatus.APPROVED:
        raise Conflict("只能评价已确认的服务记录", code="illegal_transition", allowed=[])
    locked.evaluation, locked.evaluation_note = evaluation, (evaluation_note or "")[:200]
    locked.save(update_fields=["evaluation", "evaluation_note"])
    _event(
        community_id=locked.item.community_id, action="record.evaluate", by=by, record=locked, note=evaluation
    )
    record.__dict__.update(evaluation=locked.evaluation, evaluation_note=locked.evaluation_note)
    return locked


@transaction.atomic
def record_cancel(*, record: ServiceRecord, by: User, reason: str) -> ServiceRecord:
    """注销: false or mistaken hours are cancelled with a reason, never deleted (office only)."""
    require_office(by, record.item.community_id)
    reason = _require_text(reason, "reason", "请填写注销原因")
    return _transition(
        record,
        RecordStatus.CANCELLED,
        table=RECORD_TRANSITIONS,
        by=by,
        action="record.cancel",
        community_id=record.item.community_id,
        subject="record",
        note=reason,
        status_reason=reason[:200],
    )
