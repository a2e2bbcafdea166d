"""Featured programmes (特色载体): items they host, member–household pairings (结对), the love
supermarket's inventory of donated goods and its directory of members' skills."""

import datetime as dt

import pytest
import time_machine

from core.errors import Conflict, DomainError
from members.services import PermissionDenied
from tests import factories as f
from volunteering import services
from volunteering.models import (
    DonatedGood,
    GoodCategory,
    GoodHandout,
    Pairing,
    PairingStatus,
    ProgrammeKind,
    SkillListing,
)

from .factories import GoodFactory, ProgrammeFactory, at, registered_member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _march_2026():
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        yield


@pytest.fixture
def supermarket(cast):
    return services.programme_create(
        community=cast.beijie,
        by=cast.secretary,
        name="爱心超市",
        kind=ProgrammeKind.LOVE_SUPERMARKET,
        description="捐赠物品登记后领取",
    )


def test_programmes_belong_to_a_community_and_host_items(cast):
    station = services.programme_create(
        community=cast.beijie, by=cast.secretary, name="空巢老人爱心服务站", kind=ProgrammeKind.EMPTY_NEST
    )
    item = services.item_create(
        community=cast.beijie,
        by=cast.secretary,
        title="陪老人体检",
        place="卫生站",
        starts_at=at(2026, 3, 20, 9),
        ends_at=at(2026, 3, 20, 11),
        capacity=4,
        programme=station,
    )
    assert list(station.items.all()) == [item]
    with pytest.raises(DomainError):
        services.item_create(
            community=cast.changcheng,
            by=cast.other_secretary,
            title="x",
            place="y",
            starts_at=at(2026, 3, 20, 9),
            ends_at=at(2026, 3, 20, 11),
            capacity=4,
            programme=station,
        )
    with pytest.raises(Conflict):
        services.programme_create(
            community=cast.beijie, by=cast.secretary, name="空巢老人爱心服务站", kind=ProgrammeKind.EMPTY_NEST
        )
    with pytest.raises(PermissionDenied):
        services.programme_create(
            community=cast.beijie, by=cast.town, name="新载体", kind=ProgrammeKind.OTHER
        )


def test_the_office_pairs_a_member_with_a_household_and_ends_it(cast, registered):
    home = ProgrammeFactory(
        community=cast.beijie, kind=ProgrammeKind.LEFT_BEHIND_CHILDREN, name="留守儿童之家"
    )
    pairing = services.pairing_create(
        programme=home,
        person=cast.member_person,
        by=cast.staff,
        household="小明（留守儿童，2号楼）",
        building=cast.b2,
        address="3单元201",
        started_on=dt.date(2026, 3, 1),
    )
    assert pairing.status == PairingStatus.ACTIVE
    with pytest.raises(Conflict):
        services.pairing_create(
            programme=home,
            person=cast.member_person,
            by=cast.staff,
            household="小明（留守儿童，2号楼）",
            started_on=dt.date(2026, 3, 2),
        )
    services.pairing_end(pairing=pairing, by=cast.secretary, ended_on=dt.date(2026, 3, 9))
    assert Pairing.objects.get().status == PairingStatus.ENDED
    with pytest.raises(Conflict):
        services.pairing_end(pairing=pairing, by=cast.secretary)


def test_pairings_stay_inside_the_community(cast, registered):
    home = ProgrammeFactory(community=cast.beijie)
    with pytest.raises(DomainError) as exc:
        services.pairing_create(
            programme=home,
            person=cast.foreign_person,
            by=cast.staff,
            household="某户",
            building=cast.cc1,
            started_on=dt.date(2026, 3, 1),
        )
    assert set(exc.value.fields) == {"person", "building"}
    with pytest.raises(PermissionDenied):
        services.pairing_create(
            programme=home,
            person=cast.member_person,
            by=cast.member,
            household="某户",
            started_on=dt.date(2026, 3, 1),
        )


