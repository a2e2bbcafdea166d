"""Every write of the cases app: one function per business action, keyword-only, atomic.

State changes go through `_begin` (row lock + transition-table check) and `_commit` (save + CaseEvent in
the same transaction). An illegal move raises Conflict naming the actions that are legal instead.
Views hand in only objects they obtained through `visible_to`; the checks here decide what the actor may
*do* with a case they can see (403), never whether it exists for them.
"""

import datetime as dt
import functools
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import workdays
from core.errors import Conflict, DomainError
from core.notifications import notify
from members.models import (
    Building,
    Community,
    Compound,
    InformationOfficer,
    OfficerStatus,
    Person,
    RoleAssignment,
    User,
)
from members.roles import MANAGING_ROLES, Role, scope_for
from members.services import PermissionDenied, require_manager

from .models import (
    DEFAULT_LIMITS,
    NOMINAL_DAY,
    Announcement,
    AnnouncementCategory,
    AssigneeKind,
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    Category,
    Channel,
    DiaryEntry,
    Disclosure,
    DisclosureKind,
    FeedbackMethod,
    Forum,
    ForumItem,
    HandlingTimeLimit,
    HandlingType,
    Mailbox,
    MailboxOpening,
    PrioritySubject,
    Rating,
    ReceptionDay,
    ReceptionItem,
    ReceptionKind,
    ThematicGroup,
    attachment_path,
)
from .security import MAX_CONTENT_CHARS, check_attachments
from .states import ACTION_LABELS, CaseState, allowed_actions, targets

ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


# ---------------------------------------------------------------------------------------------- helpers


def _is_manager(user, community_id) -> bool:
    return user is not None and scope_for(user).manages(community_id)


def _require_worker(by: User, case: Case) -> None:
    """The assignee works their own case; the community's office may act on any of its cases."""
    if case.assignee_id == by.pk or _is_manager(by, case.community_id):
        return
    raise PermissionDenied("只有承办人或本社区工作人员可以办理此件")


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _at(day: dt.date | None) -> dt.datetime:
    """A receipt time for something that happened on `day` (now if it is today)."""
    now = timezone.now()
    if day is None or day == timezone.localdate():
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def time_limit(community_id: int, handling_type: str) -> int:
    """The community's published limit for a type, or the product default."""
    row = HandlingTimeLimit.objects.filter(community_id=community_id, handling_type=handling_type).first()
    return row.working_days if row else DEFAULT_LIMITS[handling_type]


def _town_id(case: Case) -> int:
    return Community.objects.filter(pk=case.community_id).values_list("town_id", flat=True).first()


def _due(case: Case, start: dt.date, days: int) -> dt.date:
    return workdays.add_working_days(start, days, town=_town_id(case))


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _begin(case: Case, action: str) -> Case:
    """Lock the row and refuse the action unless the transition table allows it from the current state."""
    locked = _lock(case)
    if not targets(action, locked.state):
        raise Conflict(
            f"此件当前状态为「{locked.get_state_display()}」，不能{ACTION_LABELS[action]}",
            code="illegal_transition",
            allowed=allowed_actions(locked.state),
        )
    return locked


def _commit(
    locked: Case,
    action: str,
    *,
    by: User | None,
    to: str | None = None,
    note: str = "",
    by_resident: bool = False,
    data: dict | None = None,
    caller: Case | None = None,
    **fields,
) -> CaseEvent:
    possible = targets(action, locked.state)
    to = to or (next(iter(possible)) if len(possible) == 1 else None)
    if to not in possible:  # a service bug, not a user error
        raise AssertionError(f"{action}: {locked.state} → {to} is not in the transition table")
    from_state = locked.state
    locked.state = to
    for key, value in fields.items():
        setattr(locked, key, value)
    locked.save(update_fields=["state", "updated_at", *fields.keys()])
    event = CaseEvent.objects.create(
        case=locked,
        action=action,
        from_state=from_state,
        to_state=to,
        by=by,
        by_resident=by_resident,
        note=note,
        data=data or {},
    )
    if caller is not None and caller is not locked:
        for field in Case._meta.concrete_fields:
            setattr(caller, field.attname, getattr(locked, field.attname))
    return event


def _log(case: Case, action: str, *, by: User | None, note: str = "", data: dict | None = None) -> CaseEvent:
    """An event that is not a move (from == to)."""
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=case.state,
        to_state=case.state,
        by=by,
        note=note,
        data=data or {},
    )


def _report_back(case: Case, event: CaseEvent, text: str) -> None:
    """民情信息员管理制度 §4: the community reports back to the officer who brought the concern."""
    officer = case.reported_by_officer
    if officer is None or officer.person.user_id is None:
        return
    notify(
        recipient=officer.person.user,
        kind="case_report_back",
        title=f"您反映的民情 {case.tracking_no} {text}",
        body=(case.resolution or case.explanation or case.feedback_text or "")[:500],
        url=f"/cases/{case.pk}/",
        dedupe_key=f"case-report-back:{event.pk}",
    )


def _text(value: str, field: str, label: str, *, max_chars: int = MAX_CONTENT_CHARS) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}", fields={field: [f"请填写{label}"]})
    if len(value) > max_chars:
        raise DomainError(f"{label}过长", fields={field: [f"不能超过 {max_chars} 字"]})
    return value


# ---------------------------------------------------------------------------------------------- intake


