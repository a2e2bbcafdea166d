"""REST API of 干部作风投诉: the town's supervision office lists, receives and concludes; a community office
may register one (it goes to the town and is no longer the community's to see)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.models import Case, Channel
from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from members.models import Community, User

from .. import services
from ..models import ComplaintState, Finding, Measure, StaffComplaint, StaffSanction


class SanctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffSanction
        fields = ["id", "complaint", "measure", "reason", "at"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    staff_name = serializers.SerializerMethodField()
    community_name = serializers.CharField(source="community.name", read_only=True)
    # blank until the complaint is concluded: plain strings, so the schema's enums do not refuse ""
    finding = serializers.CharField(read_only=True, help_text="调查结论：unfounded / founded；未办结时为空")
    measure = serializers.CharField(
        read_only=True, help_text="处理：admonition / efficiency_warning / discipline；未处理时为空"
    )

    class Meta:
        model = StaffComplaint
        fields = [
            "id",
            "community",
            "community_name",
            "staff",
            "staff_name",
            "channel",
            "case",
            "content",
            "complainant",
            "state",
            "received_at",
            "finding",
            "findings",
            "measure",
            "concluded_at",
        ]
        read_only_fields = fields

    def get_staff_name(self, obj) -> str:
        return obj.staff.get_full_name() or obj.staff.get_username()


class ComplaintReceiveSerializer(serializers.Serializer):
    community = ScopedPrimaryKeyRelatedField(model=Community)
    staff = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), help_text="a secretary, staff member or office director of the community"
    )
    content = serializers.CharField(max_length=4000)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    complainant = serializers.CharField(max_length=50, required=False, allow_blank=True)
    case = ScopedPrimaryKeyRelatedField(model=Case, required=False, allow_null=True)
    route_to = serializers.ChoiceField(
        choices=list(services.ROUTES.items()),
        required=False,
        default=services.TOWN_OFFICE,
        help_text="only town_office is accepted: a complaint never goes to the staff member's own office",
    )


class ComplaintConcludeSerializer(serializers.Serializer):
    finding = serializers.ChoiceField(choices=Finding.choices)
    findings = serializers.CharField(max_length=4000)
    measure = serializers.ChoiceField(choices=Measure.choices, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ComplaintFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ComplaintState.choices)

    class Meta:
        model = StaffComplaint
        fields = ["state", "community", "staff", "finding", "measure"]


class ComplaintViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = StaffComplaint.objects.all()
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    search_fields = ["content", "staff__display_name"]
    ordering_fields = ["received_at", "id"]
    ordering = ["-received_at", "-id"]

    def optimise(self, qs):
        return qs.select_related("staff", "community")

    @extend_schema(request=ComplaintReceiveSerializer, responses={201: ComplaintSerializer})
    def create(self, request):
        payload = ComplaintReceiveSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        complaint = services.complaint_receive(
            community=data["community"],
            staff=data["staff"],
            content=data["content"],
            channel=data.get("channel") or Channel.COMPLAINT_ROOM,
            complainant=data.get("complainant", ""),
            case=data.get("case"),
            route_to=data.get("route_to") or services.TOWN_OFFICE,
            by=request.user,
        )
        return Response(ComplaintSerializer(complaint).data, status=201)

    @extend_schema(request=ComplaintConcludeSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """调查办结: findings, and for a founded complaint a measure of the ladder."""
        complaint = self.get_object()
        payload = ComplaintConcludeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.complaint_conclude(
            complaint=complaint,
            finding=data["finding"],
            findings=data["findings"],
            measure=data.get("measure", ""),
            reason=data.get("reason", ""),
            by=request.user,
        )
        return Response(ComplaintSerializer(self.get_queryset().get(pk=complaint.pk)).data)

    @extend_schema(responses={200: SanctionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole ladder, not a page
    def history(self, request, pk=None):
        """The staff member's measures so far (newest first)."""
        complaint = self.get_object()
        rows = (
            StaffSanction.objects.visible_to(request.user)
            .filter(staff_id=complaint.staff_id)
            .order_by("-at", "-pk")
        )
        return Response(SanctionSerializer(rows, many=True).data)
