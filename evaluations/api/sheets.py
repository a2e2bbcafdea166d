"""REST API of the feedback sheets (反馈单) and their generation batches.

An employer liaison reads a sheet through SheetForEmployerSerializer only (members.privacy
EMPLOYER_FEEDBACK_FIELDS), chosen per row like the roster's reads (members.api.ReadsByRole); it sees sheets
once sent, of its own employer; anyone else's is a 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import audit
from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.errors import DomainError
from core.validators import PAST_DATES, YearRange
from members.api import FeedbackSheetOrderingFilter, ReadsByRole, reads_documented_by_role, shapes_by_role
from members.models import Community, Town
from members.serializers import EmployerFeedbackSerializer

from .. import services
from ..documents.sheets import sheet_pdf
from ..models import FeedbackSheet, SheetBatch, SheetEvent, SheetState
from ..selectors import sheets as selectors

YEAR_PARAM = OpenApiParameter("year", int, description="年度（默认今年）")


# The years a sheet or certificate may cover: 2000 to this year (core.validators' past dates).
SHEET_YEARS = YearRange(PAST_DATES)


class SheetForEmployerSerializer(EmployerFeedbackSerializer):
    """What the member's employer reads: the sheet as printed, no more."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True)

    class Meta:
        model = FeedbackSheet
        fields = [
            "id",
            "number",
            "year",
            "version",
            "state",
            "person",
            "person_name",
            "employer",
            "employer_name",
            "community",
            "community_name",
            "content",
            "opinion",
            "issued_on",
            "ack_due_on",
            "acknowledged_at",
        ]
        read_only_fields = fields


class SheetEventSerializer(serializers.ModelSerializer):
    from_state_display = serializers.CharField(read_only=True)
    to_state_display = serializers.CharField(read_only=True)

    class Meta:
        model = SheetEvent
        fields = ["from_state", "from_state_display", "to_state", "to_state_display", "by", "at", "note"]
        read_only_fields = fields


