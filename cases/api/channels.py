"""The channels with records of their own over the API: mailboxes and openings, the officer's diary,
reception days and their visitor lines, forums."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.validators import PAST_DATES, YEARS
from members.models import Building, Person, User
from members.privacy import shown_mobile
from members.roles import scope_for

from .. import selectors, services
from ..models import (
    Case,
    Category,
    DiaryEntry,
    Forum,
    ForumItem,
    Mailbox,
    MailboxOpening,
    PrioritySubject,
    ReceptionDay,
    ReceptionItem,
)
from ._common import ScopedRecordViewSet
from .case_serializers import CaseDetailSerializer


class MailboxSerializer(serializers.ModelSerializer):
    keeper_name = serializers.CharField(source="keeper.display_name", read_only=True)

    class Meta:
        model = Mailbox
        fields = [
            "id",
            "community",
            "compound",
            "location",
            "keeper",
            "keeper_name",
            "active",
            "installed_on",
        ]
        read_only_fields = ["installed_on"]
        extra_kwargs = {"keeper": {"queryset": User.objects.all()}}


class LetterIn(serializers.Serializer):
    content = serializers.CharField(allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    resident_name = serializers.CharField(required=False, allow_blank=True, default="")
    resident_phone = serializers.CharField(required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True
    )


class OpeningIn(serializers.Serializer):
    opened_on = serializers.DateField(required=False, validators=[PAST_DATES])
    note = serializers.CharField(required=False, allow_blank=True, default="")
    letters = LetterIn(many=True, required=False, default=list)


class OpeningSerializer(serializers.ModelSerializer):
    cases = serializers.SerializerMethodField()

    class Meta:
        model = MailboxOpening
        fields = ["id", "mailbox", "opened_on", "opened_by", "letters", "note", "cases"]

    def get_cases(self, obj) -> list[str]:
        return [c.tracking_no for c in obj.cases.all()]


class MailboxViewSet(ScopedRecordViewSet):
    """民情信箱: location and keeper; the keeper logs each daily opening with the letters found."""

    queryset = Mailbox.objects.all()
    serializer_class = MailboxSerializer
    service = staticmethod(services.mailbox_save)
    filterset_fields = ["community", "compound", "active"]
    search_fields = ["location"]
    ordering_fields = ["location", "installed_on"]
    ordering = ["community_id", "location", "pk"]

    def optimise(self, qs):
        return qs.select_related("keeper")

    @extend_schema(
        request=OpeningIn, responses={201: OpeningSerializer}, summary="登记开箱（每封信登记为民情件）"
    )
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        mailbox = self.get_object()
        ser = OpeningIn(data=request.data)
        ser.is_valid(raise_exception=True)
        opening = services.mailbox_open(mailbox=mailbox, by=request.user, **ser.validated_data)
        return Response(OpeningSerializer(opening).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=MailboxSerializer(many=True), summary="上一个工作日未开箱的信箱")
    @action(detail=False, methods=["get"], pagination_class=None)  # a short list, never paged
    def missed(self, request):
        scope = scope_for(request.user)
        return Response(
            MailboxSerializer(selectors.missed_openings(scope.managed_community_ids), many=True).data
        )


# ------------------------------------------------------------------------------------------- diary


class DiaryEntrySerializer(serializers.ModelSerializer):
    case_tracking_no = serializers.CharField(source="case.tracking_no", read_only=True, default="")
    case_state = serializers.CharField(source="case.state", read_only=True, default="")

    class Meta:
        model = DiaryEntry
        fields = [
            "id",
            "officer",
            "visited_on",
            "household",
            "resident",
            "building",
            "heard",
            "case",
            "case_tracking_no",
            "case_state",
            "created_at",
        ]
        read_only_fields = ["officer", "case", "created_at"]
        extra_kwargs = {
            "visited_on": {"validators": [PAST_DATES]},
            "resident": {"queryset": Person.objects.all()},
            "building": {"queryset": Building.objects.all()},
        }


class ToCaseIn(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    content = serializers.CharField(required=False, allow_blank=True, default="")


class DiaryViewSet(ScopedRecordViewSet):
    """民情日志: an information officer's own visit diary; an entry becomes a case in one step."""

    queryset = DiaryEntry.objects.all()
    serializer_class = DiaryEntrySerializer
    service = staticmethod(services.diary_add)
    filterset_fields = ["officer", "building"]
    search_fields = ["household", "heard"]
    ordering_fields = ["visited_on", "created_at"]
    ordering = ["-visited_on", "-pk"]

    def optimise(self, qs):
        return qs.select_related("case")

    @extend_schema(request=ToCaseIn, responses={201: CaseDetailSerializer}, summary="日志登记为民情件")
    @action(detail=True, methods=["post"], url_path="to-case")
    def to_case(self, request, pk=None):
        entry = self.get_object()
        ser = ToCaseIn(data=request.data)
        ser.is_valid(raise_exception=True)
        case = services.diary_to_case(entry=entry, by=request.user, **ser.validated_data)
        fresh = selectors.case_queryset_for_detail(Case.objects.filter(pk=case.pk)).get()
        return Response(
            CaseDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# ---------------------------------------------------------------------------------- reception days


class ReceptionItemSerializer(serializers.ModelSerializer):
    case_tracking_no = serializers.CharField(source="case.tracking_no", read_only=True)

    class Meta:
        model = ReceptionItem
        fields = [
            "id",
            "visitor_name",
            "visitor_phone",
            "content",
            "priority_subject",
            "case",
            "case_tracking_no",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # the visitor's phone as the user may see it (members.privacy, the reception's community)
        if instance.visitor_phone:
            request = self.context.get("request")
            data["visitor_phone"] = shown_mobile(
                request.user if request else None, instance.reception.community_id, instance.visitor_phone
            )
        return data


class ReceptionDaySerializer(serializers.ModelSerializer):
    items = ReceptionItemSerializer(many=True, read_only=True)
    year = serializers.IntegerField(write_only=True, validators=[YEARS])
    month = serializers.IntegerField(write_only=True, min_value=1, max_value=12)
    moved = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReceptionDay
        fields = [
            "id",
            "community",
            "kind",
            "year",
            "month",
            "nominal_date",
            "held_on",
            "moved",
            "host_name",
            "host_user",
            "place",
            "published",
            "items",
        ]
        read_only_fields = ["nominal_date", "held_on"]
        extra_kwargs = {"host_user": {"queryset": User.objects.all()}}


class ReceptionItemIn(serializers.Serializer):
    visitor_name = serializers.CharField(allow_blank=True)
    visitor_phone = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField(allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    priority_subject = serializers.ChoiceField(
        choices=PrioritySubject.choices, required=False, allow_blank=True, default=""
    )
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True
    )


class ReceptionViewSet(ScopedRecordViewSet):
    """民情接待日: the deputies' (15th) and leaders' (25th) rota; each visitor's item becomes a case."""

    queryset = ReceptionDay.objects.all()
    serializer_class = ReceptionDaySerializer
    service = staticmethod(services.reception_schedule)
    filterset_fields = ["community", "kind", "published"]
    search_fields = ["host_name", "place"]  # never the visitors' lines (their phones are masked)
    ordering_fields = ["nominal_date", "held_on"]
    ordering = ["nominal_date", "kind", "pk"]

    def optimise(self, qs):
        return qs.prefetch_related("items__case")

    @extend_schema(
        request=ReceptionItemIn, responses={201: ReceptionItemSerializer}, summary="登记来访（生成民情件）"
    )
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        reception = self.get_object()
        ser = ReceptionItemIn(data=request.data)
        ser.is_valid(raise_exception=True)
        item = services.reception_item_record(reception=reception, by=request.user, **ser.validated_data)
        return Response(
            ReceptionItemSerializer(item, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# ------------------------------------------------------------------------------------------- forums


class ForumItemSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER, write_only=True)
    case_tracking_no = serializers.CharField(source="case.tracking_no", read_only=True, default="")

    class Meta:
        model = ForumItem
        fields = [
            "id",
            "raised_by",
            "content",
            "answered_on_spot",
            "answer",
            "category",
            "case",
            "case_tracking_no",
        ]
        read_only_fields = ["case"]


class AttendeeSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField(required=False, allow_blank=True, default="")


class ForumSerializer(serializers.ModelSerializer):
    items = ForumItemSerializer(many=True, required=False)
    attendees = AttendeeSerializer(many=True)

    class Meta:
        model = Forum
        fields = ["id", "community", "held_on", "title", "attendees", "minutes", "items", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"held_on": {"validators": [PAST_DATES]}}


class ForumViewSet(ScopedRecordViewSet):
    """民情恳谈会: attendees and minutes; items answered on the spot are recorded, the rest become cases."""

    queryset = Forum.objects.all()
    serializer_class = ForumSerializer
    service = staticmethod(services.forum_record)
    filterset_fields = ["community"]
    search_fields = ["title"]
    ordering_fields = ["held_on", "created_at"]
    ordering = ["-held_on", "-pk"]

    def optimise(self, qs):
        return qs.prefetch_related("items__case")