def _next_tracking_no(community: Community, day: dt.date) -> str:
    """MQ-YYYYMMDD-CCC-NNNN from a per-community-per-day counter row locked with SELECT … FOR UPDATE."""
    CaseCounter.objects.bulk_create([CaseCounter(community=community, day=day)], ignore_conflicts=True)
    counter = CaseCounter.objects.select_for_update().get(community=community, day=day)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return f"MQ-{day:%Y%m%d}-{community.pk:03d}-{counter.last:04d}"


def _new_access_code() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(8))


def hash_access_code(code: str, salt: str | None = None) -> str:
    """Salted HMAC-SHA256 keyed with SECRET_KEY. Fast on purpose (the seed and the public page hash many),
    and still useless without the key; online guessing is throttled (cases.security)."""
    salt = salt or secrets.token_hex(8)
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()
    return f"hmac-sha256${salt}${digest}"


def access_code_matches(code: str, encoded: str) -> bool:
    try:
        _, salt, _ = encoded.split("$", 2)
    except ValueError:
        return False
    return hmac.compare_digest(hash_access_code(code, salt), encoded)


def _register(
    *,
    community: Community,
    by: User | None,
    channel: str,
    content: str,
    category: str = Category.OTHER,
    building: Building | None = None,
    resident: Person | None = None,
    resident_name: str = "",
    resident_phone: str = "",
    anonymous: bool = False,
    needs_home_visit: bool = False,
    received_at: dt.datetime | None = None,
    attachments=(),
    note: str = "",
    event_data: dict | None = None,
    **links,
) -> Case:
    errors = {}
    content = (content or "").strip()
    if not content:
        errors["content"] = ["请填写反映内容"]
    elif len(content) > MAX_CONTENT_CHARS:
        errors["content"] = [f"不能超过 {MAX_CONTENT_CHARS} 字"]
    if channel not in Channel.values:
        errors["channel"] = ["未知的受理渠道"]
    if category not in Category.values:
        errors["category"] = ["未知的类别"]
    if building is not None and building.community_id != community.pk:
        errors["building"] = ["楼栋不属于该社区"]
    if resident is not None and resident.community_id != community.pk:
        errors["resident"] = ["该居民不住在本社区"]
    checked, attachment_errors = check_attachments(attachments)
    errors.update(attachment_errors)
    if errors:
        raise DomainError("登记信息有误", fields=errors)
    if anonymous:
        resident, resident_name, resident_phone = None, "", ""
    elif resident is not None and not resident_name:
        resident_name = resident.name
        resident_phone = resident_phone or resident.mobile
    received_at = received_at or timezone.now()
    code = _new_access_code()
    case = Case.objects.create(
        community=community,
        tracking_no=_next_tracking_no(community, _local_date(received_at)),
        access_code_hash=hash_access_code(code),
        channel=channel,
        category=category,
        content=content,
        building=building,
        resident=resident,
        resident_name=resident_name.strip()[:50],
        resident_phone=resident_phone.strip()[:30],
        anonymous=anonymous,
        needs_home_visit=needs_home_visit,
        received_by=by,
        received_at=received_at,
        **links,
    )
    for upload, content_type in checked:
        attachment = CaseAttachment(
            case=case,
            content_type=content_type,
            size=upload.size,
            original_name=getattr(upload, "name", "")[:200],
            uploaded_by=by,
        )
        attachment.file.name = attachment_path(attachment, "")
        attachment.save()
        # Written only once the transaction commits: a refused or rolled-back intake leaves no file behind.
        upload.seek(0)
        transaction.on_commit(functools.partial(_store_file, attachment.file.name, upload.read()))
    CaseEvent.objects.create(
        case=case,
        action="register",
        from_state="",
        to_state=CaseState.REGISTERED,
        by=by,
        by_resident=by is None,
        note=note or Channel(channel).label,
        data=event_data or {},
    )
    case.access_code = code  # shown once to whoever registered it; only the hash is stored
    return case


def _store_file(name: str, content: bytes) -> None:
    default_storage.save(name, ContentFile(content))


@transaction.atomic
def case_register(
    *,
    community: Community,
    by: User,
    channel: str,
    content: str,
    category: str = Category.OTHER,
    building: Building | None = None,
    resident: Person | None = None,
    resident_name: str = "",
    resident_phone: str = "",
    anonymous: bool = False,
    needs_home_visit: bool = False,
    received_at: dt.datetime | None = None,
    attachments=(),
    settle_on_spot: bool = False,
    resolution: str = "",
) -> Case:
    """民情受理 by community staff, from any channel. `settle_on_spot` handles a 即办件 at the window:
    classified, taken by the receiver, resolved and answered face to face in the same transaction."""
    require_manager(by, community.pk)
    if settle_on_spot and not (resolution or "").strip():
        raise DomainError("即办件须填写办理结果", fields={"resolution": ["请填写当场办理的结果"]})
    case = _register(
        community=community,
        by=by,
        channel=channel,
        content=content,
        category=category,
        building=building,
        resident=resident,
        resident_name=resident_name,
        resident_phone=resident_phone,
        anonymous=anonymous,
        needs_home_visit=needs_home_visit,
        received_at=received_at,
        attachments=attachments,
    )
    code = case.access_code
    if settle_on_spot:
        case_classify(case=case, by=by, handling_type=HandlingType.IMMEDIATE)
        case_assign(case=case, by=by, assignee=by, kind=AssigneeKind.STAFF)
        case_start(case=case, by=by)
        case_resolve(case=case, by=by, resolution=resolution)
        case_give_feedback(case=case, by=by, method=FeedbackMethod.FACE_TO_FACE, text=resolution)
    case.access_code = code
    return case


