"""民情受理: a case is registered from any channel — by staff (`case_register`, optionally settled on the
spot as a 即办件), or by a resident on the public page (`public_submit`) — with its tracking number and the
access code the resident looks it up with (`public_find`)."""

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
from django.utils.encoding import force_bytes

from core.errors import DomainError
from core.transitions import lock
from members.models import Building, Community, Person, User
from members.permissions import require_manager

from ..models import (
    AssigneeKind,
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    Category,
    Channel,
    FeedbackMethod,
    HandlingType,
    attachment_path,
)
from ..security import MAX_CONTENT_CHARS, check_attachments
from ..states import CaseState
from ._common import _local_date, _log, _require_worker
from .handling import case_assign, case_classify, case_give_feedback, case_resolve, case_start

ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


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
    digest = hmac.new(force_bytes(settings.SECRET_KEY), f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()
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


@transaction.atomic
def case_reissue_access_code(*, case: Case, by: User) -> str:
    """A new 查询码 for the printed one-time notice: only its hash is stored, so a printout needs a fresh code
    (the one handed out at intake stops working). The assignee or the community's office; logged on the
    case's timeline."""
    _require_worker(by, case)
    locked = lock(case)
    code = _new_access_code()
    locked.access_code_hash = hash_access_code(code)
    locked.save(update_fields=["access_code_hash", "updated_at"])
    _log(locked, "reissue_access_code", by=by, note="打印一次性告知书")
    case.access_code_hash = locked.access_code_hash
    return code
