"""Service items, sign-ups, check-in/out and hours."""

from django import forms
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedQuerysetMixin
from core.errors import DomainError
from members.roles import scope_for

from .. import access, calendar, checkin, selectors, services
from ..models import (
    UNVERIFIED_SOURCES,
    ServiceItem,
    ServiceRecord,
    SignUp,
    SignUpStatus,
)
from ..serializers import (
    ApproveSerializer,
    AttendanceSerializer,
    CalendarLinkSerializer,
    CheckinCodeSerializer,
    CheckInResultSerializer,
    CheckInSerializer,
    EvaluationSerializer,
    ItemCancelSerializer,
    ItemSerializer,
    ItemUpdateSerializer,
    ItemWriteSerializer,
    ReasonSerializer,
    RecordSerializer,
    SelfReportSerializer,
    SignUpCreateSerializer,
    SignUpSerializer,
)
from ._common import (
    YEAR_MAX,
    YEAR_MIN,
    _office_on_create,
    _own_person,
    _record,
    default_community,
)

# ------------------------------------------------------------------------------------------------- items


class ItemFilter(filters.FilterSet):
    mine = filters.BooleanFilter(method="filter_mine", label="我报名的事项（含候补）")
    upcoming = filters.BooleanFilter(method="filter_upcoming", label="尚未结束的事项")
    starts_after = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = ServiceItem
        fields = [
            "community",
            "post",
            "programme",
            "status",
            "mine",
            "upcoming",
            "starts_after",
            "starts_before",
        ]

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(my_status__in=[SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED])

    def filter_upcoming(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(ends_at__gte=now) if value else queryset.filter(ends_at__lt=now)


@extend_schema_view(
    retrieve=extend_schema(responses={200: ItemSerializer}),
)
class ItemViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """志愿服务事项. Sign up (confirmed while places remain, waitlisted after), check in/out with the organiser's
    QR token or short code, record hours. The office creates, edits and cancels items."""

    queryset = ServiceItem.objects.all()
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    search_fields = ["title", "place", "description"]
    ordering_fields = ["starts_at", "created_at"]

    def optimise(self, qs):
        return selectors.items_with_counts(qs, scope_for(self.request.user).person_id)

    def _out(self, item, code=status.HTTP_200_OK):
        return Response(ItemSerializer(self.get_queryset().get(pk=item.pk)).data, status=code)

    @extend_schema(request=ItemWriteSerializer, responses={201: ItemSerializer})
    def create(self, request):
        _office_on_create(self, request)
        payload = ItemWriteSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["community"] = default_community(request.user, data.get("community"))
        item = services.item_create(by=request.user, **data)
        return self._out(item, status.HTTP_201_CREATED)

    @extend_schema(request=ItemUpdateSerializer, responses={200: ItemSerializer})
    def partial_update(self, request, pk=None):
        item = self.get_object()
        payload = ItemUpdateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        demote = changes.pop("demote_excess", False)
        services.item_update(item=item, by=request.user, demote_excess=demote, **changes)
        return self._out(item)

    @extend_schema(request=ItemCancelSerializer, responses={200: ItemSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        item = self.get_object()
        payload = ItemCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.item_cancel(item=item, by=request.user, reason=payload.validated_data["reason"])
        return self._out(item)

    @extend_schema(request=SignUpCreateSerializer, responses={201: SignUpSerializer})
    @action(detail=True, methods=["post"], url_path="sign-up")
    def sign_up(self, request, pk=None):
        item = self.get_object()
        payload = SignUpCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        person = payload.validated_data.get("person") or _own_person(request.user)
        signup = services.signup_create(item=item, person=person, by=request.user)
        signup = SignUp.objects.select_related("item", "person").get(pk=signup.pk)
        signup.waitlist_position = selectors.waitlist_position(signup)
        return Response(SignUpSerializer(signup).data, status=status.HTTP_201_CREATED)

    def _check(self, request, item, *, out: bool):
        payload = CheckInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if out:
            signup, record, changed = services.check_out(item=item, by=request.user, **payload.validated_data)
        else:
            signup, changed = services.check_in(item=item, by=request.user, **payload.validated_data)
            record = None
        signup = SignUp.objects.select_related("item", "person").get(pk=signup.pk)
        return Response(
            CheckInResultSerializer({"signup": signup, "changed": changed, "record": record}).data
        )

    @extend_schema(request=CheckInSerializer, responses={200: CheckInResultSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """Check in with the QR token or the 6-character code. A replay changes nothing (`changed: false`)."""
        return self._check(request, self.get_object(), out=False)

    @extend_schema(request=CheckInSerializer, responses={200: CheckInResultSerializer})
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        """Check out: the service time (clipped to the item's window) is recorded once."""
        return self._check(request, self.get_object(), out=True)

    @extend_schema(
        request=CheckInSerializer,
        responses={200: CheckInResultSerializer},
        operation_id="v1_volunteering_items_check_in_by_code",
    )
    @action(detail=False, methods=["post"], url_path="check-in")
    def check_in_any(self, request):
        """Check in without naming the item: by the QR token, or by the code among the caller's items open now."""
        payload = CheckInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)  # a body that is not an object of strings is a 400
        item = self._item_for_code(request, **payload.validated_data)
        return self._check(request, item, out=False)

    def _item_for_code(self, request, *, token: str, code: str) -> ServiceItem:
        visible = self.get_queryset()
        if token:
            item_id = checkin.token_item_id(token)
            item = visible.filter(pk=item_id).first() if item_id else None
            if item is None:
                raise checkin.WrongCode()
            return item
        candidates = selectors.items_open_for_checkin(scope_for(request.user).person_id)
        for candidate in candidates:
            try:
                checkin.check_code(candidate, code)
                return candidate
            except DomainError:
                continue
        if candidates:
            checkin.check_code(candidates[0], code)  # raises the precise error (wrong or expired)
        raise DomainError("您当前没有可签到的服务事项", code="nothing_to_check_in")

    @extend_schema(responses={200: CheckinCodeSerializer})
    @action(detail=True, methods=["get"], url_path="checkin-code")
    def checkin_code(self, request, pk=None):
        """For the organiser's screen: a fresh QR (SVG) and short code. Poll every `refresh_seconds`."""
        item = self.get_object()
        access.require_runs_item(request.user, item)
        url = checkin.checkin_url(request, item)
        return Response(
            CheckinCodeSerializer(
                {
                    "url": url,
                    "token": url.rstrip("/").rsplit("/", 1)[-1],
                    "code": checkin.make_code(item),
                    "svg": checkin.qr_svg(url),
                    "token_valid_seconds": int(checkin.TOKEN_MAX_AGE.total_seconds()),
                    "refresh_seconds": checkin.REFRESH_SECONDS,
                }
            ).data
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"], url_path="rotate-code")
    def rotate_code(self, request, pk=None):
        """Void every QR and code shown so far for this item."""
        services.item_rotate_code(item=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AttendanceSerializer, responses={201: RecordSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """The organiser marks attendance and hours (back-filled after 48 h: pending approval)."""
        item = self.get_object()
        access.require_runs_item(request.user, item)
        payload = AttendanceSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        record = services.attendance_mark(item=item, by=request.user, **payload.validated_data)
        return Response(RecordSerializer(_record(record.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def ics(self, request, pk=None):
        """This item as an iCalendar file."""
        item = self.get_object()
        response = HttpResponse(calendar.ics([item], host=request.get_host()), content_type="text/calendar")
        response["Content-Disposition"] = f"attachment; filename=item-{item.pk}.ics"
        return response

    @extend_schema(responses={200: CalendarLinkSerializer})
    @action(detail=False, methods=["get"], url_path="calendar-link")
    def calendar_link(self, request):
        """The caller's subscribable calendar feed of their confirmed items (no login needed to read it)."""
        person = _own_person(request.user)
        path = reverse("volunteering:calendar_feed", args=[calendar.feed_token(person.pk)])
        return Response({"url": request.build_absolute_uri(path)})


# ---------------------------------------------------------------------------------------------- sign-ups


class SignUpViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Sign-ups: the office and the town see all of their communities; a member sees their own.
    `cancel` frees the place and promotes the head of the waitlist (who is told)."""

    queryset = SignUp.objects.all()
    serializer_class = SignUpSerializer
    filterset_fields = ["item", "status", "person"]
    search_fields = ["person__name", "item__title"]

    def optimise(self, qs):
        return qs.select_related("item", "person")

    @extend_schema(request=None, responses={200: SignUpSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        signup = services.signup_cancel(signup=self.get_object(), by=request.user)
        return Response(SignUpSerializer(self.get_queryset().get(pk=signup.pk)).data)


# ------------------------------------------------------------------------------------------------- hours


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
