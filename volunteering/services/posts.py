"""The ten service posts (十大服务岗位), members' claims (认领) and the volunteer team (志愿服务队)."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, DomainError
from core.notifications import notify
from members.models import Community, Person, User
from members.permissions import require_office
from members.roles import scope_for

from ..access import (
    require_acting_for,
)
from ..models import (
    ACTIVE_CLAIM_STATUSES,
    MAX_POSTS_PER_COMMUNITY,
    ClaimStatus,
    PostClaim,
    ServicePost,
    TeamMember,
)
from ._common import (
    _clean_list,
    _event,
    _lock_post,
    _require_member_of,
    _require_text,
    _transition,
)

# ------------------------------------------------------------------------------------------------ posts


def _check_post_fields(fields: dict) -> dict:
    errors = {}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors["name"] = ["请填写岗位名称"]
    if "capacity" in fields and (fields["capacity"] is None or not 1 <= fields["capacity"] <= 500):
        errors["capacity"] = ["岗位人数应在 1–500 之间"]
    if "specialties" in fields:
        fields["specialties"] = _clean_list(fields["specialties"])
    if errors:
        raise DomainError("岗位信息有误", fields=errors)
    return fields


def _require_room_for_post(community_id: int, exclude_pk: int | None = None) -> None:
    # Serialise post creation per community so two offices cannot both add the eleventh post.
    Community.objects.select_for_update().filter(pk=community_id).first()
    active = ServicePost.objects.filter(community_id=community_id, is_active=True)
    if exclude_pk:
        active = active.exclude(pk=exclude_pk)
    if active.count() >= MAX_POSTS_PER_COMMUNITY:
        raise Conflict(
            f"每个社区最多设立 {MAX_POSTS_PER_COMMUNITY} 个服务岗位（十大服务岗位）；请先停用一个岗位",
            code="too_many_posts",
        )


@transaction.atomic
def post_create(
    *,
    community: Community,
    by: User,
    name: str,
    capacity: int,
    description: str = "",
    specialties: list[str] | None = None,
    sort_order: int = 0,
    is_active: bool = True,
) -> ServicePost:
    """The secretary defines one of the community's (up to ten) service posts."""
    require_office(by, community.pk)
    fields = _check_post_fields({"name": name, "capacity": capacity, "specialties": specialties or []})
    if is_active:
        _require_room_for_post(community.pk)
    if ServicePost.objects.filter(community=community, name=fields["name"]).exists():
        raise Conflict("岗位名称已存在", fields={"name": ["岗位名称已存在"]})
    return ServicePost.objects.create(
        community=community,
        description=description.strip(),
        sort_order=sort_order,
        is_active=is_active,
        **fields,
    )