@transaction.atomic
def public_submit(
    *,
    community: Community,
    content: str,
    category: str = Category.OTHER,
    resident_name: str = "",
    resident_phone: str = "",
    anonymous: bool = False,
    building: Building | None = None,
    attachments=(),
    privacy_notice: str = "",
) -> Case:
    """A resident's own submission from the public page (网络民情信箱). No login; nobody received it.
    `privacy_notice` is the version of the notice the resident agreed to (kept on the register event)."""
    return _register(
        community=community,
        by=None,
        channel=Channel.ONLINE,
        content=content,
        category=category,
        resident_name=resident_name,
        resident_phone=resident_phone,
        anonymous=anonymous,
        building=building,
        attachments=attachments,
        note="居民网上提交",
        event_data={"privacy_notice": privacy_notice} if privacy_notice else None,
    )


def public_find(*, tracking_no: str, access_code: str) -> Case | None:
    """The case for a tracking number + access code, or None. Always runs one hash check so a wrong
    number and a wrong code take the same time."""
    case = Case.objects.filter(tracking_no=(tracking_no or "").strip().upper()).first()
    encoded = case.access_code_hash if case else hash_access_code("-")
    ok = access_code_matches((access_code or "").strip().upper(), encoded)
    return case if (case is not None and ok) else None


# ------------------------------------------------------------------------------------------ transitions


@transaction.atomic
def case_classify(
    *,
    case: Case,
    by: User,
    handling_type: str,
    time_limit_days: int | None = None,
    note: str = "",
) -> Case:
    """五件式 classification; sets the deadline from the community's published limit (or the promised days)."""
    require_manager(by, case.community_id)
    if handling_type not in HandlingType.values:
        raise DomainError("未知的办件类型", fields={"handling_type": ["未知的办件类型"]})
    locked = _begin(case, "classify")
    received = _local_date(locked.received_at)
    days = time_limit(locked.community_id, handling_type)
    if handling_type == HandlingType.PROMISED and time_limit_days is not None:
        if not 1 <= time_limit_days <= 60:
            raise DomainError(
                "承诺时限应为 1–60 个工作日", fields={"time_limit_days": ["应为 1–60 个工作日"]}
            )
        days = time_limit_days
    if handling_type in (HandlingType.ESCALATED, HandlingType.PENDING_DOCUMENTS):
        due = None  # the clock starts when the higher level replies / the documents are complete
    else:
        due = _due(locked, received, days)
    _commit(
        locked,
        "classify",
        by=by,
        note=note,
        caller=case,
        data={"handling_type": handling_type, "days": days},
        handling_type=handling_type,
        time_limit_days=days,
        due_on=due,
    )
    return case


def assignee_kinds_for(*, user: User, community_id: int) -> list[str]:
    """The kinds of assignee `user` can be in the community, most specific first (officer, member, staff)."""
    roles = set(
        RoleAssignment.objects.filter(user=user, community_id=community_id).values_list("role", flat=True)
    )
    kinds = []
    if (
        Role.OFFICER in roles
        and InformationOfficer.objects.filter(
            community_id=community_id, person__user=user, status=OfficerStatus.ACTIVE
        ).exists()
    ):
        kinds.append(AssigneeKind.OFFICER)
    if Role.MEMBER in roles:
        kinds.append(AssigneeKind.MEMBER)
    if roles & MANAGING_ROLES or scope_for(user).manages(community_id):
        kinds.append(AssigneeKind.STAFF)
    return kinds


@transaction.atomic
def case_assign(*, case: Case, by: User, assignee: User, kind: str | None = None, note: str = "") -> Case:
    """交办 to an information officer, an on-duty member or staff of the case's community."""
    require_manager(by, case.community_id)
    kinds = assignee_kinds_for(user=assignee, community_id=case.community_id)
    if not kinds or (kind and kind not in kinds):
        raise DomainError(
            "承办人须是本社区的信息员、党员或工作人员",
            fields={"assignee": ["不是本社区的信息员、党员或工作人员"]},
        )
    kind = kind or kinds[0]
    locked = _begin(case, "assign")
    event = _commit(
        locked,
        "assign",
        by=by,
        note=note,
        caller=case,
        data={"assignee": assignee.pk, "kind": kind, "previous": locked.assignee_id},
        assignee=assignee,
        assignee_kind=kind,
    )
    if assignee.pk != by.pk:
        notify(
            recipient=assignee,
            kind="case_assigned",
            title=f"新交办民情 {case.tracking_no}",
            body=case.content[:200],
            url=f"/cases/{case.pk}/",
            dedupe_key=f"case-assigned:{event.pk}",
        )
    return case


@transaction.atomic
def case_start(*, case: Case, by: User, note: str = "") -> Case:
    _require_worker(by, case)
    locked = _begin(case, "start")
    _commit(locked, "start", by=by, note=note, caller=case)
    return case


@transaction.atomic
def case_request_documents(*, case: Case, by: User, missing: list[str], note: str = "") -> Case:
    """补办件: the one-time written notice (一次性告知) of every missing document; the clock waits."""
    _require_worker(by, case)
    items = [m.strip() for m in (missing or []) if m and m.strip()]
    if not items:
        raise DomainError("请列出需补齐的全部材料", fields={"missing": ["至少填写一项材料"]})
    locked = _begin(case, "request_documents")
    _commit(
        locked,
        "request_documents",
        by=by,
        note=note,
        caller=case,
        data={"missing": items},
        handling_type=HandlingType.PENDING_DOCUMENTS,
        missing_documents=items,
        documents_requested_at=timezone.now(),
        due_on=None,
        time_limit_days=time_limit(locked.community_id, HandlingType.PENDING_DOCUMENTS),
    )
    return case


