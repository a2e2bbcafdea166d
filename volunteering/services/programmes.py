"""Featured programmes (特色载体): pairings (结对), the love supermarket's goods and skills directory."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from core import audit
from core.errors import Conflict, DomainError
from members.models import Building, Community, Person, User
from members.permissions import require_office

from ..access import (
    require_acting_for,
)
from ..models import (
    DonatedGood,
    GoodCategory,
    GoodHandout,
    Pairing,
    PairingStatus,
    Programme,
    ProgrammeKind,
    SkillListing,
)
from ._common import (
    _belongs_to,
    _require_text,
)

# ------------------------------------------------------------------------------------------ programmes


@transaction.atomic
def programme_create(
    *, community: Community, by: User, name: str, kind: str, description: str = "", is_active: bool = True
) -> Programme:
    require_office(by, community.pk)
    name = _require_text(name, "name", "请填写名称")
    if kind not in ProgrammeKind.values:
        raise DomainError("未知的载体类型", fields={"kind": ["未知的载体类型"]})
    if Programme.objects.filter(community=community, name=name).exists():
        raise Conflict("载体名称已存在", fields={"name": ["载体名称已存在"]})
    return Programme.objects.create(
        community=community,
        name=name,
        kind=kind,
        description=(description or "").strip(),
        is_active=is_active,
    )


@transaction.atomic
def programme_update(*, programme: Programme, by: User, **changes) -> Programme:
    require_office(by, programme.community_id)
    allowed = {"name", "description", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError("不能修改这些字段", fields={k: ["不可修改"] for k in unknown})
    if "name" in changes:
        changes["name"] = _require_text(changes["name"], "name", "请填写名称")
        if (
            Programme.objects.filter(community_id=programme.community_id, name=changes["name"])
            .exclude(pk=programme.pk)
            .exists()
        ):
            raise Conflict("载体名称已存在", fields={"name": ["载体名称已存在"]})
    for key, value in changes.items():
        setattr(programme, key, value)
    if changes:
        programme.save(update_fields=list(changes))
    return programme


@transaction.atomic
def pairing_create(
    *,
    programme: Programme,
    person: Person,
    by: User,
    household: str,
    started_on: dt.date,
    recipient: Person | None = None,
    building: Building | None = None,
    address: str = "",
    note: str = "",
) -> Pairing:
    """结对: the branch pairs a member with a household the programme serves."""
    require_office(by, programme.community_id)
    household = _require_text(household, "household", "请填写结对对象")
    errors = {}
    if not programme.is_active:
        errors["programme"] = ["该载体已停止运行"]
    if not _belongs_to(person, programme.community_id):
        errors["person"] = ["结对党员须在本社区居住或报到"]
    if recipient is not None and recipient.community_id != programme.community_id:
        errors["recipient"] = ["结对居民不属于本社区"]
    if building is not None and building.community_id != programme.community_id:
        errors["building"] = ["楼栋不属于本社区"]
    if errors:
        raise DomainError("无法结对", fields=errors)
    try:
        with transaction.atomic():
            return Pairing.objects.create(
                programme=programme,
                person=person,
                household=household[:100],
                recipient=recipient,
                building=building,
                address=(address or "").strip()[:50],
                started_on=started_on,
                note=(note or "").strip()[:200],
                created_by=by,
            )
    except IntegrityError:
        raise Conflict("该党员已与该对象结对", code="already_paired")


@transaction.atomic
def pairing_end(*, pairing: Pairing, by: User, ended_on: dt.date | None = None) -> Pairing:
    require_office(by, pairing.programme.community_id)
    ended_on = ended_on or timezone.localdate()
    if ended_on < pairing.started_on:
        raise DomainError("结束日期不能早于结对日期", fields={"ended_on": ["早于结对日期"]})
    # Compare-and-set (only one of two concurrent endings wins); update() bypasses the audit receivers.
    before = {"status": PairingStatus.ACTIVE, "ended_on": pairing.ended_on}
    updated = Pairing.objects.filter(pk=pairing.pk, status=PairingStatus.ACTIVE).update(
        status=PairingStatus.ENDED, ended_on=ended_on
    )
    if not updated:
        raise Conflict("该结对已结束", code="illegal_transition", allowed=[])
    pairing.refresh_from_db()
    audit.record_update(pairing, before=before, actor=by)
    return pairing


def _require_supermarket(programme: Programme, what: str) -> None:
    if not programme.has_inventory:
        raise DomainError(f"只有爱心超市可以{what}", fields={"programme": ["不是爱心超市"]})


@transaction.atomic
def good_receive(
    *,
    programme: Programme,
    by: User,
    name: str,
    category: str,
    quantity: int,
    received_on: dt.date,
    donor: str = "",
    condition: str = "",
) -> DonatedGood:
    """爱心超市: register donated goods into the inventory."""
    require_office(by, programme.community_id)
    _require_supermarket(programme, "登记捐赠物品")
    name = _require_text(name, "name", "请填写物品名称")
    if category not in GoodCategory.values:
        raise DomainError("未知的类别", fields={"category": ["未知的类别"]})
    if not quantity or quantity < 1:
        raise DomainError("数量至少为 1", fields={"quantity": ["数量至少为 1"]})
    return DonatedGood.objects.create(
        programme=programme,
        name=name,
        category=category,
        quantity_received=quantity,
        quantity_left=quantity,
        donor=(donor or "").strip(),
        received_on=received_on,
        condition=(condition or "").strip(),
        received_by=by,
    )


@transaction.atomic
def good_hand_out(
    *,
    good: DonatedGood,
    by: User,
    recipient_name: str,
    quantity: int,
    handed_out_on: dt.date | None = None,
    recipient: Person | None = None,
    note: str = "",
) -> GoodHandout:
    """A resident in need takes goods: registered (登记后即可拿去使用), the stock goes down under a lock."""
    require_office(by, good.programme.community_id)
    recipient_name = _require_text(
        recipient_name or (recipient.name if recipient else ""), "recipient_name", "请填写领取人"
    )
    if recipient is not None and recipient.community_id != good.programme.community_id:
        raise DomainError("领取人不属于本社区", fields={"recipient": ["不属于本社区"]})
    if not quantity or quantity < 1:
        raise DomainError("数量至少为 1", fields={"quantity": ["数量至少为 1"]})
    locked = DonatedGood.objects.select_for_update().get(pk=good.pk)
    if locked.quantity_left < quantity:
        raise Conflict(
            f"库存不足：「{locked.name}」仅剩 {locked.quantity_left} 件",
            code="out_of_stock",
            fields={"quantity": [f"仅剩 {locked.quantity_left} 件"]},
        )
    # An F() decrement under the row lock (SQLite has no row locks: the expression keeps the count right).
    # update() bypasses the audit receivers: read the stock back and record the decrement explicitly.
    DonatedGood.objects.filter(pk=locked.pk).update(quantity_left=F("quantity_left") - quantity)
    locked.quantity_left = DonatedGood.objects.values_list("quantity_left", flat=True).get(pk=locked.pk)
    audit.record_update(locked, before={"quantity_left": locked.quantity_left + quantity}, actor=by)
    handout = GoodHandout.objects.create(
        good=locked,
        recipient_name=recipient_name[:50],
        recipient=recipient,
        quantity=quantity,
        handed_out_on=handed_out_on or timezone.localdate(),
        note=(note or "").strip()[:200],
        registered_by=by,
    )
    good.quantity_left = locked.quantity_left
    return handout


@transaction.atomic
def skill_list(
    *,
    programme: Programme,
    person: Person,
    by: User,
    skill: str,
    contact_phone: str = "",
    availability: str = "",
) -> SkillListing:
    """技能名录: a member offers a skill residents can call on (by themself: their consent to be listed;
    or the office with the member's consent)."""
    require_acting_for(by, person, programme.community_id)
    _require_supermarket(programme, "登记党员技能")
    if not _belongs_to(person, programme.community_id):
        raise DomainError("须为本社区居住或报到的党员", fields={"person": ["不属于本社区"]})
    skill = _require_text(skill, "skill", "请填写专长")
    phone = (contact_phone or person.mobile or "").strip()
    if not phone:
        raise DomainError("请填写联系电话", fields={"contact_phone": ["请填写联系电话"]})
    try:
        with transaction.atomic():
            return SkillListing.objects.create(
                programme=programme,
                person=person,
                skill=skill[:50],
                contact_phone=phone[:30],
                availability=(availability or "").strip()[:100],
            )
    except IntegrityError:
        raise Conflict("该专长已登记", code="already_listed")


@transaction.atomic
def skill_withdraw(*, listing: SkillListing, by: User) -> SkillListing:
    require_acting_for(by, listing.person, listing.programme.community_id)
    # Compare-and-set; update() bypasses the audit receivers, so the withdrawal is recorded explicitly.
    before = {"is_active": True, "withdrawn_at": listing.withdrawn_at}
    withdrawn_at = timezone.now()  # its contact phone is blanked some days later (volunteering.retention)
    updated = SkillListing.objects.filter(pk=listing.pk, is_active=True).update(
        is_active=False, withdrawn_at=withdrawn_at
    )
    if not updated:
        raise Conflict("该专长已撤下", code="illegal_transition", allowed=[])
    listing.is_active, listing.withdrawn_at = False, withdrawn_at
    audit.record_update(listing, before=before, actor=by)
    return listing