@transaction.atomic
def post_update(*, post: ServicePost, by: User, **changes) -> ServicePost:
    require_office(by, post.community_id)
    allowed = {"name", "description", "specialties", "capacity", "sort_order", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError("不能修改这些字段", fields={k: ["不可修改"] for k in unknown})
    changes = _check_post_fields(dict(changes))
    locked = _lock_post(post.pk)
    if changes.get("is_active") and not locked.is_active:
        _require_room_for_post(locked.community_id, exclude_pk=locked.pk)
    if (
        "name" in changes
        and ServicePost.objects.filter(community_id=locked.community_id, name=changes["name"])
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise Conflict("岗位名称已存在", fields={"name": ["岗位名称已存在"]})
    if "capacity" in changes:
        year = timezone.localdate().year
        taken = PostClaim.objects.filter(post=locked, year=year, status__in=ACTIVE_CLAIM_STATUSES).count()
        if changes["capacity"] < taken:
            raise Conflict(
                f"本年度已有 {taken} 人认领（含待审核），岗位人数不能减少到 {changes['capacity']}",
                code="capacity_below_claims",
                fields={"capacity": [f"不能少于已认领的 {taken} 人"]},
            )
    for key, value in changes.items():
        setattr(locked, key, value)
    if changes:
        locked.save(update_fields=list(changes))
    return locked


# ----------------------------------------------------------------------------------------------- claims

CLAIM_TRANSITIONS: dict[str, set[str]] = {
    ClaimStatus.PENDING: {ClaimStatus.APPROVED, ClaimStatus.DECLINED, ClaimStatus.WITHDRAWN},
    ClaimStatus.APPROVED: {ClaimStatus.WITHDRAWN},
    ClaimStatus.DECLINED: set(),
    ClaimStatus.WITHDRAWN: set(),
}


@transaction.atomic
def claim_submit(*, post: ServicePost, person: Person, by: User, note: str = "") -> PostClaim:
    """认领: a member claims a post for this year (one post per member per year). The office may file a
    claim for a member at the window; it is then approved at once."""
    acting_self = require_acting_for(by, person, post.community_id)
    _require_member_of(person, post.community_id, acting_self=acting_self, what="认领服务岗位")
    locked = _lock_post(post.pk)
    if not locked.is_active:
        raise DomainError("该岗位已停用，不能认领", code="post_inactive")
    year = timezone.localdate().year
    current = (
        PostClaim.objects.filter(person=person, year=year, status__in=ACTIVE_CLAIM_STATUSES)
        .select_related("post")
        .first()
    )
    if current is not None:
        raise Conflict(
            f"{year}年已认领「{current.post.name}」（{current.get_status_display()}）；每人每年认领一个岗位",
            code="already_claimed",
        )
    taken = PostClaim.objects.filter(post=locked, year=year, status__in=ACTIVE_CLAIM_STATUSES).count()
    if taken >= locked.capacity:
        raise Conflict(f"岗位「{locked.name}」已满（{locked.capacity} 人），请选择其他岗位", code="post_full")
    try:
        with transaction.atomic():
            claim = PostClaim.objects.create(
                community_id=locked.community_id,
                post=locked,
                person=person,
                year=year,
                note=(note or "").strip()[:200],
                created_by=by,
            )
    except IntegrityError:
        raise Conflict(f"{year}年已认领服务岗位；每人每年认领一个岗位", code="already_claimed")
    _event(community_id=claim.community_id, action="claim.submit", by=by, to_status=claim.status, claim=claim)
    if not acting_self:
        claim = claim_approve(claim=claim, by=by)
    return claim


@transaction.atomic
def claim_approve(*, claim: PostClaim, by: User) -> PostClaim:
    """The office approves a claim; the member joins the community's volunteer team."""
    require_office(by, claim.community_id)
    post = _lock_post(claim.post_id)
    approved = PostClaim.objects.filter(post=post, year=claim.year, status=ClaimStatus.APPROVED).count()
    if approved >= post.capacity:
        raise Conflict(f"岗位「{post.name}」已满（{post.capacity} 人）", code="post_full")
    claim = _transition(
        claim,
        ClaimStatus.APPROVED,
        table=CLAIM_TRANSITIONS,
        by=by,
        action="claim.approve",
        community_id=claim.community_id,
        subject="claim",
        decided_by=by,
        decided_at=timezone.now(),
    )
    _team_add(community_id=claim.community_id, person_id=claim.person_id)
    _tell_claim(
        claim,
        post,
        title=f"岗位认领已通过：{post.name}",
        body=f"您已认领「{post.name}」，并加入党员志愿服务队。",
    )
    return claim


def _tell_claim(claim: PostClaim, post: ServicePost, *, title: str, body: str) -> None:
    person = Person.objects.select_related("user").get(pk=claim.person_id)
    if person.user_id:
        notify(
            recipient=person.user,
            kind="volunteering.claim_decided",
            title=title,
            body=body,
            url=reverse("volunteering:posts"),
            dedupe_key=f"vol-claim:{claim.pk}:{claim.status}",
        )


@transaction.atomic
def claim_decline(*, claim: PostClaim, by: User, reason: str) -> PostClaim:
    require_office(by, claim.community_id)
    reason = _require_text(reason, "reason", "请填写未通过的原因")
    claim = _transition(
        claim,
        ClaimStatus.DECLINED,
        table=CLAIM_TRANSITIONS,
        by=by,
        action="claim.decline",
        community_id=claim.community_id,
        subject="claim",
        note=reason,
        decided_by=by,
        decided_at=timezone.now(),
        decline_reason=reason[:200],
    )
    _tell_claim(
        claim,
        claim.post,
        title=f"岗位认领未通过：{claim.post.name}",
        body=f"原因：{reason}。可改认领其他岗位。",
    )
    return claim


@transaction.atomic
def claim_withdraw(*, claim: PostClaim, by: User) -> PostClaim:
    if scope_for(by).person_id != claim.person_id:
        require_office(by, claim.community_id)
    return _transition(
        claim,
        ClaimStatus.WITHDRAWN,
        table=CLAIM_TRANSITIONS,
        by=by,
        action="claim.withdraw",
        community_id=claim.community_id,
        subject="claim",
    )


# -------------------------------------------------------------------------------------- volunteer team


def _team_add(*, community_id: int, person_id: int) -> TeamMember:
    member, _ = TeamMember.objects.get_or_create(
        community_id=community_id, person_id=person_id, defaults={"joined_on": timezone.localdate()}
    )
    return member


@transaction.atomic
def team_join(*, community: Community, person: Person, by: User) -> TeamMember:
    """Join the community's 党员志愿服务队 (a member for themself, or the office for a member)."""
    acting_self = require_acting_for(by, person, community.pk)
    _require_member_of(person, community.pk, acting_self=acting_self, what="加入志愿服务队")
    return _team_add(community_id=community.pk, person_id=person.pk)
