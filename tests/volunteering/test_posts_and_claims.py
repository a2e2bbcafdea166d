"""The ten service posts (十大服务岗位) and members' claims (认领)."""

import datetime as dt

import pytest
import time_machine

from core.errors import Conflict, DomainError
from members.services import PermissionDenied
from tests import factories as f
from volunteering import selectors, services
from volunteering.models import ClaimStatus, PostClaim, ServicePost, TeamMember, VolunteerEvent

from .factories import ClaimFactory, PostFactory, at, register, registered_member

pytestmark = pytest.mark.django_db

TEN_POSTS = [
    "民情信息岗",
    "治安巡逻岗",
    "政策宣传岗",
    "环境卫生岗",
    "矛盾调解岗",
    "关爱帮扶岗",
    "法律服务岗",
    "文体活动岗",
    "便民服务岗",
    "就业信息岗",
]


@pytest.fixture(autouse=True)
def _spring_2026():
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        yield


# ------------------------------------------------------------------------------------------------- posts


def test_secretary_defines_ten_posts_and_an_eleventh_is_refused(cast):
    for name in TEN_POSTS:
        services.post_create(
            community=cast.beijie,
            by=cast.secretary,
            name=name,
            capacity=5,
            specialties=["政策宣传"],
            description="职责",
        )
    with pytest.raises(Conflict) as exc:
        services.post_create(community=cast.beijie, by=cast.secretary, name="第十一岗", capacity=5)
    assert exc.value.code == "too_many_posts"
    assert ServicePost.objects.filter(community=cast.beijie).count() == 10


def test_an_inactive_post_frees_a_place_and_reactivating_is_checked(cast):
    posts = [
        services.post_create(community=cast.beijie, by=cast.secretary, name=n, capacity=3) for n in TEN_POSTS
    ]
    services.post_update(post=posts[0], by=cast.secretary, is_active=False)
    services.post_create(community=cast.beijie, by=cast.secretary, name="新岗位", capacity=3)
    with pytest.raises(Conflict):
        services.post_update(post=posts[0], by=cast.secretary, is_active=True)


def test_post_names_are_unique_in_a_community_but_not_across(cast):
    services.post_create(community=cast.beijie, by=cast.secretary, name="治安巡逻岗", capacity=5)
    with pytest.raises(Conflict):
        services.post_create(community=cast.beijie, by=cast.staff, name="治安巡逻岗", capacity=5)
    services.post_create(community=cast.changcheng, by=cast.other_secretary, name="治安巡逻岗", capacity=5)


@pytest.mark.parametrize("who", ["town", "member", "officer", "other_secretary", "liaison"])
def test_only_the_communitys_office_defines_posts(cast, who):
    with pytest.raises(PermissionDenied):
        services.post_create(community=cast.beijie, by=getattr(cast, who), name="岗位", capacity=5)


def test_post_capacity_cannot_drop_below_this_years_claims(cast):
    post = PostFactory(community=cast.beijie, capacity=3)
    for _ in range(2):
        ClaimFactory(post=post, status=ClaimStatus.APPROVED)
    with pytest.raises(Conflict) as exc:
        services.post_update(post=post, by=cast.secretary, capacity=1)
    assert exc.value.code == "capacity_below_claims"
    post.refresh_from_db()
    assert post.capacity == 3
    services.post_update(post=post, by=cast.secretary, capacity=2)


def test_blank_name_and_silly_capacity_are_refused(cast):
    with pytest.raises(DomainError) as exc:
        services.post_create(community=cast.beijie, by=cast.secretary, name="  ", capacity=0)
    assert set(exc.value.fields) == {"name", "capacity"}


# ------------------------------------------------------------------------------------------------ claims


def test_registered_member_claims_a_post_and_the_office_approves_it(cast, registered):
    post = PostFactory(community=cast.beijie)
    claim = services.claim_submit(post=post, person=cast.member_person, by=cast.member, note="有法律专长")
    assert claim.status == ClaimStatus.PENDING and claim.year == 2026
    assert not TeamMember.objects.filter(person=cast.member_person).exists()

    services.claim_approve(claim=claim, by=cast.secretary)

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.decided_by == cast.secretary
    # approval puts the member in the community's volunteer team (党员志愿服务队)
    assert TeamMember.objects.filter(person=cast.member_person, community=cast.beijie).exists()
    assert list(VolunteerEvent.objects.filter(claim=claim).values_list("action", flat=True)) == [
        "claim.submit",
        "claim.approve",
    ]
    from core.models import Notification

    assert Notification.objects.get(
        recipient=cast.member, kind="volunteering.claim_decided"
    ).title.startswith("岗位认领已通过")


