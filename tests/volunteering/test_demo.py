"""The demo seed gives `make run` a living community, fast, and never breaks the rules it demonstrates."""

import datetime as dt
import random
import time

import pytest
from django.db.models import Count, F, Q

from members.models import RegistrationStatus
from members.roles import Role
from tests import factories as f
from volunteering import demo, selectors
from volunteering.models import (
    ClaimStatus,
    PostClaim,
    RecordStatus,
    ServiceItem,
    ServicePost,
    ServiceRecord,
    SignUp,
    SignUpStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_town(without_cast):
    """Two of the manual's communities with a few dozen registered in-service members and their offices."""
    town = f.TownFactory(name="城关镇", code="chengguan")
    employers = [f.EmployerFactory(town=town, name=n) for n in ("县人民医院", "县第一中学")]
    for name, code in (("北街社区", "beijie"), ("文化街社区", "wenhuajie")):
        community = f.CommunityFactory(town=town, name=name, code=code)
        for role in (Role.SECRETARY, Role.STAFF, Role.OFFICE_DIRECTOR):
            f.RoleFactory(user=f.UserFactory(username=f"{code}_{role}"), role=role, community=community)
        for i in range(30):
            person = f.PersonFactory(community=community)
            f.MembershipFactory(
                person=person,
                employer=employers[i % 2],
                specialties=[["政策宣传"], ["治安巡逻"], ["法律咨询", "矛盾调解"]][i % 3],
            )
            f.RegistrationFactory(person=person, status=RegistrationStatus.CONFIRMED)
            if i < 3:
                login = f.UserFactory(username=f"{code}_m{i}")
                f.RoleFactory(user=login, role=Role.MEMBER, community=community)
                person.user = login
                person.save(update_fields=["user"])
    return town


def test_seed_builds_a_living_community_quickly(small_town):
    started = time.monotonic()
    counts = demo.seed(town=small_town, rng=random.Random(2026), today=dt.date.today())
    elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed
    assert counts["posts"] == 20 and ServicePost.objects.count() == 20
    assert counts["programmes"] == 2 + 3  # the manual's: 北街 runs two, 文化街 three
    for key in (
        "claims",
        "team_members",
        "items",
        "signups",
        "waitlisted",
        "check_ins",
        "records",
        "pending_records",
        "pairings",
        "goods",
        "handouts",
        "skills",
        "conduct_notes",
    ):
        assert counts[key] > 0, key

    # the rules hold in the seeded data
    over = ServiceItem.objects.annotate(
        n=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED))
    ).filter(n__gt=F("capacity"))
    assert not over.exists()
    assert not PostClaim.objects.values("person", "year").annotate(n=Count("pk")).filter(n__gt=1).exists()
    full_posts = ServicePost.objects.annotate(
        n=Count("claims", filter=Q(claims__status__in=[ClaimStatus.APPROVED, ClaimStatus.PENDING]))
    ).filter(n__gt=F("capacity"))
    assert not full_posts.exists()
    for record in ServiceRecord.objects.select_related("item"):
        assert record.item.starts_at <= record.started_at < record.ended_at <= record.item.ends_at
    assert ServiceItem.objects.filter(starts_at__gt=dt.datetime.now(dt.UTC)).exists()
    assert SignUp.objects.filter(
        status=SignUpStatus.WAITLISTED, item__starts_at__lt=F("item__ends_at")
    ).exists()
    assert ServiceRecord.objects.filter(status=RecordStatus.PENDING).exists()

    # a demo member login has something to look at, and the requirement page has people on both sides
    assert SignUp.objects.filter(person__user__username="beijie_m0").exists()
    rows = selectors.requirement_rows(
        community_ids=list(small_town.communities.values_list("pk", flat=True)), year=dt.date.today().year
    )
    assert len(rows) == 60


def test_service_records_are_stamped_when_the_service_ended_not_when_seeded(small_town):
    demo.seed(town=small_town, rng=random.Random(2026), today=dt.date.today())

    records = ServiceRecord.objects.all()
    assert records.exists()
    assert not records.exclude(recorded_at=F("ended_at")).exists()
    stamps = sorted(records.values_list("recorded_at", flat=True))
    assert stamps[-1] - stamps[0] > dt.timedelta(days=7)
