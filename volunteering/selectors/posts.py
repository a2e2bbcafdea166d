"""Posts and items as lists show them: staffing, matching a member's specialties, counts, the waitlist."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import CharField, Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from members.models import Person, Registration, RegistrationStatus

from .. import checkin, periods
from ..models import (
    ClaimStatus,
    ItemStatus,
    PostClaim,
    ServiceItem,
    ServicePost,
    SignUp,
    SignUpStatus,
)

# ----------------------------------------------------------------------------------------------- posts


def posts_with_staffing(posts: QuerySet, year: int | None = None) -> QuerySet:
    """Annotate each post with this year's approved and pending claims."""
    year = year or timezone.localdate().year
    return posts.annotate(
        approved_count=Count("claims", filter=Q(claims__year=year, claims__status=ClaimStatus.APPROVED)),
        pending_count=Count("claims", filter=Q(claims__year=year, claims__status=ClaimStatus.PENDING)),
    ).order_by("community_id", "sort_order", "pk")  # Meta.ordering does not apply to grouped queries


def understaffed(posts: Iterable[ServicePost]) -> list[ServicePost]:
    """Active posts with fewer approved members than their capacity (posts from `posts_with_staffing`)."""
    return [p for p in posts if p.is_active and p.approved_count < p.capacity]


def person_skills_and_interests(person: Person) -> tuple[set[str], set[str]]:
    """(specialties, interests) from the roster and from the member's confirmed registration."""
    skills, interests = set(), set()
    membership = getattr(person, "membership", None)
    if membership is not None:
        skills |= set(membership.specialties or [])
        interests |= set(membership.interests or [])
    for reg_skills, reg_interests in Registration.objects.filter(
        person=person, status=RegistrationStatus.CONFIRMED
    ).values_list("specialties", "interests"):
        skills |= set(reg_skills or [])
        interests |= set(reg_interests or [])
    return {w for w in skills if w}, {w for w in interests if w}


def _matches(wanted: str, words: set[str]) -> bool:
    return any(wanted in w or w in wanted for w in words)


def suggested_posts(posts: Iterable[ServicePost], person: Person | None) -> list[ServicePost]:
    """Posts ordered with the best match to the member first: a wanted specialty the member has counts
    two, one matching an interest counts one. Each post gets `match_score` and `matched`."""
    skills, interests = person_skills_and_interests(person) if person is not None else (set(), set())
    ranked = []
    for post in posts:
        by_skill = [s for s in post.specialties or [] if _matches(s, skills)]
        by_interest = [s for s in post.specialties or [] if s not in by_skill and _matches(s, interests)]
        post.matched = by_skill + by_interest
        post.match_score = 2 * len(by_skill) + len(by_interest)
        ranked.append(post)
    return sorted(ranked, key=lambda p: (-p.match_score, p.sort_order, p.pk))


def current_claim(person_id: int, year: int | None = None) -> PostClaim | None:
    year = year or timezone.localdate().year
    return (
        PostClaim.objects.active().filter(person_id=person_id, year=year).select_related("post").first()
        if person_id
        else None
    )


# ----------------------------------------------------------------------------------------------- items


def items_with_counts(items: QuerySet, person_id: int | None = None) -> QuerySet:
    """Annotate confirmed and waiting counts, and the viewer's own sign-up status (`my_status`)."""
    items = (
        items.select_related("post", "programme", "community")
        .annotate(
            confirmed_count=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)),
            waitlist_count=Count("signups", filter=Q(signups__status=SignUpStatus.WAITLISTED)),
        )
        .order_by("starts_at", "pk")  # Meta.ordering does not apply to grouped queries
    )
    if person_id:
        mine = SignUp.objects.filter(item=OuterRef("pk"), person_id=person_id)
        items = items.annotate(
            my_status=Subquery(mine.values("status")[:1]), my_signup_id=Subquery(mine.values("pk")[:1])
        )
    else:
        items = items.annotate(
            my_status=Value(None, output_field=CharField()),
            my_signup_id=Value(None, output_field=IntegerField()),
        )
    return items


