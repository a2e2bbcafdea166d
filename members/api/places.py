"""Places and organisations: towns (the second-factor switch), communities (the officer quota), compounds,
buildings and employers."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin

from .. import services
from ..models import Building, Community, Compound, Employer, Town
from ._common import OfficeCreates


class TownSerializer(serializers.ModelSerializer):
    class Meta:
        model = Town
        fields = ["id", "name", "code", "require_2fa_for_staff"]
        # the one field a town supervisor edits (members.services.town_set_second_factor)
        read_only_fields = ["id", "name", "code"]


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "town", "name", "code", "officer_quota", "address", "phone"]
        read_only_fields = ["id", "town", "name", "code", "address", "phone"]


class CompoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Compound
        fields = ["id", "community", "name"]


class BuildingSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(Community)
    compound = ScopedPrimaryKeyRelatedField(Compound, required=False, allow_null=True)

    class Meta:
        model = Building
        fields = ["id", "community", "compound", "name"]


class EmployerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employer
        fields = ["id", "town", "name", "party_org_name", "contact_phone"]


@extend_schema_view(
    partial_update=extend_schema(
        summary="Require a second factor of the town's office accounts",
        description=(
            "管理人员须动态口令: `require_2fa_for_staff` (the only writable field) makes the town's "
            "supervisors and the secretaries, staff and office directors of its communities verify a TOTP "
            "device after each login; their API tokens are refused meanwhile. Only a supervisor of the town "
            "(or a superuser) may change it (403 for others who see the town). The change is audited. "
            "REQUIRE_2FA_FOR_STAFF, when on, requires it platform-wide whatever this says."
        ),
    )
)
class TownViewSet(ScopedQuerysetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Towns the user can see. PATCH sets `require_2fa_for_staff` (the town supervisor's only edit)."""

    queryset = Town.objects.all()
    serializer_class = TownSerializer
    filterset_fields: list[str] = []  # a login sees its own town or two: nothing to narrow
    search_fields: list[str] = []
    ordering_fields = ["name"]
    ordering = ["name", "pk"]
    http_method_names = ["get", "patch", "head", "options"]

    def update(self, request, *args, **kwargs):
        # Asked before the payload is read: a login that may not change the town gets its 403 whatever it sent.
        services.require_town_supervisor(request.user, self.get_object().pk)
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        serializer.instance = services.town_set_second_factor(
            town=serializer.instance,
            by=self.request.user,
            required=serializer.validated_data.get(
                "require_2fa_for_staff", serializer.instance.require_2fa_for_staff
            ),
        )


class CommunityViewSet(ScopedQuerysetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Communities the user can see. PATCH sets the officer quota (the only field a community office edits)."""

    queryset = Community.objects.all()
    serializer_class = CommunitySerializer
    filterset_fields = ["town"]
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["town_id", "name", "pk"]
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        serializer.instance = services.community_set_officer_quota(
            community=serializer.instance,
            by=self.request.user,
            quota=serializer.validated_data.get("officer_quota", serializer.instance.officer_quota),
        )


class CompoundViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Compound.objects.all()
    serializer_class = CompoundSerializer
    filterset_fields = ["community"]
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["community_id", "name", "pk"]


class BuildingViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Building.objects.all()
    serializer_class = BuildingSerializer
    permission_classes = [OfficeCreates]
    filterset_fields = ["community", "compound"]
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["community_id", "name", "pk"]

    def perform_create(self, serializer):
        serializer.instance = services.building_create(by=self.request.user, **serializer.validated_data)


class EmployerViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Employer.objects.all()
    serializer_class = EmployerSerializer
    filterset_fields = ["town"]
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["name", "pk"]