def test_a_member_without_a_confirmed_registration_cannot_claim(cast):
    post = PostFactory(community=cast.beijie)
    with pytest.raises(PermissionDenied):
        services.claim_submit(post=post, person=cast.member_person, by=cast.member)
    f.RegistrationFactory(person=cast.member_person, community=cast.beijie)  # submitted, not yet confirmed
    with pytest.raises(PermissionDenied):
        services.claim_submit(post=post, person=cast.member_person, by=cast.member)
    assert not PostClaim.objects.exists()


def test_a_member_registered_elsewhere_cannot_claim_here(cast):
    register(cast.member_person, cast.changcheng)
    post = PostFactory(community=cast.beijie)
    with pytest.raises(PermissionDenied):
        services.claim_submit(post=post, person=cast.member_person, by=cast.member)


def test_a_member_claims_one_post_per_year(cast, registered):
    first, second = PostFactory(community=cast.beijie), PostFactory(community=cast.beijie)
    services.claim_submit(post=first, person=cast.member_person, by=cast.member)
    with pytest.raises(Conflict) as exc:
        services.claim_submit(post=second, person=cast.member_person, by=cast.member)
    assert exc.value.code == "already_claimed"
    with pytest.raises(Conflict):
        services.claim_submit(post=first, person=cast.member_person, by=cast.member)
    assert PostClaim.objects.count() == 1


def test_the_once_per_year_rule_is_a_database_constraint(cast, registered):
    from django.db import IntegrityError, transaction

    post = PostFactory(community=cast.beijie)
    ClaimFactory(post=post, person=cast.member_person, year=2026)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(post=PostFactory(community=cast.beijie), person=cast.member_person, year=2026)
    ClaimFactory(post=post, person=cast.member_person, year=2026, status=ClaimStatus.DECLINED)  # closed: fine


def test_after_a_decline_or_withdrawal_the_member_may_claim_again(cast, registered):
    post = PostFactory(community=cast.beijie)
    claim = services.claim_submit(post=post, person=cast.member_person, by=cast.member)
    with pytest.raises(DomainError):
        services.claim_decline(claim=claim, by=cast.secretary, reason="")
    services.claim_decline(claim=claim, by=cast.secretary, reason="岗位需要治安巡逻经验")
    again = services.claim_submit(post=post, person=cast.member_person, by=cast.member)
    services.claim_withdraw(claim=again, by=cast.member)
    services.claim_submit(post=PostFactory(community=cast.beijie), person=cast.member_person, by=cast.member)


def test_next_year_the_member_claims_again(cast, registered):
    post = PostFactory(community=cast.beijie)
    services.claim_approve(
        claim=services.claim_submit(post=post, person=cast.member_person, by=cast.member), by=cast.secretary
    )
    with time_machine.travel(at(2027, 1, 1, 0, 5), tick=False):
        claim = services.claim_submit(post=post, person=cast.member_person, by=cast.member)
    assert claim.year == 2027


def test_claiming_a_full_post_is_refused_and_pending_claims_hold_places(cast, registered):
    post = PostFactory(community=cast.beijie, capacity=2)
    ClaimFactory(post=post, status=ClaimStatus.APPROVED)
    ClaimFactory(post=post, status=ClaimStatus.PENDING)
    with pytest.raises(Conflict) as exc:
        services.claim_submit(post=post, person=cast.member_person, by=cast.member)
    assert exc.value.code == "post_full"
    assert "已满" in exc.value.message


def test_claiming_an_inactive_post_is_refused(cast, registered):
    post = PostFactory(community=cast.beijie, is_active=False)
    with pytest.raises(DomainError):
        services.claim_submit(post=post, person=cast.member_person, by=cast.member)


def test_decided_claims_cannot_be_decided_again(cast, registered):
    claim = services.claim_submit(
        post=PostFactory(community=cast.beijie), person=cast.member_person, by=cast.member
    )
    services.claim_approve(claim=claim, by=cast.secretary)
    with pytest.raises(Conflict) as exc:
        services.claim_decline(claim=claim, by=cast.secretary, reason="重复")
    assert exc.value.code == "illegal_transition" and exc.value.allowed == ["withdrawn"]


def test_the_office_files_a_claim_for_a_member_at_the_window_approved_at_once(cast, registered):
    claim = services.claim_submit(
        post=PostFactory(community=cast.beijie), person=cast.member_person, by=cast.staff
    )
    assert claim.status == ClaimStatus.APPROVED


@pytest.mark.parametrize("who", ["town", "officer", "deputy"])
def test_approving_is_the_offices_work(cast, registered, who):
    claim = services.claim_submit(
        post=PostFactory(community=cast.beijie), person=cast.member_person, by=cast.member
    )
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim=claim, by=getattr(cast, who))


def test_a_member_cannot_claim_for_someone_else(cast, registered):
    other = registered_member(cast.beijie)
    with pytest.raises(PermissionDenied):
        services.claim_submit(post=PostFactory(community=cast.beijie), person=other, by=cast.member)