def test_donated_goods_are_registered_and_handed_out_without_going_below_zero(cast, supermarket):
    good = services.good_receive(
        programme=supermarket,
        by=cast.staff,
        name="儿童冬衣",
        category=GoodCategory.CLOTHES,
        quantity=3,
        donor="李阿姨",
        received_on=dt.date(2026, 3, 1),
    )
    services.good_hand_out(good=good, by=cast.staff, recipient_name="困难户王某", quantity=2)
    good.refresh_from_db()
    assert good.quantity_left == 1
    with pytest.raises(Conflict) as exc:
        services.good_hand_out(good=good, by=cast.staff, recipient_name="张某", quantity=2)
    assert exc.value.code == "out_of_stock" and "仅剩 1 件" in exc.value.message
    assert GoodHandout.objects.count() == 1
    handout = GoodHandout.objects.get()
    assert (handout.recipient_name, handout.quantity, handout.handed_out_on) == (
        "困难户王某",
        2,
        dt.date(2026, 3, 10),
    )


def test_only_the_love_supermarket_keeps_an_inventory_and_a_skills_directory(cast, registered):
    station = ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.EMPTY_NEST)
    with pytest.raises(DomainError):
        services.good_receive(
            programme=station,
            by=cast.staff,
            name="大米",
            category=GoodCategory.FOOD,
            quantity=1,
            received_on=dt.date(2026, 3, 1),
        )
    with pytest.raises(DomainError):
        services.skill_list(programme=station, person=cast.member_person, by=cast.member, skill="维修电器")
    assert not DonatedGood.objects.exists() and not SkillListing.objects.exists()


def test_a_member_lists_a_skill_residents_can_call_on(cast, registered, supermarket):
    cast.member_person.mobile = "13912345678"
    cast.member_person.save()
    listing = services.skill_list(
        programme=supermarket,
        person=cast.member_person,
        by=cast.member,
        skill="维修电器",
        availability="周末",
    )
    assert listing.contact_phone == "13912345678"
    with pytest.raises(Conflict):
        services.skill_list(
            programme=supermarket, person=cast.member_person, by=cast.member, skill="维修电器"
        )
    services.skill_withdraw(listing=listing, by=cast.member)
    services.skill_list(programme=supermarket, person=cast.member_person, by=cast.member, skill="维修电器")
    other = registered_member(cast.beijie)
    with pytest.raises(PermissionDenied):
        services.skill_list(programme=supermarket, person=other, by=cast.member, skill="医疗救助")
    services.skill_list(
        programme=supermarket, person=other, by=cast.staff, skill="医疗救助", contact_phone="0391-1"
    )


def test_handouts_are_for_the_office_only(cast, supermarket):
    good = GoodFactory(programme=supermarket)
    services.good_hand_out(good=good, by=cast.staff, recipient_name="王某", quantity=1)
    assert GoodHandout.objects.visible_to(cast.secretary).count() == 1
    for who in ("town", "member", "officer", "other_secretary"):
        assert not GoodHandout.objects.visible_to(getattr(cast, who)).exists()


def test_the_goods_and_skills_are_visible_across_the_community_but_not_outside(cast, supermarket):
    GoodFactory(programme=supermarket)
    for who in ("secretary", "town", "member", "officer", "deputy"):
        assert DonatedGood.objects.visible_to(getattr(cast, who)).count() == 1, who
    for who in ("liaison", "other_secretary", "other_town", "outsider"):
        assert not DonatedGood.objects.visible_to(getattr(cast, who)).exists(), who


def test_a_recipient_from_the_roster_must_live_here(cast, supermarket):
    good = GoodFactory(programme=supermarket)
    with pytest.raises(DomainError):
        services.good_hand_out(
            good=good, by=cast.staff, recipient_name="", recipient=cast.foreign_person, quantity=1
        )
    resident = f.PersonFactory(community=cast.beijie, name="赵大爷")
    handout = services.good_hand_out(
        good=good, by=cast.staff, recipient_name="", recipient=resident, quantity=1
    )
    assert handout.recipient_name == "赵大爷"