@transaction.atomic
def case_documents_received(*, case: Case, by: User, note: str = "") -> Case:
    """The documents are complete: the clock starts now; whoever received them handles it if nobody does."""
    _require_worker(by, case)
    locked = _begin(case, "documents_received")
    days = time_limit(locked.community_id, HandlingType.PENDING_DOCUMENTS)
    extra = {}
    if locked.assignee_id is None:
        extra = {"assignee": by, "assignee_kind": AssigneeKind.STAFF}
    _commit(
        locked,
        "documents_received",
        by=by,
        note=note,
        caller=case,
        documents_received_at=timezone.now(),
        due_on=_due(locked, timezone.localdate(), days),
        time_limit_days=days,
        **extra,
    )
    return case


@transaction.atomic
def case_escalate(*, case: Case, by: User, to_unit: str, note: str = "") -> Case:
    """上报件: beyond the community's authority; waits for the higher level (no community deadline meanwhile)."""
    require_manager(by, case.community_id)
    to_unit = _text(to_unit, "to_unit", "上报单位", max_chars=100)
    locked = _begin(case, "escalate")
    _commit(
        locked,
        "escalate",
        by=by,
        note=note,
        caller=case,
        data={"to": to_unit},
        handling_type=HandlingType.ESCALATED,
        escalated_to=to_unit,
        escalated_at=timezone.now(),
        due_on=None,
        time_limit_days=DEFAULT_LIMITS[HandlingType.ESCALATED],
    )
    return case


@transaction.atomic
def case_record_higher_reply(*, case: Case, by: User, reply: str, replied_on: dt.date) -> Case:
    """The higher level answered: the resident must be answered within 3 working days of `replied_on`."""
    require_manager(by, case.community_id)
    reply = _text(reply, "reply", "上级批复内容")
    if replied_on > timezone.localdate():
        raise DomainError("批复日期不能晚于今天", fields={"replied_on": ["批复日期不能晚于今天"]})
    locked = _begin(case, "higher_reply")
    days = min(time_limit(locked.community_id, HandlingType.ESCALATED), 3)
    extra = {} if locked.assignee_id else {"assignee": by, "assignee_kind": AssigneeKind.STAFF}
    _commit(
        locked,
        "higher_reply",
        by=by,
        caller=case,
        data={"replied_on": replied_on.isoformat()},
        higher_reply=reply,
        higher_reply_on=replied_on,
        due_on=_due(locked, replied_on, days),
        time_limit_days=days,
        **extra,
    )
    return case


@transaction.atomic
def case_refer(*, case: Case, by: User, department: str, explanation: str) -> Case:
    """提议件: not the community's business — explained, and the resident is directed to the department."""
    require_manager(by, case.community_id)
    department = _text(department, "department", "建议办理的部门", max_chars=100)
    explanation = _text(explanation, "explanation", "解释说明")
    locked = _begin(case, "refer")
    event = _commit(
        locked,
        "refer",
        by=by,
        caller=case,
        data={"department": department},
        handling_type=HandlingType.REFERRAL,
        referral_department=department,
        explanation=explanation,
        resolved_at=timezone.now(),
    )
    _report_back(case, event, f"已解释并建议到「{department}」办理")
    return case


@transaction.atomic
def case_resolve(*, case: Case, by: User, resolution: str) -> Case:
    _require_worker(by, case)
    resolution = _text(resolution, "resolution", "办理结果")
    locked = _begin(case, "resolve")
    event = _commit(locked, "resolve", by=by, caller=case, resolution=resolution, resolved_at=timezone.now())
    _report_back(case, event, "已办结")
    return case


@transaction.atomic
def case_schedule_visit(
    *, case: Case, by: User, visit_at: dt.datetime, address: str = "", note: str = ""
) -> Case:
    """约定通知: a home visit at an agreed time; it appears on the assignee's list until it is done."""
    _require_worker(by, case)
    if visit_at <= timezone.now():
        raise DomainError("约定上门时间须在将来", fields={"visit_at": ["请选择将来的时间"]})
    locked = _begin(case, "schedule_visit")
    extra = {} if locked.assignee_id else {"assignee": by, "assignee_kind": AssigneeKind.STAFF}
    _commit(
        locked,
        "schedule_visit",
        by=by,
        note=note,
        caller=case,
        data={"visit_at": visit_at.isoformat()},
        visit_at=visit_at,
        visit_address=(address or "").strip()[:100],
        feedback_method=FeedbackMethod.HOME_VISIT,
        **extra,
    )
    return case


@transaction.atomic
def case_give_feedback(
    *, case: Case, by: User, method: str, text: str, group: ThematicGroup | None = None
) -> Case:
    """单项反馈 / 分散回复 / 约定通知: the answer reaches the resident by one of the five methods."""
    _require_worker(by, case)
    if method not in FeedbackMethod.values:
        raise DomainError("未知的反馈方式", fields={"method": ["未知的反馈方式"]})
    text = _text(text, "text", "反馈内容")
    locked = _begin(case, "give_feedback")
    if method == FeedbackMethod.HOME_VISIT and locked.visit_at is None:
        raise DomainError(
            "上门反馈须先约定上门时间", fields={"method": ["请先约定上门时间"]}, allowed=["schedule_visit"]
        )
    event = _commit(
        locked,
        "give_feedback",
        by=by,
        caller=case,
        data={"method": method, "group": group.pk if group else None},
        feedback_method=method,
        feedback_text=text,
        feedback_at=timezone.now(),
        group=group or locked.group,
    )
    _report_back(case, event, f"已{FeedbackMethod(method).label}居民")
    return case


