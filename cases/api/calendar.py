"""The town-editable working-day table (节假日/调休). Moving to `members` (issue 14): kept apart so it goes
whole, with its `workday-overrides` route in `cases/api_urls.py`."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import workdays
from core.models import WorkdayOverride
from core.validators import BUSINESS_DATES
from members.models import Community, Town
from members.roles import scope_for

from .. import services


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

    def get_queryset(self):
        scope = scope_for(self.request.user)
        towns = set(scope.town_ids) | set(
            Community.objects.filter(pk__in=scope.community_ids).values_list("town_id", flat=True)
        )
        qs = WorkdayOverride.objects.all()
        if not scope.is_superuser:
            qs = qs.filter(town__isnull=True) | qs.filter(town_id__in=towns)
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
