"""factory-boy factories for every core model. Other apps add theirs in tests/<app>/factories.py."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from members.models import (
    Building,
    Community,
    Compound,
    Employer,
    InformationOfficer,
    MemberCategory,
    OfficerSource,
    PartyMembership,
    Person,
    Registration,
    RegistrationChannel,
    ResponsibilityZone,
    RoleAssignment,
    Town,
    User,
)
from members.validators import id_check_digit


def make_id_number(n: int, birth: dt.date = dt.date(1985, 3, 9), region: str = "410821") -> str:
    first17 = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


class TownFactory(DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"测试镇{n}")
    code = factory.Sequence(lambda n: f"town{n}")


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"社区{n}")
    code = factory.Sequence(lambda n: f"c{n}")
    officer_quota = 0


class CompoundFactory(DjangoModelFactory):
    class Meta:
        model = Compound

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"{n}号院")


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"{n}号楼")


class EmployerFactory(DjangoModelFactory):
    class Meta:
        model = Employer

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"县单位{n}")
    party_org_name = factory.LazyAttribute(lambda o: f"{o.name}党支部")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    email = ""
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "secretary"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    gender = "M"
    mobile = factory.Sequence(lambda n: f"139{n % 100000000:08d}")
    id_number = factory.Sequence(lambda n: make_id_number(n))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = PartyMembership

    person = factory.SubFactory(PersonFactory)
    category = MemberCategory.IN_SERVICE
    employer = factory.LazyAttribute(lambda o: EmployerFactory(town=o.person.community.town))
    joined_on = dt.date(2010, 7, 1)
    specialties = factory.LazyFunction(lambda: ["政策宣传"])


class RetiredMembershipFactory(MembershipFactory):
    category = MemberCategory.RETIRED
    employer = None


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    person = factory.SubFactory(PersonFactory)
    community = factory.LazyAttribute(lambda o: o.person.community)
    channel = RegistrationChannel.ONLINE


class OfficerFactory(DjangoModelFactory):
    class Meta:
        model = InformationOfficer

    community = factory.SubFactory(CommunityFactory)
    person = factory.LazyAttribute(lambda o: PersonFactory(community=o.community))
    appointment_no = factory.Sequence(lambda n: f"XY-{n:04d}")
    appointed_on = dt.date(2026, 1, 1)
    term_end = dt.date(2028, 12, 31)
    source = OfficerSource.ACTIVIST


class ZoneFactory(DjangoModelFactory):
    class Meta:
        model = ResponsibilityZone

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}责任区")
