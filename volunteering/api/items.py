"""Service items, sign-ups and check-in/out (hours are in `hours`)."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.errors import DomainError
from core.validators import BUSINESS_DATES
from members.models import Person
from members.roles import scope_for

from .. import access, calendar, checkin, selectors, services
from ..models import (
    CheckInMethod,
    Programme,
    ServiceItem,
    ServicePost,
    SignUp,
    SignUpStatus,
)
from ._common import (
    CommunityField,
    ReasonSerializer,
    _office_on_create,
    _own_person,
    _record,
    default_community,
)
from .hours import AttendanceSerializer, RecordSerializer

# ------------------------------------------------------------------------------------------------- items


class ItemSerializer(serializers.ModelSerializer):
    post_name = serializers.CharField(source="post.name", read_only=True, default=None, allow_null=True)
    programme_name = serializers.CharField(
        source="programme.name", read_only=True, default=None, allow_null=True
    )
    confirmed_count = serializers.IntegerField(read_only=True, default=0)
    waitlist_count = serializers.IntegerField(read_only=True, default=0)
    places_left = serializers.SerializerMethodField()
    my_status = serializers.CharField(
        read_only=True,
        default=None,
        allow_null=True,
        help_text="本人的报名状态：confirmed / waitlisted / cancelled / null",
    )
    my_signup = serializers.IntegerField(source="my_signup_id", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "community",
            "title",
            "description",
            "place",
            "starts_at",
            "ends_at",
            "post",
            "post_name",
            "programme",
            "programme_name",
            "capacity",
            "required_skills",
            "recipients",
            "organiser",
            "status",
            "cancel_reason",
            "confirmed_count",
            "waitlist_count",
            "places_left",
            "my_status",
            "my_signup",
        ]
        read_only_fields = fields

    def get_places_left(self, obj) -> int:
        return max(obj.capacity - getattr(obj, "confirmed_count", 0), 0)


class ItemWriteSerializer(serializers.Serializer):
    community = CommunityField()
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=100)
    starts_at = serializers.DateTimeField(validators=[BUSINESS_DATES])
    ends_at = serializers.DateTimeField(validators=[BUSINESS_DATES])
    post = ScopedPrimaryKeyRelatedField(model=ServicePost, required=False, allow_null=True)
    programme = ScopedPrimaryKeyRelatedField(model=Programme, required=False, allow_null=True)
    capacity = serializers.IntegerField(min_value=1, max_value=500)
    required_skills = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )
    recipients = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ItemUpdateSerializer(ItemWriteSerializer):
    demote_excess = serializers.BooleanField(
        required=False,
        default=False,
        help_text="名额减少到已报名人数以下时：true 把最后报名的人转为候补（会通知本人）；默认拒绝修改",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("community")
        for f in fields.values():
            f.required = False
        return fields


class ItemCancelSerializer(ReasonSerializer):
    pass


class SignUpSerializer(serializers.ModelSerializer):
    item_title = serializers.CharField(source="item.title", read_only=True)
    starts_at = serializers.DateTimeField(source="item.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="item.ends_at", read_only=True)
    place = serializers.CharField(source="item.place", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    waitlist_position = serializers.SerializerMethodField()
    # "" until checked in: declared, because a read-only model field loses `allow_blank` in the schema
    check_in_method = serializers.ChoiceField(choices=CheckInMethod.choices, allow_blank=True, read_only=True)

    class Meta:
        model = SignUp
        fields = [
            "id",
            "item",
            "item_title",
            "starts_at",
            "ends_at",
            "place",
            "person",
            "person_name",
            "status",
            "queued_at",
            "promoted_at",
            "cancelled_at",
            "checked_in_at",
            "checked_out_at",
            "check_in_method",
            "waitlist_position",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="候补第几位（候补时）"))
    def get_waitlist_position(self, obj):
        return getattr(obj, "waitlist_position", None)


class SignUpCreateSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(
        model=Person, required=False, help_text="省略为本人；工作人员代为报名时填写"
    )


class CheckInSerializer(serializers.Serializer):
    token = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="二维码中的签到令牌"
    )
    code = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=12, help_text="6 位签到码"
    )


class CheckInResultSerializer(serializers.Serializer):
    signup = SignUpSerializer()
    changed = serializers.BooleanField(help_text="false：重复扫码，未作任何改变")
    record = RecordSerializer(allow_null=True, required=False)


class CheckinCodeSerializer(serializers.Serializer):
    url = serializers.CharField()
    token = serializers.CharField()
    code = serializers.CharField()
    svg = serializers.CharField(help_text="二维码 SVG")
    token_valid_seconds = serializers.IntegerField()
    refresh_seconds = serializers.IntegerField()


class CalendarLinkSerializer(serializers.Serializer):
    url = serializers.CharField()


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
    ordering = ["starts_at", "pk"]

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
    ordering_fields = ["queued_at", "checked_in_at"]
    ordering = ["item_id", "queued_at", "pk"]

    def optimise(self, qs):
        return qs.select_related("item", "person")

    @extend_schema(request=None, responses={200: SignUpSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        signup = services.signup_cancel(signup=self.get_object(), by=request.user)
        return Response(SignUpSerializer(self.get_queryset().get(pk=signup.pk)).data)
