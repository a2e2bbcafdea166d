"""The yearly requirement (年度服务要求): the community's policy and the last-quarter reminders."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from core.notifications import notify
from members.models import Community, User
from members.permissions import require_office

from .. import periods
from ..models import (
    RequirementPolicy,
)

# ------------------------------------------------------------------------------------ yearly requirement


@transaction.atomic
def policy_set(
    *,
    community: Community,
    by: User,
    min_items: int,
    target_items: int,
    min_hours: Decimal = Decimal(0),
    target_hours: Decimal = Decimal(0),
) -> RequirementPolicy:
    """Set the community's yearly requirement (count of items and/or hours)."""
    require_office(by, community.pk)
    min_hours, target_hours = Decimal(min_hours or 0), Decimal(target_hours or 0)
    errors = {}
    if min_items < 0 or min_items > 50:
        errors["min_items"] = ["应在 0–50 之间"]
    if target_items < min_items:
        errors["target_items"] = ["目标不能低于最低要求"]
    if min_hours < 0 or min_hours > 1000:
        errors["min_hours"] = ["应在 0–1000 小时之间"]
    if target_hours < min_hours:
        errors["target_hours"] = ["目标不能低于最低要求"]
    if min_items == 0 and min_hours == 0:
        errors["min_items"] = ["事项数和时长至少要求一项"]
    if errors:
        raise DomainError("年度服务要求设置有误", fields=errors)
    policy, _ = RequirementPolicy.objects.update_or_create(
        community=community,
        defaults={
            "min_items": min_items,
            "target_items": target_items,
            "min_hours": min_hours,
            "target_hours": target_hours,
            "updated_by": by,
        },
    )
    return policy


# ------------------------------------------------------------------------------------------- reminders


def requirement_reminders_send(*, today: dt.date | None = None, community_ids=None) -> int:
    """Remind in-service members behind the yearly requirement, in the last quarter only. Idempotent:
    one reminder per member per quarter (dedupe key), so the task may run as often as it likes."""
    from ..selectors import requirement_rows

    today = today or timezone.localdate()
    quarter = periods.quarter_of(today)
    if quarter != 4:
        return 0
    communities = Community.objects.all()
    if community_ids is not None:
        communities = communities.filter(pk__in=community_ids)
    sent = 0
    for community in communities:
        behind = [
            row
            for row in requirement_rows(community_ids=[community.pk], year=today.year)
            if row.behind and row.user_id is not None
        ]
        users = User.objects.in_bulk([row.user_id for row in behind])
        for row in behind:
            with transaction.atomic():
                note = notify(
                    recipient=users.get(row.user_id),
                    kind="volunteering.requirement_reminder",
                    title=f"{today.year}年志愿服务尚未达到要求",
                    body=(
                        f"您今年在{community.name}已完成 {row.items} 项志愿服务、{row.hours} 小时；"
                        f"社区要求{row.requirement_text}。年底将向您的工作单位反馈，请尽快报名参加。"
                    ),
                    url=reverse("volunteering:items"),
                    dedupe_key=f"vol-reminder:{row.person_id}:{today.year}:{quarter}",
                )
            sent += note is not None
    return sent
