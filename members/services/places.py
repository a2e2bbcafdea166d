"""Places: the buildings of a community."""

from django.db import transaction

from core.errors import Conflict, DomainError

from ..models import Building, Community, User
from ..permissions import require_manager


@transaction.atomic
def building_create(*, community: Community, by: User, name: str, compound=None) -> Building:
    require_manager(by, community.pk)
    name = name.strip()
    if compound is not None and compound.community_id != community.pk:
        raise DomainError("楼院不属于该社区", fields={"compound": ["楼院不属于该社区"]})
    if Building.objects.filter(community=community, name=name).exists():
        raise Conflict("该楼栋已存在", fields={"name": ["该楼栋已存在"]})
    return Building.objects.create(community=community, name=name, compound=compound)