@transaction.atomic
def case_rate(*, case: Case, rating: str, comment: str = "", by: User | None = None) -> Case:
    """满意度评价 by the resident online (`by=None`) or recorded by staff. 不满意 reopens the case."""
    if by is not None:
        require_manager(by, case.community_id)
    if rating not in Rating.values:
        raise DomainError("请选择满意度", fields={"rating": ["满意 / 基本满意 / 不满意"]})
    comment = (comment or "").strip()[:500]
    locked = _begin(case, "rate")
    _commit(
        locked,
        "rate",
        by=by,
        by_resident=by is None,
        note=comment,
        caller=case,
        data={"rating": rating},
        rating=rating,
        rating_comment=comment,
        rated_at=timezone.now(),
        rated_by_resident=by is None,
    )
    if rating == Rating.UNSATISFIED:
        _reopen(
            case,
            by=by,
            reason=f"居民评价不满意：{comment}" if comment else "居民评价不满意",
            by_resident=by is None,
        )
    return case


def _reopen(case: Case, *, by: User | None, reason: str, by_resident: bool = False) -> Case:
    locked = _begin(case, "reopen")
    to = CaseState.ASSIGNED if locked.assignee_id else CaseState.CLASSIFIED
    handling = locked.handling_type
    if handling in (HandlingType.ESCALATED, HandlingType.PENDING_DOCUMENTS, HandlingType.IMMEDIATE):
        handling = HandlingType.PROMISED  # the redo is a promise with a deadline, whatever it was before
    days = time_limit(locked.community_id, handling)
    event = _commit(
        locked,
        "reopen",
        by=by,
        by_resident=by_resident,
        to=to,
        note=reason,
        caller=case,
        data={"rating": locked.rating, "feedback": locked.feedback_text[:200]},
        handling_type=handling,
        time_limit_days=days,
        due_on=_due(locked, timezone.localdate(), days),
        reopen_count=locked.reopen_count + 1,
        resolved_at=None,
        feedback_at=None,
        feedback_method="",
        visit_at=None,
        rating="",
        rated_at=None,
        closed_at=None,
    )
    if locked.assignee_id and locked.assignee_id != getattr(by, "pk", None):
        notify(
            recipient=locked.assignee,
            kind="case_reopened",
            title=f"民情 {locked.tracking_no} 需重新办理",
            body=reason,
            url=f"/cases/{locked.pk}/",
            dedupe_key=f"case-reopened:{event.pk}",
        )
    return case


@transaction.atomic
def case_reopen(*, case: Case, by: User, reason: str) -> Case:
    require_manager(by, case.community_id)
    return _reopen(case, by=by, reason=_text(reason, "reason", "重新办理的原因", max_chars=300))


@transaction.atomic
def case_close(*, case: Case, by: User, note: str = "") -> Case:
    """归档. From 已反馈 (the resident did not rate) a note is required."""
    require_manager(by, case.community_id)
    locked = _begin(case, "close")
    if locked.state == CaseState.FEEDBACK_GIVEN and not (note or "").strip():
        raise DomainError("居民未评价时归档须说明情况", fields={"note": ["请说明未评价的情况"]})
    _commit(locked, "close", by=by, note=(note or "").strip(), caller=case, closed_at=timezone.now())
    return case


# --------------------------------------------------------------------------------------- thematic reply


@transaction.atomic
def group_create(*, community: Community, by: User, title: str, cases: list[Case]) -> ThematicGroup:
    require_manager(by, community.pk)
    title = _text(title, "title", "专题名称", max_chars=100)
    group = ThematicGroup.objects.create(community=community, title=title, created_by=by)
    group_add_cases(group=group, by=by, cases=cases)
    return group


@transaction.atomic
def group_add_cases(*, group: ThematicGroup, by: User, cases: list[Case]) -> ThematicGroup:
    require_manager(by, group.community_id)
    foreign = [c.tracking_no for c in cases if c.community_id != group.community_id]
    if foreign:
        raise DomainError("只能归入本社区的民情件", fields={"cases": [f"不属于本社区：{'、'.join(foreign)}"]})
    for case in cases:
        locked = _lock(case)
        if locked.group_id == group.pk:
            continue
        if locked.group_id is not None:
            raise Conflict(
                f"{locked.tracking_no} 已归入其他专题",
                fields={"cases": [f"{locked.tracking_no} 已归入其他专题"]},
            )
        locked.group = group
        locked.save(update_fields=["group", "updated_at"])
        _log(locked, "group", by=by, note=group.title, data={"group": group.pk})
    return group


# States a thematic reply answers, and the moves it makes to get each one to 已反馈.
_THEMATIC_PATH = {
    CaseState.CLASSIFIED: ["assign", "start", "resolve"],
    CaseState.ASSIGNED: ["start", "resolve"],
    CaseState.IN_PROGRESS: ["resolve"],
    CaseState.RESOLVED: [],
    CaseState.REFERRED: [],
}


