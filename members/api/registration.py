"""报到登记: submit, confirm, return, withdraw, transfer."""

from django.db.models import Prefetch
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from core import audit
from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.errors import PermissionDenied

from .. import privacy, services
from ..models import Building, Community, Person, Registration, RegistrationChannel, RegistrationEvent
from ..permissions import is_office_anywhere
from ..roles import scope_for
from ._common import (
    EmployerFeedbackSerializer,
    FeedbackSheetOrderingFilter,
    OfficeOrSelfCreates,
    ReadsByRole,
    reads_documented_by_role,
    shapes_by_role,
)


class RegistrationEventSerializer(serializers.ModelSerializer):
    # null for an event without an acting user (a system change)
    by = serializers.CharField(source="by.display_name", read_only=True, default=None, allow_null=True)

    action_display = serializers.CharField(read_only=True)
    from_status_display = serializers.CharField(read_only=True)
    to_status_display = serializers.CharField(read_only=True)

    class Meta:
        model = RegistrationEvent
        fields = [
            "action_display",
            "from_status",
            "from_status_display",
            "to_status",
            "to_status_display",
            "by",
            "at",
            "note",
        ]


class RegistrationSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    events = RegistrationEventSerializer(many=True, read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "person",
            "person_name",
            "community",
            "community_name",
            "status",
            "channel",
            "specialties",
            "interests",
            "desired_posts",
            "submitted_at",
            "decided_at",
            "return_reason",
            "transferred_from",
            "events",
        ]
        read_only_fields = fields


class RegistrationForEmployerSerializer(EmployerFeedbackSerializer):
    """An employer liaison's view of a registration (报到情况 on the feedback sheet): where and when, and its
    state; not the channel, the history, a return reason or the member's wishes."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "person",
            "person_name",
            "community",
            "community_name",
            "status",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields


class RegistrationSubmitSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(Person)
    community = ScopedPrimaryKeyRelatedField(Community)
    specialties = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )
    interests = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )
    desired_posts = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RegistrationReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class RegistrationTransferSerializer(serializers.Serializer):
    # Any community of the town may be the destination, so this is not limited to what the user sees.
    to_community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all())
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True
    )
    unit_room = serializers.CharField(required=False, allow_blank=True, max_length=50)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class RegistrationFilter(filters.FilterSet):
    channel = filters.ChoiceFilter(choices=RegistrationChannel.choices, method="filter_channel")

    class Meta:
        model = Registration
        fields = ["community", "status", "person", "channel"]

    def filter_channel(self, queryset, name, value):
        # not on the feedback sheet: matches no row seen only as the member's employer
        return privacy.beyond_employer_view(
            self.request.user, queryset.filter(channel=value), person="person_id"
        )


REGISTRATION_BY_ROLE = shapes_by_role(
    "RegistrationByRole", RegistrationSerializer, RegistrationForEmployerSerializer
)


@reads_documented_by_role(REGISTRATION_BY_ROLE)
class RegistrationViewSet(
    ReadsByRole, ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """报到登记. POST submits (a member for themself, or the office at the window); actions move the state."""

    queryset = Registration.objects.all()
    serializer_class = RegistrationSerializer
    employer_serializer_class = RegistrationForEmployerSerializer
    permission_classes = [OfficeOrSelfCreates]
    filter_backends = [filters.DjangoFilterBackend, SearchFilter, FeedbackSheetOrderingFilter]
    filterset_class = RegistrationFilter
    search_fields = ["person__name"]
    # an employer liaison sorts by the feedback sheet's fields only (FeedbackSheetOrderingFilter)
    ordering_fields = ["submitted_at", "decided_at", "status", "channel"]
    ordering = ["-submitted_at", "-pk"]

    def row_owner(self, registration) -> dict:
        return {"person_id": registration.person_id, "community_id": registration.community_id}

    @extend_schema(
        summary="导出报到登记（Excel）",
        description="The filtered list (same filters as the list) as the office files it: .xlsx, streamed, "
        "Chinese headers, ISO dates, phone and ID numbers masked. Community and town offices only.",
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="not a community or town office"),
        },
    )
    @action(detail=False, methods=["get"], url_path="export-xlsx")
    def export_xlsx(self, request):
        from core.xlsx import xlsx_response

        from ..exports import registration_workbook

        if not is_office_anywhere(scope_for(request.user)):
            raise PermissionDenied("只有社区或镇的管理人员可以导出报到登记")
        workbook = registration_workbook(self.filter_queryset(self.get_queryset()))
        audit.record_access(what="export", description="报到登记导出", extra=request.query_params.dict())
        return xlsx_response(workbook, filename=f"报到登记-{timezone.localdate():%Y%m%d}.xlsx")

    def retrieve(self, request, *args, **kwargs):
        return Response(self.read_data(self.get_object(), many=False))

    def optimise(self, qs):
        return qs.select_related("person", "community").prefetch_related(
            Prefetch("events", queryset=RegistrationEvent.objects.select_related("by"))
        )

    @extend_schema(request=RegistrationSubmitSerializer, responses={201: RegistrationSerializer})
    def create(self, request, *args, **kwargs):
        payload = RegistrationSubmitSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        registration = services.registration_submit(by=request.user, **payload.validated_data)
        return Response(self._out(registration), status=status.HTTP_201_CREATED)

    def _out(self, registration):
        # Not through get_queryset(): after a transfer by the old community's office the new registration
        # belongs to a community that office cannot see, yet it is the answer to the request it just made.
        fresh = self.optimise(Registration.objects.filter(pk=registration.pk)).get()
        return self.read_data(fresh, many=False)

    @extend_schema(request=None, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        registration = services.registration_confirm(registration=self.get_object(), by=request.user)
        return Response(self._out(registration))

    @extend_schema(request=RegistrationReturnSerializer, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        registration = self.get_object()  # 404 before the payload is looked at
        payload = RegistrationReturnSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        registration = services.registration_return(
            registration=registration, by=request.user, reason=payload.validated_data["reason"]
        )
        return Response(self._out(registration))

    @extend_schema(request=None, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        registration = services.registration_withdraw(registration=self.get_object(), by=request.user)
        return Response(self._out(registration))

    @extend_schema(request=RegistrationTransferSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        registration = self.get_object()
        payload = RegistrationTransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.registration_transfer(
            registration=registration, by=request.user, **payload.validated_data
        )
        return Response(self._out(new), status=status.HTTP_201_CREATED)
