"""Shared pieces of the volunteering API: permissions, the community and year parameters, the fields and
bodies several areas use."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions, serializers

from core.api import ScopedPrimaryKeyRelatedField
from core.errors import DomainError, PermissionDenied
from members.models import Community, Person
from members.permissions import is_office_anywhere
from members.roles import scope_for

from .. import access
from ..models import (
    ServiceRecord,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CommunityField(ScopedPrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "社区；只管理一个社区时可省略")
        super().__init__(model=Community, **kwargs)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class HasOffice(permissions.BasePermission):
    """Belongs to some community's office (书记/工作人员/办公室主任). Object-level scoping stays with
    `visible_to`, so an office of another community still gets 404 on this community's rows."""

    message = "只有社区党总支（书记、工作人员、办公室主任）可以访问"

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and access.has_office(request.user))


class ReadsCommunities(permissions.BasePermission):
    """A community office or a town supervisor (they read every member's figures)."""

    message = "只有社区党总支或镇督查人员可以访问"

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return is_office_anywhere(scope_for(request.user))


def _office_on_create(view, request) -> None:
    """Creating posts, items, programmes … is office work; refuse others before validating the body."""
    if not access.has_office(request.user):
        raise PermissionDenied("只有社区党总支（书记、工作人员、办公室主任）可以执行此操作")


def default_community(user, community: Community | None, *, office: bool = True) -> Community:
    """The community named in the request, or the only one the user's office (or scope) covers."""
    if community is not None:
        return community
    ids = access.office_community_ids(user) if office else scope_for(user).managed_community_ids
    if ids is not None and len(ids) == 1:
        return Community.objects.get(pk=next(iter(ids)))
    raise DomainError("请选择社区", fields={"community": ["请选择社区"]})


YEAR_MIN, YEAR_MAX = 2000, 2100  # the years a `?year=` may name


def _year(request) -> int:
    raw = request.query_params.get("year")
    if raw in (None, ""):
        return timezone.localdate().year
    try:
        year = int(raw)
    except ValueError:
        raise DomainError("年度格式有误", fields={"year": ["应为四位年份"]})
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise DomainError("年度超出范围", fields={"year": [f"应为 {YEAR_MIN}–{YEAR_MAX}"]})
    return year


def _community_param(request, *, office: bool) -> Community:
    raw = request.query_params.get("community")
    if raw in (None, ""):
        return default_community(request.user, None, office=office)
    if not str(raw).isdigit():
        raise DomainError("社区参数有误", fields={"community": ["应为社区编号"]})
    visible = (
        Community.objects.visible_to(request.user).managed_by(request.user)
        if not office
        else Community.objects.visible_to(request.user)
    )
    return get_object_or_404(visible, pk=raw)


YEAR_PARAM = OpenApiParameter("year", int, description="年度（默认今年）")
COMMUNITY_PARAM = OpenApiParameter("community", int, description="社区（只管理一个社区时可省略）")


def _own_person(user) -> Person:
    person_id = scope_for(user).person_id
    if not person_id:
        raise PermissionDenied("该账号未关联党员信息；请由工作人员代为办理")
    return Person.objects.select_related("membership").get(pk=person_id)


def _record(pk: int) -> ServiceRecord:
    return ServiceRecord.objects.select_related("item", "person", "recorded_by", "approved_by").get(pk=pk)