@transaction.atomic
def group_reply(*, group: ThematicGroup, by: User, reply: str, method: str) -> dict:
    """专题反馈: one reply to every resident of the group, recorded on each case (all or nothing).

    Cases still being worked are resolved with the reply; cases waiting for documents or the higher level,
    not yet classified, or already answered are left as they are and listed in `skipped`."""
    require_manager(by, group.community_id)
    reply = _text(reply, "reply", "专题答复")
    if method not in FeedbackMethod.values or method == FeedbackMethod.HOME_VISIT:
        raise DomainError("专题反馈方式应为当面、信函、电话或网上", fields={"method": ["不支持的方式"]})
    answered, skipped = [], []
    for case in group.cases.select_for_update().order_by("pk"):
        path = _THEMATIC_PATH.get(case.state)
        if path is None:
            skipped.append({"tracking_no": case.tracking_no, "state": case.state})
            continue
        for step in path:
            if step == "assign":
                case_assign(
                    case=case, by=by, assignee=by, kind=AssigneeKind.STAFF, note=f"专题：{group.title}"
                )
            elif step == "start":
                case_start(case=case, by=by)
            else:
                case_resolve(case=case, by=by, resolution=reply)
        case_give_feedback(case=case, by=by, method=method, text=reply, group=group)
        answered.append(case.tracking_no)
    if not answered:
        raise Conflict(
            "专题中没有可以答复的民情件", code="nothing_to_answer", fields={"cases": [str(skipped)]}
        )
    group.reply, group.reply_method, group.replied_at, group.replied_by = reply, method, timezone.now(), by
    group.save(update_fields=["reply", "reply_method", "replied_at", "replied_by"])
    return {"answered": answered, "skipped": skipped}


# ---------------------------------------------------------------------------------------------- mailboxes


@transaction.atomic
def mailbox_save(
    *,
    community: Community,
    by: User,
    location: str,
    keeper: User,
    compound: Compound | None = None,
    mailbox: Mailbox | None = None,
    active: bool = True,
) -> Mailbox:
    require_manager(by, community.pk)
    location = _text(location, "location", "安装位置", max_chars=100)
    if compound is not None and compound.community_id != community.pk:
        raise DomainError("楼院不属于本社区", fields={"compound": ["楼院不属于本社区"]})
    if not RoleAssignment.objects.filter(user=keeper, community=community).exists():
        raise DomainError(
            "管理人须是本社区的党员或工作人员", fields={"keeper": ["不是本社区的党员或工作人员"]}
        )
    clash = Mailbox.objects.filter(community=community, location=location)
    if mailbox is not None:
        clash = clash.exclude(pk=mailbox.pk)
    if clash.exists():
        raise Conflict("该位置已有信箱", fields={"location": ["该位置已有信箱"]})
    if mailbox is None:
        mailbox = Mailbox(community=community, installed_on=timezone.localdate())
    mailbox.location, mailbox.keeper, mailbox.compound, mailbox.active = location, keeper, compound, active
    mailbox.save()
    return mailbox


@transaction.atomic
def mailbox_open(
    *,
    mailbox: Mailbox,
    by: User,
    opened_on: dt.date | None = None,
    letters: list[dict] = (),
    note: str = "",
) -> MailboxOpening:
    """每日开箱取件: logs the opening; each letter found is registered as a case at once."""
    if mailbox.keeper_id != by.pk:
        require_manager(by, mailbox.community_id)
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise DomainError("开箱日期不能晚于今天", fields={"opened_on": ["开箱日期不能晚于今天"]})
    if not mailbox.active:
        raise Conflict("该信箱已停用", code="mailbox_inactive")
    if MailboxOpening.objects.filter(mailbox=mailbox, opened_on=opened_on).exists():
        raise Conflict("该信箱当天已登记开箱", code="already_opened", fields={"opened_on": ["当天已登记"]})
    opening = MailboxOpening.objects.create(
        mailbox=mailbox,
        opened_on=opened_on,
        opened_by=by,
        letters=len(letters),
        note=(note or "").strip()[:200],
    )
    received_at = _at(opened_on)
    for i, letter in enumerate(letters):
        try:
            _register(
                community=mailbox.community,
                by=by,
                channel=Channel.MAILBOX,
                received_at=received_at,
                mailbox_opening=opening,
                note=f"{mailbox.location} 开箱",
                **_letter_fields(letter, mailbox.community),
            )
        except DomainError as exc:
            raise DomainError(f"第 {i + 1} 封信：{exc.message}", fields={f"letters[{i}]": exc.fields})
    return opening


def _letter_fields(letter: dict, community: Community) -> dict:
    allowed = {"content", "category", "resident_name", "resident_phone", "anonymous", "building", "resident"}
    return {k: v for k, v in letter.items() if k in allowed}


# ------------------------------------------------------------------------------------------ visit diary


def officer_post_for(user: User, community: Community | None = None) -> InformationOfficer | None:
    qs = InformationOfficer.objects.filter(person__user=user, status=OfficerStatus.ACTIVE).select_related(
        "community", "person"
    )
    if community is not None:
        qs = qs.filter(community=community)
    return qs.order_by("pk").first()


@transaction.atomic
def diary_add(
    *,
    by: User,
    visited_on: dt.date,
    household: str,
    heard: str,
    resident: Person | None = None,
    building: Building | None = None,
    community: Community | None = None,
) -> DiaryEntry:
    """民情日志: only an active information officer keeps a diary, and only their own."""
    officer = officer_post_for(by, community)
    if officer is None:
        raise PermissionDenied("只有在聘的民情信息员可以记录民情日志")
    errors = {}
    if visited_on > timezone.localdate():
        errors["visited_on"] = ["走访日期不能晚于今天"]
    if building is not None and building.community_id != officer.community_id:
        errors["building"] = ["楼栋不属于本社区"]
    if resident is not None and resident.community_id != officer.community_id:
        errors["resident"] = ["该居民不住在本社区"]
    if errors:
        raise DomainError("日志信息有误", fields=errors)
    return DiaryEntry.objects.create(
        officer=officer,
        visited_on=visited_on,
        household=_text(household, "household", "走访户", max_chars=100),
        heard=_text(heard, "heard", "了解到的情况"),
        resident=resident,
        building=building,
    )


