"""factory-boy factories for volunteering, plus the helpers its tests share."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from members.models import RegistrationStatus
from tests import factories as f
from volunteering.models import (
    DonatedGood,
    GoodCategory,
    Pairing,
    PostClaim,
    Programme,
    ProgrammeKind,
    RecordSource,
    RecordStatus,
    ServiceItem,
    ServicePost,
    ServiceRecord,
    SignUp,
    SignUpStatus,
    SkillListing,
)

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    """An aware Asia/Shanghai datetime: at(2026, 3, 10, 9) → 2026-03-10 09:00 +08:00."""
    return dt.datetime(*args, tzinfo=SH)


def register(person, community=None):
    """A confirmed registration (已报到) — what claiming posts and signing up require."""
    return f.RegistrationFactory(
        person=person,
        community=community or person.community,
        status=RegistrationStatus.CONFIRMED,
        decided_at=at(2026, 1, 10, 10),
    )


def registered_member(community, *, employer=None, user=True, specialties=("政策宣传",), name=None):
    """A new in-service member living in `community`, registered there, with a login (Role.MEMBER)."""
    from members.roles import Role

    person = f.PersonFactory(community=community, **({"name": name} if name else {}))
    f.MembershipFactory(
        person=person,
        employer=employer or f.EmployerFactory(town=community.town),
        specialties=list(specialties),
    )
    register(person, community)
    if user:
        login = f.UserFactory(username=f"m{person.pk}")
        f.RoleFactory(user=login, role=Role.MEMBER, community=community)
        person.user = login
        person.save(update_fields=["user"])
    return person


class PostFactory(DjangoModelFactory):
    class Meta:
        model = ServicePost

    community = factory.SubFactory(f.CommunityFactory)
    name = factory.Sequence(lambda n: f"服务岗{n}")
    description = "岗位职责"
    specialties = factory.LazyFunction(lambda: ["政策宣传"])
    capacity = 5


class ClaimFactory(DjangoModelFactory):
    class Meta:
        model = PostClaim

    post = factory.SubFactory(PostFactory)
    community = factory.LazyAttribute(lambda o: o.post.community)
    person = factory.LazyAttribute(lambda o: f.PersonFactory(community=o.post.community))
    year = 2026


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    community = factory.SubFactory(f.CommunityFactory)
    name = factory.Sequence(lambda n: f"特色载体{n}")
    kind = ProgrammeKind.EMPTY_NEST


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = ServiceItem

    community = factory.SubFactory(f.CommunityFactory)
    title = factory.Sequence(lambda n: f"志愿服务{n}")
    place = "社区广场"
    starts_at = factory.LazyFunction(lambda: at(2026, 3, 14, 9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    capacity = 5


class SignUpFactory(DjangoModelFactory):
    class Meta:
        model = SignUp

    item = factory.SubFactory(ItemFactory)
    person = factory.LazyAttribute(lambda o: f.PersonFactory(community=o.item.community))
    status = SignUpStatus.CONFIRMED
    queued_at = factory.LazyAttribute(lambda o: o.item.starts_at - dt.timedelta(days=3))


class RecordFactory(DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    item = factory.SubFactory(ItemFactory)
    person = factory.LazyAttribute(lambda o: f.PersonFactory(community=o.item.community))
    started_at = factory.LazyAttribute(lambda o: o.item.starts_at)
    ended_at = factory.LazyAttribute(lambda o: o.item.ends_at)
    minutes = factory.LazyAttribute(lambda o: int((o.ended_at - o.started_at).total_seconds() // 60))
    content = "入户宣传"
    source = RecordSource.ORGANISER
    status = RecordStatus.APPROVED


class PairingFactory(DjangoModelFactory):
    class Meta:
        model = Pairing

    programme = factory.SubFactory(ProgrammeFactory)
    person = factory.LazyAttribute(lambda o: f.PersonFactory(community=o.programme.community))
    household = factory.Sequence(lambda n: f"王奶奶{n}")
    started_on = dt.date(2026, 1, 5)


class GoodFactory(DjangoModelFactory):
    class Meta:
        model = DonatedGood

    programme = factory.SubFactory(ProgrammeFactory, kind=ProgrammeKind.LOVE_SUPERMARKET)
    name = factory.Sequence(lambda n: f"冬衣{n}")
    category = GoodCategory.CLOTHES
    quantity_received = 10
    quantity_left = 10
    received_on = dt.date(2026, 1, 5)


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = SkillListing

    programme = factory.SubFactory(ProgrammeFactory, kind=ProgrammeKind.LOVE_SUPERMARKET)
    person = factory.LazyAttribute(lambda o: f.PersonFactory(community=o.programme.community))
    skill = "维修电器"
    contact_phone = "13900000000"
