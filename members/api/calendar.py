"""/api/v1/workday-overrides/: the town-editable calendar table (节假日/调休) that overrides the library."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import workdays
from core.validators import BUSINESS_DATES

from .. import services
from ..models import Town, WorkdayOverride


class WorkdayOverrideSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkdayOverride
        fields = ["id", "date", "is_working_day", "name", "town"]
        validators = []
        extra_kwargs = {"date": {"validators": [BUSINESS_DATES]}, "town": {"queryset": Town.objects.all()}}


class WorkdayOverrideViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The town-editable calendar table (节假日/调休) that overrides the library; any login may read it,
    a town supervisor edits their town's rows. `?year=2027` also returns the calendar warning."""

    serializer_class = WorkdayOverrideSerializer
    pagination_class = None
    # no ordering, filtering or search by the client: `?year=` only (read by get_queryset)
    ordering_fields: list[str] = []
    ordering = ["date", "pk"]
    filterset_fields: list[str] = []
    search_fields: list[str] = []

    def get_queryset(self):
        qs = WorkdayOverride.objects.visible_to(self.request.user)
        year = self.request.query_params.get("year")
        if year and year.isdigit():
            qs = qs.filter(date__year=int(year))
        return qs.order_by("date", "pk")

    def perform_create(self, serializer):
        serializer.instance = services.workday_override_save(
            by=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.workday_override_delete(by=self.request.user, override=instance)

    @extend_schema(
        responses=inline_serializer(
            "CalendarYear",
            {"year": serializers.IntegerField(), "warning": serializers.CharField(allow_null=True)},
        ),
        summary="某年的日历是否可靠",
    )
    @action(detail=False, methods=["get"])
    def warning(self, request):
        year = request.query_params.get("year", "")
        year = int(year) if year.isdigit() else timezone.localdate().year
        return Response({"year": year, "warning": workdays.calendar_warning(year)})
