"""党员责任区: buildings plus the members responsible for them."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.validators import PAST_DATES

from .. import services
from ..models import Building, Community, Person, ResponsibilityZone, ZoneAssignment, ZoneSource
from ._common import OfficeCreates


class ZoneAssignmentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = ZoneAssignment
        fields = ["person", "person_name", "source", "letter_signed_on", "assigned_at"]


class ZoneSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(Community)
    buildings = ScopedPrimaryKeyRelatedField(Building, many=True)
    assignments = ZoneAssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = ResponsibilityZone
        fields = ["id", "community", "name", "buildings", "assignments"]


class ZoneAssignSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(Person)
    source = serializers.ChoiceField(choices=ZoneSource.choices, default=ZoneSource.ASSIGNED)
    letter_signed_on = serializers.DateField(required=False, allow_null=True, validators=[PAST_DATES])


class ZoneViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """党员责任区: buildings plus the members responsible for them (with the letter's signing date)."""

    queryset = ResponsibilityZone.objects.all()
    serializer_class = ZoneSerializer
    permission_classes = [OfficeCreates]
    filterset_fields = ["community"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["community_id", "name", "pk"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def optimise(self, qs):
        return qs.prefetch_related(
            "buildings", Prefetch("assignments", queryset=ZoneAssignment.objects.select_related("person"))
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.zone_save(
            community=data["community"], by=self.request.user, name=data["name"], buildings=data["buildings"]
        )

    def perform_update(self, serializer):
        zone = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.zone_save(
            zone=zone,
            community=zone.community,
            by=self.request.user,
            name=data.get("name", zone.name),
            buildings=data.get("buildings", list(zone.buildings.all())),
        )

    @extend_schema(request=ZoneAssignSerializer, responses={201: ZoneSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        zone = self.get_object()
        payload = ZoneAssignSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        services.zone_assign(zone=zone, by=request.user, **payload.validated_data)
        return Response(
            ZoneSerializer(self.get_queryset().get(pk=zone.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ZoneAssignSerializer, responses={200: ZoneSerializer})
    @action(detail=True, methods=["post"])
    def unassign(self, request, pk=None):
        zone = self.get_object()
        payload = ZoneAssignSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        services.zone_unassign(zone=zone, person=payload.validated_data["person"], by=request.user)
        return Response(
            ZoneSerializer(self.get_queryset().get(pk=zone.pk), context={"request": request}).data
        )