@transaction.atomic
def diary_to_case(*, entry: DiaryEntry, by: User, category: str = Category.OTHER, content: str = "") -> Case:
    """One step from a diary entry to a registered case; the officer is told how it was handled."""
    if entry.officer.person.user_id != by.pk:
        require_manager(by, entry.officer.community_id)
    locked = DiaryEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.case_id:
        raise Conflict("该日志已登记为民情件", code="already_registered")
    case = _register(
        community=entry.officer.community,
        by=by,
        channel=Channel.OFFICER_VISIT,
        content=content or entry.heard,
        category=category,
        building=entry.building,
        resident=entry.resident,
        resident_name="" if entry.resident else entry.household,
        received_at=_at(entry.visited_on),
        reported_by_officer=entry.officer,
        note=f"民情日志 {entry.visited_on}",
    )
    locked.case = case
    locked.save(update_fields=["case"])
    entry.case = case
    return case


# ------------------------------------------------------------------------------------- reception days


@transaction.atomic
def reception_schedule(
    *,
    community: Community,
    by: User,
    kind: str,
    year: int,
    month: int,
    host_name: str,
    host_user: User | None = None,
    place: str = "",
    published: bool = True,
) -> ReceptionDay:
    """Put a reception day on the rota (published ahead). The 15th/25th moves to the next working day."""
    require_manager(by, community.pk)
    if kind not in ReceptionKind.values:
        raise DomainError("未知的接待日类型", fields={"kind": ["未知的接待日类型"]})
    try:
        nominal = dt.date(year, month, NOMINAL_DAY[kind])
    except ValueError:
        raise DomainError("年月无效", fields={"month": ["年月无效"]})
    if (
        host_user is not None
        and kind == ReceptionKind.DEPUTIES
        and not RoleAssignment.objects.filter(user=host_user, community=community, role=Role.DEPUTY).exists()
    ):
        raise DomainError("接待人须是本社区的两代表一委员", fields={"host_user": ["不是本社区的代表"]})
    if ReceptionDay.objects.filter(community=community, kind=kind, nominal_date=nominal).exists():
        raise Conflict("该月的接待日已排定", fields={"month": ["该月已排定"]})
    return ReceptionDay.objects.create(
        community=community,
        kind=kind,
        nominal_date=nominal,
        held_on=workdays.next_working_day(nominal, town=community.town_id),
        host_name=_text(host_name, "host_name", "接待人", max_chars=100),
        host_user=host_user,
        place=(place or "").strip()[:100],
        published=published,
        created_by=by,
    )


@transaction.atomic
def reception_item_record(
    *,
    reception: ReceptionDay,
    by: User,
    visitor_name: str,
    content: str,
    visitor_phone: str = "",
    category: str = Category.OTHER,
    priority_subject: str = "",
    building: Building | None = None,
    resident: Person | None = None,
) -> ReceptionItem:
    """A line of the 接待群众来访记录表; it becomes a case at once. Deputies record on their own days."""
    scope = scope_for(by)
    deputy_here = (
        reception.kind == ReceptionKind.DEPUTIES and reception.community_id in scope.deputy_community_ids
    )
    if not deputy_here:
        require_manager(by, reception.community_id)
    if reception.held_on > timezone.localdate():
        raise Conflict("接待日尚未到来，不能登记来访", code="reception_not_held")
    if reception.kind == ReceptionKind.LEADERS and priority_subject not in PrioritySubject.values:
        raise DomainError(
            "领导接待日须注明接待重点内容", fields={"priority_subject": ["请选择六类重点内容之一"]}
        )
    if reception.kind == ReceptionKind.DEPUTIES:
        priority_subject = ""
    visitor_name = _text(visitor_name, "visitor_name", "来访人姓名", max_chars=50)
    channel = (
        Channel.DEPUTY_RECEPTION if reception.kind == ReceptionKind.DEPUTIES else Channel.LEADER_RECEPTION
    )
    case = _register(
        community=reception.community,
        by=by,
        channel=channel,
        content=content,
        category=category,
        building=building,
        resident=resident,
        resident_name=visitor_name,
        resident_phone=visitor_phone,
        received_at=_at(reception.held_on),
        note=f"{reception.get_kind_display()} {reception.held_on}",
    )
    return ReceptionItem.objects.create(
        reception=reception,
        visitor_name=visitor_name,
        visitor_phone=(visitor_phone or "").strip()[:30],
        content=case.content,
        priority_subject=priority_subject,
        case=case,
        recorded_by=by,
    )


