"""责任区: the buildings a zone covers and the members who answer for it."""

import datetime as dt

from django.db import transaction

from core.errors import Conflict, DomainError, PermissionDenied

from ..models import Building, Community, Person, ResponsibilityZone, User, ZoneAssignment, ZoneSource
from ..permissions import require_manager
from ..roles import scope_for


@transaction.atomic
def zone_save(
    *,
    community: Community,
    by: User,
    name: str,
    buildings: list[Building],
    zone: ResponsibilityZone | None = None,
) -> ResponsibilityZone:
    require_manager(by, community.pk)
    foreign = [b.name for b in buildings if b.community_id != community.pk]
    if foreign:
        raise DomainError("楼栋不属于本社区", fields={"buildings": [f"不属于本社区：{'、'.join(foreign)}"]})
    clash = ResponsibilityZone.objects.filter(community=community, name=name.strip())
    if zone is not None:
        clash = clash.exclude(pk=zone.pk)
    if clash.exists():
        raise Conflict("责任区名称已存在", fields={"name": ["责任区名称已存在"]})
    if zone is None:
        zone = ResponsibilityZone.objects.create(community=community, name=name.strip())
    else:
        zone.name = name.strip()
        zone.save(update_fields=["name"])
    zone.buildings.set(buildings)
    return zone


@transaction.atomic
def zone_assign(
    *,
    zone: ResponsibilityZone,
    person: Person,
    by: User,
    source: str = ZoneSource.ASSIGNED,
    letter_signed_on: dt.date | None = None,
) -> ZoneAssignment:
    """A member takes responsibility for a zone: self-reported by the member or assigned by the branch."""
    scope = scope_for(by)
    if scope.person_id == person.pk and source == ZoneSource.SELF_REPORTED:
        if person.community_id != zone.community_id:
            raise PermissionDenied("只能自报本社区的责任区")
    else:
        require_manager(by, zone.community_id)
    if getattr(person, "membership", None) is None:
        raise DomainError("责任区须由党员负责", fields={"person": ["不是党员"]})
    if person.community_id != zone.community_id:
        raise DomainError("该党员不住在本社区", fields={"person": ["不住在本社区"]})
    assignment, created = ZoneAssignment.objects.get_or_create(
        zone=zone, person=person, defaults={"source": source, "letter_signed_on": letter_signed_on}
    )
    if not created and letter_signed_on and assignment.letter_signed_on != letter_signed_on:
        assignment.letter_signed_on = letter_signed_on
        assignment.save(update_fields=["letter_signed_on"])
    return assignment


@transaction.atomic
def zone_unassign(*, zone: ResponsibilityZone, person: Person, by: User) -> None:
    require_manager(by, zone.community_id)
    ZoneAssignment.objects.filter(zone=zone, person=person).delete()