def upcoming(items: QuerySet, now: dt.datetime | None = None) -> QuerySet:
    return items.filter(ends_at__gte=now or timezone.now(), status=ItemStatus.OPEN)


def my_signups(person_id: int, *, year: int | None = None) -> QuerySet:
    """The member's live sign-ups (confirmed or waiting), soonest first."""
    qs = SignUp.objects.filter(person_id=person_id).exclude(status=SignUpStatus.CANCELLED)
    if year:
        start, end = periods.year_bounds(year)
        qs = qs.filter(item__starts_at__gte=start, item__starts_at__lt=end)
    return qs.select_related("item", "item__post", "item__community").order_by("item__starts_at", "pk")


def items_open_for_checkin(person_id: int | None, now: dt.datetime | None = None) -> list[ServiceItem]:
    """The member's confirmed items whose check-in/-out window is open now (for the "enter code" page), each
    with the member's own `my_checked_in_at` / `my_checked_out_at`."""
    if not person_id:
        return []
    now = now or timezone.now()
    return list(
        ServiceItem.objects.filter(
            signups__person_id=person_id,
            signups__status=SignUpStatus.CONFIRMED,
            status=ItemStatus.OPEN,
            starts_at__lte=now + checkin.CHECKIN_OPENS_BEFORE,
            ends_at__gte=now - checkin.CHECKOUT_CLOSES_AFTER,
        )
        # where the member is in the item: checked in already (check out next) or out (nothing left to do)
        .annotate(
            my_checked_in_at=Max("signups__checked_in_at", filter=Q(signups__person_id=person_id)),
            my_checked_out_at=Max("signups__checked_out_at", filter=Q(signups__person_id=person_id)),
        )
        .order_by("starts_at")
    )


def waitlist_position(signup: SignUp) -> int | None:
    if signup.status != SignUpStatus.WAITLISTED:
        return None
    ahead = SignUp.objects.filter(item_id=signup.item_id, status=SignUpStatus.WAITLISTED).filter(
        Q(queued_at__lt=signup.queued_at) | Q(queued_at=signup.queued_at, pk__lt=signup.pk)
    )
    return ahead.count() + 1


def on_duty_for_case(
    *,
    community_id: int,
    building_id: int | None = None,
    category: str = "",
    post_hints=(),
    on: dt.date | None = None,
) -> list[tuple[int, str, str]]:
    """The cases app's on-duty hook (settings.CASES_ON_DUTY_PROVIDER): in-service members with a login who
    hold this year's approved claim on a post matching `post_hints` (by post name or wanted specialty).
    Those serving at an item of that post on the day come first, then neighbours of the building.
    Returns (user_id, name, reason) rows; no hints, no suggestions."""
    hints = [h for h in post_hints or [] if h]
    if not hints:
        return []
    on = on or timezone.localdate()
    claims = PostClaim.objects.filter(
        community_id=community_id, year=on.year, status=ClaimStatus.APPROVED, person__user__isnull=False
    ).select_related("post", "person")
    matching = [
        c
        for c in claims
        if any(h in c.post.name or any(h in s or s in h for s in c.post.specialties or []) for h in hints)
    ]
    if not matching:
        return []
    start, end = periods.day_bounds(on)
    serving = dict(
        SignUp.objects.filter(
            person_id__in=[c.person_id for c in matching],
            status=SignUpStatus.CONFIRMED,
            item__post_id__in=[c.post_id for c in matching],
            item__starts_at__gte=start,
            item__starts_at__lt=end,
            item__status=ItemStatus.OPEN,
        ).values_list("person_id", "item__title")
    )

    def rank(claim):
        return (
            claim.person_id not in serving,
            building_id is None or claim.person.building_id != building_id,
            claim.person.name,
            claim.person_id,
        )

    rows = []
    for claim in sorted(matching, key=rank):
        reason = f"认领{claim.post.name}"
        if claim.person_id in serving:
            reason += f"，今日在岗（{serving[claim.person_id]}）"
        if building_id is not None and claim.person.building_id == building_id:
            reason += "，同楼栋"
        rows.append((claim.person.user_id, claim.person.name, reason))
    return rows