@transaction.atomic
def forum_record(
    *,
    community: Community,
    by: User,
    held_on: dt.date,
    title: str,
    attendees: list[dict],
    minutes: str = "",
    items: list[dict] = (),
) -> Forum:
    """民情恳谈会: attendees, minutes, and each matter raised — answered on the spot or registered as a case."""
    require_manager(by, community.pk)
    if held_on > timezone.localdate():
        raise DomainError("召开日期不能晚于今天", fields={"held_on": ["召开日期不能晚于今天"]})
    people = [
        {"name": str(a.get("name", "")).strip()[:50], "role": str(a.get("role", "")).strip()[:50]}
        for a in attendees or []
        if str(a.get("name", "")).strip()
    ]
    if not people:
        raise DomainError("请填写参会人员", fields={"attendees": ["至少一名参会人员"]})
    forum = Forum.objects.create(
        community=community,
        held_on=held_on,
        title=_text(title, "title", "会议主题", max_chars=100),
        attendees=people,
        minutes=(minutes or "").strip(),
        recorded_by=by,
    )
    for i, item in enumerate(items):
        content = (item.get("content") or "").strip()
        raised_by = (item.get("raised_by") or "").strip()[:100] or "与会代表"
        if not content:
            raise DomainError(
                f"第 {i + 1} 项：请填写意见建议", fields={f"items[{i}]": {"content": ["请填写"]}}
            )
        if item.get("answered_on_spot"):
            answer = (item.get("answer") or "").strip()
            if not answer:
                raise DomainError(
                    f"第 {i + 1} 项：现场答复须填写答复内容", fields={f"items[{i}]": {"answer": ["请填写"]}}
                )
            ForumItem.objects.create(
                forum=forum, raised_by=raised_by, content=content, answered_on_spot=True, answer=answer
            )
            continue
        case = _register(
            community=community,
            by=by,
            channel=Channel.FORUM,
            content=content,
            category=item.get("category") or Category.OTHER,
            resident_name=raised_by,
            received_at=_at(held_on),
            forum=forum,
            note=f"民情恳谈会 {held_on}",
        )
        ForumItem.objects.create(forum=forum, raised_by=raised_by, content=content, case=case)
    return forum


# ------------------------------------------------------------------------------- disclosure and limits


@transaction.atomic
def time_limit_set(
    *,
    community: Community,
    by: User,
    handling_type: str,
    working_days: int,
    description: str = "",
) -> HandlingTimeLimit:
    require_manager(by, community.pk)
    if handling_type not in HandlingType.values:
        raise DomainError("未知的办件类型", fields={"handling_type": ["未知的办件类型"]})
    if handling_type == HandlingType.IMMEDIATE and working_days != 0:
        raise DomainError("即办件应当场办结（0 个工作日）", fields={"working_days": ["即办件为 0"]})
    if handling_type == HandlingType.ESCALATED and working_days > 3:
        raise DomainError("上报件须在上级批复后三个工作日内回复群众", fields={"working_days": ["不能超过 3"]})
    if not 0 <= working_days <= 60:
        raise DomainError("时限应为 0–60 个工作日", fields={"working_days": ["应为 0–60"]})
    row, _ = HandlingTimeLimit.objects.update_or_create(
        community=community,
        handling_type=handling_type,
        defaults={"working_days": working_days, "description": (description or "").strip()[:200]},
    )
    return row


@transaction.atomic
def disclosure_save(*, community: Community, by: User, kind: str, body: str) -> Disclosure:
    require_manager(by, community.pk)
    if kind not in DisclosureKind.values:
        raise DomainError("未知的公开事项", fields={"kind": ["应为七公开之一"]})
    row, _ = Disclosure.objects.update_or_create(
        community=community, kind=kind, defaults={"body": _text(body, "body", "公开内容"), "updated_by": by}
    )
    return row


@transaction.atomic
def announcement_publish(
    *,
    community: Community,
    by: User,
    category: str,
    title: str,
    body: str,
    published_on: dt.date | None = None,
) -> Announcement:
    require_manager(by, community.pk)
    if category not in AnnouncementCategory.values:
        raise DomainError("未知的公告类别", fields={"category": ["未知的公告类别"]})
    return Announcement.objects.create(
        community=community,
        category=category,
        title=_text(title, "title", "标题", max_chars=100),
        body=_text(body, "body", "内容"),
        published_on=published_on or timezone.localdate(),
        published_by=by,
    )


# ------------------------------------------------------------------------------------------ supervision


def daily_supervision_alerts(*, today: dt.date | None = None) -> dict:
    """The secretary's (and office director's) morning alert: overdue cases, and mailboxes not opened on
    the previous working day. Idempotent: each alert has a dedupe key, so a rerun sends nothing twice."""
    from .selectors import missed_openings

    today = today or timezone.localdate()
    if not workdays.is_working_day(today):
        return {"skipped": "not a working day", "notified": 0}
    missed_day = workdays.previous_working_day(today)
    overdue = {}
    for community_id, tracking_no in Case.objects.overdue(today).values_list("community_id", "tracking_no"):
        overdue.setdefault(community_id, []).append(tracking_no)
    missed = {}
    for box in missed_openings(Community.objects.values("pk"), on=missed_day):
        missed.setdefault(box.community_id, []).append(box.location)
    recipients = RoleAssignment.objects.filter(
        community_id__in=set(overdue) | set(missed), role__in=[Role.SECRETARY, Role.OFFICE_DIRECTOR]
    ).select_related("user")
    sent = 0
    for ra in recipients:
        with transaction.atomic():
            numbers = overdue.get(ra.community_id, [])
            if numbers and notify(
                recipient=ra.user,
                kind="cases_overdue",
                title=f"{len(numbers)} 件民情超期未办结",
                body="、".join(numbers[:50]),
                url="/cases/?overdue=true",
                dedupe_key=f"cases-overdue:{ra.community_id}:{today}:{ra.user_id}",
            ):
                sent += 1
            boxes = missed.get(ra.community_id, [])
            if boxes and notify(
                recipient=ra.user,
                kind="mailbox_missed",
                title=f"{missed_day:%m月%d日} 有 {len(boxes)} 个民情信箱未开箱",
                body="、".join(boxes),
                url="/cases/mailboxes/",
                dedupe_key=f"mailbox-missed:{ra.community_id}:{missed_day}:{ra.user_id}",
            ):
                sent += 1
    return {
        "overdue": sum(map(len, overdue.values())),
        "missed_mailboxes": sum(map(len, missed.values())),
        "notified": sent,
    }
