"""志愿服务记录 (hours): the records, a member's self-report, the organiser's or office's approval,
rejection and evaluation, and the office's cancellation of false hours (注销)."""

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.validators import PAST_DATES
from members.models import Person

from .. import services
from ..models import (
    UNVERIFIED_SOURCES,
    Evaluation,
    ServiceItem,
    ServiceRecord,
)
from ._common import (
    YEAR_MAX,
    YEAR_MIN,
    ReasonSerializer,
    _own_person,
    _record,
)


class RecordSerializer(serializers.ModelSerializer):
    item_title = serializers.CharField(source="item.title", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    hours = serializers.FloatField(read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.display_name", read_only=True, default="")
    approved_by_name = serializers.CharField(source="approved_by.display_name", read_only=True, default="")
    unverified = serializers.BooleanField(
        source="is_unverified", read_only=True, help_text="本人申报或事后补录（需审核，单独统计）"
    )
    # "" until evaluated (declared: a read-only model field loses `allow_blank` in the schema)
    evaluation = serializers.ChoiceField(choices=Evaluation.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "item",
            "item_title",
            "person",
            "person_name",
            "started_at",
            "ended_at",
            "minutes",
            "hours",
            "content",
            "evaluation",
            "evaluation_note",
            "source",
            "status",
            "unverified",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "status_reason",
        ]
        read_only_fields = fields


class AttendanceSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(model=Person)
    started_at = serializers.DateTimeField(validators=[PAST_DATES])
    ended_at = serializers.DateTimeField(validators=[PAST_DATES])
    content = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    evaluation = serializers.ChoiceField(
        choices=Evaluation.choices, required=False, allow_blank=True, default=""
    )
    evaluation_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SelfReportSerializer(serializers.Serializer):
    item = ScopedPrimaryKeyRelatedField(model=ServiceItem)
    started_at = serializers.DateTimeField(validators=[PAST_DATES])
    ended_at = serializers.DateTimeField(validators=[PAST_DATES])
    content = serializers.CharField(max_length=300)


class EvaluationSerializer(serializers.Serializer):
    evaluation = serializers.ChoiceField(choices=Evaluation.choices)
    evaluation_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    evaluation = serializers.ChoiceField(
        choices=Evaluation.choices, required=False, allow_blank=True, default=""
    )
    evaluation_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema_field({"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX, "description": "年度"})
class YearFilter(filters.NumberFilter):
    """A whole year in the range the app knows (the same bounds as `?year=` elsewhere): anything else is a
    400, where year 0 or 10000 used to crash periods.year_bounds."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


class RecordFilter(filters.FilterSet):
    unverified = filters.BooleanFilter(method="filter_unverified", label="本人申报或事后补录")
    year = YearFilter(method="filter_year", label="年度")

    class Meta:
        model = ServiceRecord
        fields = ["item", "person", "status", "source", "unverified", "year"]

    def filter_unverified(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(source__in=UNVERIFIED_SOURCES)
            if value
            else queryset.exclude(source__in=UNVERIFIED_SOURCES)
        )

    def filter_year(self, queryset, name, value):
        from ..periods import year_bounds

        if value is None:
            return queryset
        start, end = year_bounds(value)
        return queryset.filter(started_at__gte=start, started_at__lt=end)


class RecordViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """志愿服务记录 (hours). POST is a member's self-report (pending). The organiser or office approves,
    rejects or evaluates; the office cancels false hours (注销)."""

    queryset = ServiceRecord.objects.all()
    serializer_class = RecordSerializer
    filterset_class = RecordFilter
    search_fields = ["person__name", "item__title"]
    ordering_fields = ["started_at", "minutes", "recorded_at"]
    ordering = ["-started_at", "-pk"]

    def optimise(self, qs):
        return qs.select_related("item", "person", "recorded_by", "approved_by")

    def _out(self, record, code=status.HTTP_200_OK):
        return Response(RecordSerializer(_record(record.pk)).data, status=code)

    @extend_schema(request=SelfReportSerializer, responses={201: RecordSerializer})
    def create(self, request):
        payload = SelfReportSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        record = services.record_self_report(
            person=_own_person(request.user), by=request.user, **payload.validated_data
        )
        return self._out(record, status.HTTP_201_CREATED)

    @extend_schema(request=ApproveSerializer, responses={200: RecordSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        record = self.get_object()
        payload = ApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._out(services.record_approve(record=record, by=request.user, **payload.validated_data))

    @extend_schema(request=ReasonSerializer, responses={200: RecordSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        record = self.get_object()
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._out(services.record_reject(record=record, by=request.user, **payload.validated_data))

    @extend_schema(request=EvaluationSerializer, responses={200: RecordSerializer})
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        record = self.get_object()
        payload = EvaluationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._out(services.record_evaluate(record=record, by=request.user, **payload.validated_data))

    @extend_schema(request=ReasonSerializer, responses={200: RecordSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        record = self.get_object()
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._out(services.record_cancel(record=record, by=request.user, **payload.validated_data))
