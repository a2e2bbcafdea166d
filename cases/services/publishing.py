"""What a community publishes: its time limit per handling type, the 七公开 and the 集中公告."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from members.models import Community, User
from members.permissions import require_manager

from ..models import (
    Announcement,
    AnnouncementCategory,
    Disclosure,
    DisclosureKind,
    HandlingTimeLimit,
    HandlingType,
)
from ._common import _text


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