def test_members_join_the_volunteer_team_themselves(cast, registered):
    services.team_join(community=cast.beijie, person=cast.member_person, by=cast.member)
    services.team_join(community=cast.beijie, person=cast.member_person, by=cast.member)  # idempotent
    assert TeamMember.objects.filter(person=cast.member_person).count() == 1
    with pytest.raises(PermissionDenied):
        services.team_join(community=cast.changcheng, person=cast.member_person, by=cast.member)


# ---------------------------------------------------------------------------------- staffing and matching


def test_understaffed_posts_are_those_with_fewer_approved_members_than_capacity(cast):
    full = PostFactory(community=cast.beijie, name="满员岗", capacity=1)
    short = PostFactory(community=cast.beijie, name="缺员岗", capacity=3)
    ClaimFactory(post=full, status=ClaimStatus.APPROVED)
    ClaimFactory(post=short, status=ClaimStatus.APPROVED)
    ClaimFactory(post=short, status=ClaimStatus.PENDING)
    ClaimFactory(post=short, status=ClaimStatus.APPROVED, year=2025)  # last year's does not count
    posts = list(selectors.posts_with_staffing(ServicePost.objects.filter(community=cast.beijie)))
    assert [p.name for p in selectors.understaffed(posts)] == ["缺员岗"]
    short_row = next(p for p in posts if p.name == "缺员岗")
    assert (short_row.approved_count, short_row.pending_count) == (1, 1)


def test_posts_matching_the_members_specialties_and_interests_come_first(cast, registered):
    cast.member_person.membership.interests = ["摄影"]
    cast.member_person.membership.save()
    plain = PostFactory(community=cast.beijie, name="环境卫生岗", specialties=["环境整治"], sort_order=1)
    legal = PostFactory(
        community=cast.beijie, name="法律服务岗", specialties=["法律咨询", "矛盾调解"], sort_order=5
    )
    culture = PostFactory(community=cast.beijie, name="文体活动岗", specialties=["摄影"], sort_order=3)
    ranked = selectors.suggested_posts(ServicePost.objects.filter(community=cast.beijie), cast.member_person)
    assert [p.name for p in ranked] == [legal.name, culture.name, plain.name]
    assert ranked[0].matched == ["法律咨询"]


def test_claim_dates_follow_shanghai_time_at_new_year(cast, registered):
    # 2026-12-31 16:30 UTC is already 2027-01-01 00:30 in Shanghai: the claim is for 2027
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), tick=False):
        claim = services.claim_submit(
            post=PostFactory(community=cast.beijie), person=cast.member_person, by=cast.member
        )
    assert claim.year == 2027


def test_the_cases_on_duty_hook_suggests_members_of_the_matching_post_serving_today_first(cast, registered):
    """cases calls `volunteering.selectors.on_duty_for_case` (settings.CASES_ON_DUTY_PROVIDER)."""
    patrol = PostFactory(community=cast.beijie, name="治安巡逻岗", specialties=["治安巡逻"])
    legal = PostFactory(community=cast.beijie, name="法律服务岗", specialties=["法律咨询"])
    neighbour = registered_member(cast.beijie, name="邻居")
    neighbour.building = cast.b1
    neighbour.save()
    on_duty = registered_member(cast.beijie, name="值班")
    ClaimFactory(post=patrol, person=neighbour, status=ClaimStatus.APPROVED)
    ClaimFactory(post=patrol, person=on_duty, status=ClaimStatus.APPROVED)
    ClaimFactory(post=legal, person=cast.member_person, status=ClaimStatus.APPROVED)
    from volunteering.models import SignUpStatus

    from .factories import ItemFactory, SignUpFactory

    night = ItemFactory(community=cast.beijie, post=patrol, title="夜间巡逻", starts_at=at(2026, 3, 10, 19))
    SignUpFactory(item=night, person=on_duty, status=SignUpStatus.CONFIRMED)

    rows = selectors.on_duty_for_case(
        community_id=cast.beijie.pk,
        building_id=cast.b1.pk,
        category="security",
        post_hints=["治安巡逻", "消防"],
        on=dt.date(2026, 3, 10),
    )
    assert rows == [
        (on_duty.user_id, "值班", "认领治安巡逻岗，今日在岗（夜间巡逻）"),
        (neighbour.user_id, "邻居", "认领治安巡逻岗，同楼栋"),
    ]
    assert selectors.on_duty_for_case(community_id=cast.beijie.pk, post_hints=[]) == []
    assert (
        selectors.on_duty_for_case(
            community_id=cast.changcheng.pk, post_hints=["治安巡逻"], on=dt.date(2026, 3, 10)
        )
        == []
    )