class SheetSerializer(serializers.ModelSerializer):
    """The office's and the town's view: the sheet, its batch, who did what."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True)

    class Meta:
        model = FeedbackSheet
        fields = [
            *SheetForEmployerSerializer.Meta.fields,
            "is_current",
            "batch",
            "generated_at",
            "generated_by",
            "issued_by",
            "acknowledged_by",
        ]
        read_only_fields = fields


class SheetFilter(filters.FilterSet):
    current = filters.BooleanFilter(field_name="is_current")

    class Meta:
        model = FeedbackSheet
        fields = ["year", "community", "employer", "state", "person", "current"]


class OpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=1000, allow_blank=True)


class AcknowledgementSerializer(serializers.Serializer):
    community_id = serializers.IntegerField()
    community_name = serializers.CharField()
    employer_id = serializers.IntegerField()
    employer_name = serializers.CharField()
    year = serializers.IntegerField()
    issued = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    waiting = serializers.IntegerField()
    first_issued_on = serializers.DateField(allow_null=True)


def _year(request) -> int:
    from ..views.sheets import default_year

    raw = request.query_params.get("year")
    if raw in (None, ""):
        return default_year()
    if not str(raw).isdigit() or not 2000 <= int(raw) <= 2100:
        raise DomainError("年度格式有误", fields={"year": ["应为 2000–2100 的四位年份"]})
    return int(raw)


# The office and the town get SheetSerializer; an employer liaison gets SheetForEmployerSerializer (members.api.ReadsByRole).
SHEETBYROLE = shapes_by_role("SheetByRole", SheetSerializer, SheetForEmployerSerializer)


@reads_documented_by_role(SHEETBYROLE)
class SheetViewSet(
    ReadsByRole,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """在职党员小区活动情况反馈单. The office generates (batches), writes the opinion and issues; the employer's
    liaison reads its members' sent sheets and acknowledges them."""

    queryset = FeedbackSheet.objects.all()
    serializer_class = SheetSerializer
    employer_serializer_class = SheetForEmployerSerializer
    filter_backends = [filters.DjangoFilterBackend, FeedbackSheetOrderingFilter]
    filterset_class = SheetFilter
    ordering_fields = ["year", "issued_on", "acknowledged_at", "id"]
    ordering = ["-year", "employer_id", "person_id", "-version", "-pk"]
    search_fields: list[str] = []

    def optimise(self, qs):
        return qs.select_related("community", "person", "employer")

    def row_owner(self, sheet) -> dict:
        return {"person_id": sheet.person_id, "community_id": sheet.community_id}

    @extend_schema(responses={200: SHEETBYROLE})
    def retrieve(self, request, *args, **kwargs):
        return Response(self.read_data(self.get_object(), many=False))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        sheet = self.get_object()
        audit.record_access(what="print", obj=sheet, description=f"反馈单 {sheet.number}")
        response = HttpResponse(sheet_pdf(sheet), content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename=sheet-{sheet.year}-{sheet.pk}.pdf"
        return response

    def _answer(self, sheet):
        sheet = self.get_queryset().get(pk=sheet.pk)
        return Response(self.read_data(sheet, many=False))

    @extend_schema(request=None, responses={200: SheetForEmployerSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """签收 (the employer's liaison)."""
        return self._answer(services.sheet_acknowledge(sheet=self.get_object(), by=request.user))

    @extend_schema(request=None, responses={200: SheetSerializer})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._answer(services.sheet_issue(sheet=self.get_object(), by=request.user))

    @extend_schema(request=OpinionSerializer, responses={200: SheetSerializer})
    @action(detail=True, methods=["post"])
    def opinion(self, request, pk=None):
        """社区党组织意见 (before issue only)."""
        payload = OpinionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        sheet = self.get_object()
        services.sheet_set_opinion(sheet=sheet, opinion=payload.validated_data["opinion"], by=request.user)
        return self._answer(sheet)

    @extend_schema(request=None, responses={201: SheetSerializer})
    @action(detail=True, methods=["post"])
    def regenerate(self, request, pk=None):
        new = services.sheet_regenerate(sheet=self.get_object(), by=request.user)
        response = self._answer(new)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(parameters=[YEAR_PARAM], responses={200: AcknowledgementSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def acknowledgements(self, request):
        """Per community and employer: sheets sent and acknowledged (the office's and the town's overview;
        employers still waiting first)."""
        scope_sheets = FeedbackSheet.objects.visible_to(request.user)
        from members.roles import scope_for

        scope = scope_for(request.user)
        if not scope.is_superuser:
            scope_sheets = scope_sheets.filter(community_id__in=scope.managed_community_ids)
        rows = selectors.acknowledgement_by_employer(scope_sheets, year=_year(request))
        return Response(
            AcknowledgementSerializer([{**r.__dict__, "waiting": r.waiting} for r in rows], many=True).data
        )


class SheetBatchSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(model=Community)
    year = serializers.IntegerField(validators=[SHEET_YEARS])
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = SheetBatch
        fields = [
            "id",
            "community",
            "year",
            "state",
            "total",
            "done",
            "percent",
            "started_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = ["state", "total", "done", "percent", "started_by", "created_at", "finished_at"]


class TownBatchSerializer(serializers.Serializer):
    town = ScopedPrimaryKeyRelatedField(model=Town)
    year = serializers.IntegerField(validators=[SHEET_YEARS])


class SheetBatchViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Generation runs: start one for a community and year (or the whole town), poll its progress."""

    queryset = SheetBatch.objects.all()
    serializer_class = SheetBatchSerializer
    filterset_fields = ["community", "year", "state"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-pk"]
    search_fields: list[str] = []

    def optimise(self, qs):
        return qs.select_related("community")

    @extend_schema(request=SheetBatchSerializer, responses={201: SheetBatchSerializer})
    def create(self, request):
        payload = SheetBatchSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        batch = services.sheet_batch_start(
            community=payload.validated_data["community"],
            year=payload.validated_data["year"],
            by=request.user,
        )
        return Response(SheetBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TownBatchSerializer, responses={201: SheetBatchSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def town(self, request):
        """The town supervisor: one batch per community of the town."""
        payload = TownBatchSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        batches = services.sheet_batch_start_town(by=request.user, **payload.validated_data)
        return Response(SheetBatchSerializer(batches, many=True).data, status=status.HTTP_201_CREATED)


__all__ = ["SheetBatchViewSet", "SheetViewSet", "SheetState"]
