"""Volunteering's part of the home pages (members.home): the office's figures per community, the member's
next item, year's progress and claims, and the liaison's columns of items and hours. Constant queries."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils import timezone

from members.home import EmployerColumns, Figure, HomeSection
from members.roles import Role

from ..models import ACTIVE_CLAIM_STATUSES, ClaimStatus, PostClaim
from .posts import my_signups
from .requirement import _records_in_year, hours_of, member_progress, requirement_rows


def community_figures(*, community_ids, today) -> dict[int, list[Figure]]:
    """未达年度要求 (confirmed members behind the community's yearly minimum) and 岗位认领待审核."""
    behind = dict.fromkeys(community_ids, 0)
    for row in requirement_rows(community_ids=community_ids, year=today.year):  # 2 queries
        behind[row.community_id] += row.behind
    claims = dict(  # 1 query
        PostClaim.objects.filter(community_id__in=community_ids, status=ClaimStatus.PENDING)
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values_list("community", "n")
    )
    return {
        cid: [
            Figure(
                "behind",
                f"{today.year}年未达服务要求",
                behind[cid],
                "volunteering:requirement",
                {"community": cid, "behind": 1},
                alert=True,
                order=50,
            ),
            Figure(
                "claims_pending",
                "岗位认领待审核",
                claims.get(cid, 0),
                "volunteering:claims",
                {"community": cid, "status": ClaimStatus.PENDING},
                alert=True,
                order=51,
            ),
        ]
        for cid in community_ids
    }


def member_section(*, user, scope, person, today) -> HomeSection | None:
    """The member's year: the next item signed up for, items and hours against the requirement, the
    post claims still open (4 queries)."""
    if person is None or Role.MEMBER not in scope.roles:
        return None
    now = timezone.now()
    next_signup = my_signups(person.pk).filter(item__ends_at__gte=now).first()
    progress = member_progress(person.pk, person.community_id, today.year)
    claims = list(
        PostClaim.objects.filter(person=person, year=today.year, status__in=ACTIVE_CLAIM_STATUSES)
        .select_related("post")
        .order_by("pk")
    )
    return HomeSection(
        "volunteering",
        "我的志愿服务",
        "volunteering/home/_member.html",
        {"next": next_signup, "progress": progress, "claims": claims, "year": today.year},
        order=20,
    )


def employer_columns(*, person_ids, year) -> EmployerColumns:
    """本年服务事项 and 本年服务时长 of each member on the liaison's page (one query)."""
    totals = (
        _records_in_year(year)
        .filter(person_id__in=person_ids)
        .order_by()
        .values("person_id")
        .annotate(items=Count("item_id", distinct=True), minutes=Sum("minutes"))
    )
    values = {pid: [0, hours_of(0)] for pid in person_ids}
    for t in totals:
        values[t["person_id"]] = [t["items"], hours_of(t["minutes"])]
    return EmployerColumns([f"{year}年服务事项", f"{year}年服务时长（小时）"], values, order=10)
