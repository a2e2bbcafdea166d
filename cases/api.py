"""DRF API of the cases app: intake, the state machine's actions, channels, thematic replies, disclosure,
the working-day table and the public (no login) endpoints. Every view starts from `visible_to(user)`."""

import django_filters
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core import audit
from core.api import IdListField, ScopedQuerysetMixin
from core.security import FormParser, JSONParser, MultiPartParser
from core.validators import BUSINESS_DATES, PAST_DATES, YEARS
from members import privacy
from members.models import Building, Community, Person, User
from members.privacy import shown_mobile
from members.roles import scope_for
from members.serializers import RevealSerializer
from members.services import PermissionDenied

from . import pdf, retention, security, selectors, services
from .models import (
    Announcement,
    AssigneeKind,
    Case,
    CaseAttachment,
    CaseEvent,
    Category,
    Channel,
    DiaryEntry,
    Disclosure,
    FeedbackMethod,
    Forum,
    ForumItem,
    HandlingTimeLimit,
    HandlingType,
    Mailbox,
    MailboxOpening,
    PrioritySubject,
    Rating,
    ReceptionDay,
    ReceptionItem,
    ThematicGroup,
)
from .states import CaseState, allowed_actions

# ------------------------------------------------------------------------------------------ serializers


class CaseEventSerializer(serializers.ModelSerializer):
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "action",
            "from_state",
            "to_state",
            "by",
            "by_name",
            "by_resident",
            "at",
            "note",
            "data",
        ]

    def get_by_name(self, obj) -> str:
        return obj.by.display_name if obj.by_id else ("居民" if obj.by_resident else "")


class CaseAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CaseAttachment
        fields = ["id", "content_type", "size", "original_name", "url"]

    def get_url(self, obj) -> str:
        return f"/cases/attachments/{obj.pk}/"


class CaseListSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True, default="")
    assignee_name = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    handling_type_label = serializers.CharField(source="get_handling_type_display", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    resident_display = serializers.CharField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "tracking_no",
            "community",
            "community_name",
            "channel",
            "channel_label",
            "category",
            "state",
            "state_label",
            "handling_type",
            "handling_type_label",
            "due_on",
            "is_overdue",
            "assignee",
            "assignee_kind",
            "assignee_name",
            "received_at",
            "resident_display",
            "building",
            "building_name",
            "group",
            "reopen_count",
        ]

    def get_assignee_name(self, obj) -> str:
        return obj.assignee.display_name if obj.assignee_id else ""

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class CaseDetailSerializer(CaseListSerializer):
    events = CaseEventSerializer(many=True, read_only=True)
    attachments = CaseAttachmentSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    calendar_warning = serializers.SerializerMethodField()
    reported_by_officer_name = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "content",
            "resident",
            "resident_name",
            "resident_phone",
            "anonymous",
            "needs_home_visit",
            "received_by",
            "reported_by_officer",
            "reported_by_officer_name",
            "time_limit_days",
            "missing_documents",
            "documents_requested_at",
            "documents_received_at",
            "escalated_to",
            "escalated_at",
            "higher_reply",
            "higher_reply_on",
            "referral_department",
            "explanation",
            "resolution",
            "resolved_at",
            "feedback_method",
            "feedback_text",
            "feedback_at",
            "visit_at",
            "visit_address",
            "rating",
            "rating_comment",
            "rated_at",
            "rated_by_resident",
            "closed_at",
            "events",
            "attachments",
            "allowed_actions",
            "calendar_warning",
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        return allowed_actions(obj.state)

    def get_calendar_warning(self, obj) -> str | None:
        return selectors.calendar_warning_for(obj)

    def get_reported_by_officer_name(self, obj) -> str:
        return obj.reported_by_officer.person.name if obj.reported_by_officer_id else ""

    def to_representation(self, instance):
        # the resident's phone as the user may see it (members.privacy); the office reveals it with a reason
        data = super().to_representation(instance)
        request = self.context.get("request")
        if instance.resident_phone:
            data["resident_phone"] = shown_mobile(
                request.user if request else None, instance.community_id, instance.resident_phone
            )
        return data


class CaseRevealedSerializer(serializers.Serializer):
    resident_phone = serializers.CharField(allow_blank=True)


class CaseIntakeSerializer(serializers.Serializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all())
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    content = serializers.CharField(allow_blank=True, max_length=20000)
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True
    )
    resident = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    resident_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    resident_phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    needs_home_visit = serializers.BooleanField(required=False, default=False)
    received_at = serializers.DateTimeField(required=False, allow_null=True, validators=[PAST_DATES])
    settle_on_spot = serializers.BooleanField(required=False, default=False)
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class CaseCreatedSerializer(CaseDetailSerializer):
    access_code = serializers.SerializerMethodField()

    class Meta(CaseDetailSerializer.Meta):
        fields = CaseDetailSerializer.Meta.fields + ["access_code"]

    def get_access_code(self, obj) -> str:
        return getattr(obj, "access_code", "")


class ClassifyIn(serializers.Serializer):
    handling_type = serializers.ChoiceField(choices=HandlingType.choices)
    time_limit_days = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssignIn(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    kind = serializers.ChoiceField(choices=AssigneeKind.choices, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NoteIn(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DocumentsIn(serializers.Serializer):
    missing = serializers.ListField(child=serializers.CharField(allow_blank=True), allow_empty=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EscalateIn(serializers.Serializer):
    to_unit = serializers.CharField(allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class HigherReplyIn(serializers.Serializer):
    reply = serializers.CharField(allow_blank=True)
    replied_on = serializers.DateField(validators=[PAST_DATES])


class ReferIn(serializers.Serializer):
    department = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField(allow_blank=True)


class ResolveIn(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True)


class VisitIn(serializers.Serializer):
    visit_at = serializers.DateTimeField(validators=[BUSINESS_DATES])
    address = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FeedbackIn(serializers.Serializer):
    method = serializers.ChoiceField(choices=FeedbackMethod.choices)
    text = serializers.CharField(allow_blank=True)


class RateIn(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class SuggestionOut(serializers.Serializer):
    user = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    reason = serializers.CharField()


class DuplicateOut(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_no = serializers.CharField()
    score = serializers.FloatField()
    state = serializers.CharField()
    content = serializers.CharField()
    group = serializers.IntegerField(allow_null=True)


# --------------------------------------------------------------------------------------------- filters


class CaseFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter()
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    handling_type = django_filters.ChoiceFilter(choices=HandlingType.choices)
    state = django_filters.MultipleChoiceFilter(choices=CaseState.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="已超期")
    assignee = django_filters.CharFilter(method="filter_assignee", label="承办人（用户 id 或 me）")
    group = django_filters.NumberFilter()

    class Meta:
        model = Case
        fields = [
            "community",
            "channel",
            "handling_type",
            "state",
            "category",
            "overdue",
            "assignee",
            "group",
        ]

    def filter_overdue(self, qs, name, value):
        today = timezone.localdate()
        return qs.overdue(today) if value else qs.not_overdue(today)

    def filter_assignee(self, qs, name, value):
        if value == "me":
            return qs.filter(assignee=self.request.user)
        if value.isdigit():
            return qs.filter(assignee_id=int(value))
        return qs.none()


# ---------------------------------------------------------------------------------------------- cases


def _case_action(serializer_class, summary):
    return extend_schema(request=serializer_class, responses=CaseDetailSerializer, summary=summary)


class CaseViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """民情件: intake by community staff, the list with filters, the case with its timeline, and every
    transition of the state machine as a POST action (an illegal one is 409 with `allowed` next steps)."""

    queryset = Case.objects.all()
    filterset_class = CaseFilter
    search_fields = ["tracking_no", "content", "resident_name"]
    ordering_fields = ["received_at", "due_on", "tracking_no"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        if self.action == "list":
            return CaseListSerializer
        if self.action == "create":
            return CaseIntakeSerializer
        return CaseDetailSerializer

    def optimise(self, qs):
        if self.action == "list":
            return selectors.case_queryset_for_list(qs)
        return selectors.case_queryset_for_detail(qs)

    def _detail(self, case, status_code=status.HTTP_200_OK):
        fresh = self.optimise(Case.objects.filter(pk=case.pk)).get()
        return Response(
            CaseDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def _input(self, serializer_class):
        ser = serializer_class(data=self.request.data)
        ser.is_valid(raise_exception=True)
        return ser.validated_data

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        audit.record_access(what="read_full", obj=case)
        return Response(self.get_serializer(case).data)

    @extend_schema(request=RevealSerializer, responses={200: CaseRevealedSerializer}, summary="查看完整号码")
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The resident's full phone, for the office of the case's community, with a reason (AccessLog)."""
        case = self.get_object()
        if not scope_for(request.user).manages(case.community_id):
            raise PermissionDenied("只有本社区的管理人员可以查看完整号码")
        payload = RevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = privacy.reveal(
            obj=case,
            values={"resident_phone": case.resident_phone or ""},
            reason=payload.validated_data["reason"],
        )
        response = Response(CaseRevealedSerializer(values).data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        request=CaseIntakeSerializer,
        responses={201: CaseCreatedSerializer},
        summary="民情受理（工作人员登记）",
    )
    def create(self, request):
        if not scope_for(request.user).managed_community_ids and not request.user.is_superuser:
            raise PermissionDenied("只有社区工作人员可以登记民情")
        data = self._input(CaseIntakeSerializer)
        files = request.FILES.getlist("attachments") if hasattr(request, "FILES") else []
        data.pop("attachments", None)
        case = services.case_register(by=request.user, attachments=files, **data)
        fresh = self.optimise(Case.objects.filter(pk=case.pk)).get()
        fresh.access_code = case.access_code
        return Response(CaseCreatedSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @_case_action(ClassifyIn, "分类（五件式）")
    @action(detail=True, methods=["post"])
    def classify(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_classify(case=case, by=request.user, **self._input(ClassifyIn)))

    @_case_action(AssignIn, "交办")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_assign(case=case, by=request.user, **self._input(AssignIn)))

    @_case_action(NoteIn, "开始办理")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_start(case=case, by=request.user, **self._input(NoteIn)))

    @_case_action(DocumentsIn, "一次性告知需补齐的材料（补办件）")
    @action(detail=True, methods=["post"], url_path="request-documents")
    def request_documents(self, request, pk=None):
        case = self.get_object()
        return self._detail(
            services.case_request_documents(case=case, by=request.user, **self._input(DocumentsIn))
        )

    @_case_action(NoteIn, "材料已补齐，开始计时")
    @action(detail=True, methods=["post"], url_path="documents-received")
    def documents_received(self, request, pk=None):
        case = self.get_object()
        return self._detail(
            services.case_documents_received(case=case, by=request.user, **self._input(NoteIn))
        )

    @_case_action(EscalateIn, "上报上级（上报件）")
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_escalate(case=case, by=request.user, **self._input(EscalateIn)))

    @_case_action(HigherReplyIn, "登记上级批复（3 个工作日内回复群众）")
    @action(detail=True, methods=["post"], url_path="higher-reply")
    def higher_reply(self, request, pk=None):
        case = self.get_object()
        return self._detail(
            services.case_record_higher_reply(case=case, by=request.user, **self._input(HigherReplyIn))
        )

    @_case_action(ReferIn, "解释并建议转办（提议件）")
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_refer(case=case, by=request.user, **self._input(ReferIn)))

    @_case_action(ResolveIn, "办结")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_resolve(case=case, by=request.user, **self._input(ResolveIn)))

    @_case_action(VisitIn, "约定上门通知")
    @action(detail=True, methods=["post"], url_path="schedule-visit")
    def schedule_visit(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_schedule_visit(case=case, by=request.user, **self._input(VisitIn)))

    @_case_action(FeedbackIn, "反馈居民")
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        case = self.get_object()
        return self._detail(
            services.case_give_feedback(case=case, by=request.user, **self._input(FeedbackIn))
        )

    @_case_action(RateIn, "登记居民满意度（工作人员代录）")
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_rate(case=case, by=request.user, **self._input(RateIn)))

    @_case_action(ReasonIn, "重新办理")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_reopen(case=case, by=request.user, **self._input(ReasonIn)))

    @_case_action(NoteIn, "归档")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = self.get_object()
        return self._detail(services.case_close(case=case, by=request.user, **self._input(NoteIn)))

    @extend_schema(responses=SuggestionOut(many=True), summary="推荐承办人（按楼栋责任区、信息员、岗位）")
    @action(detail=True, methods=["get"], pagination_class=None)  # a short list, never paged
    def suggestions(self, request, pk=None):
        case = self.get_object()
        if not scope_for(request.user).manages(case.community_id):
            raise PermissionDenied()
        return Response(
            [
                {"user": s.user_id, "name": s.name, "kind": s.kind, "reason": s.reason}
                for s in selectors.suggest_assignees(case)
            ]
        )

    @extend_schema(responses=DuplicateOut(many=True), summary="疑似同类问题（专题反馈候选）")
    @action(detail=True, methods=["get"], pagination_class=None)  # a short list, never paged
    def duplicates(self, request, pk=None):
        case = self.get_object()
        if not scope_for(request.user).manages(case.community_id):
            raise PermissionDenied()
        return Response(
            [
                {
                    "id": d["case"].pk,
                    "tracking_no": d["case"].tracking_no,
                    "score": d["score"],
                    "state": d["case"].state,
                    "content": d["case"].content[:100],
                    "group": d["case"].group_id,
                }
                for d in selectors.likely_duplicates(case)
            ]
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, summary="一次性告知书（PDF）")
    @action(detail=True, methods=["get"])
    def notice(self, request, pk=None):
        case = self.get_object()
        response = HttpResponse(pdf.one_time_notice_pdf(case), content_type="application/pdf")
        audit.record_access(what="print", obj=case, description="一次性告知书")
        response["Content-Disposition"] = f'inline; filename="notice-{case.tracking_no}.pdf"'
        return response

    @extend_schema(
        request=ReasonIn,
        responses=inline_serializer(
            "ResidentErasure",
            {
                "cases": serializers.IntegerField(),
                "attachments": serializers.IntegerField(),
                "tracking_numbers": serializers.ListField(child=serializers.CharField()),
            },
        ),
        summary="按居民申请删除个人信息（同一电话的本社区民情件）",
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        case = self.get_object()
        return Response(retention.resident_erasure(case=case, by=request.user, **self._input(ReasonIn)))

    @extend_schema(responses=CaseListSerializer(many=True), summary="我的民情件（承办人手机端）")
    @action(detail=False, methods=["get"])
    def mine(self, request):
        qs = selectors.case_queryset_for_list(Case.objects.filter(assignee=request.user)).exclude(
            state=CaseState.CLOSED
        )
        page = self.paginate_queryset(qs.order_by("due_on", "pk"))
        return self.get_paginated_response(CaseListSerializer(page, many=True).data)


# ---------------------------------------------------------------------------------- thematic groups


class ThematicGroupSerializer(serializers.ModelSerializer):
    cases = serializers.PrimaryKeyRelatedField(many=True, queryset=Case.objects.all(), write_only=True)
    case_ids = serializers.SerializerMethodField()
    # "" until replied: a read-only model field loses `allow_blank`, so the schema would not admit it
    reply_method = serializers.ChoiceField(choices=FeedbackMethod.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ThematicGroup
        fields = [
            "id",
            "community",
            "title",
            "cases",
            "case_ids",
            "reply",
            "reply_method",
            "replied_at",
            "created_at",
        ]
        read_only_fields = ["reply", "reply_method", "replied_at", "created_at"]

    def get_case_ids(self, obj) -> list[int]:
        return [c.pk for c in obj.cases.all()]


class GroupReplyIn(serializers.Serializer):
    reply = serializers.CharField(allow_blank=True)
    method = serializers.ChoiceField(choices=FeedbackMethod.choices)


class GroupAddIn(serializers.Serializer):
    cases = IdListField(allow_empty=False)


class ThematicGroupViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """专题反馈: group cases about the same issue and answer them all with one reply."""

    queryset = ThematicGroup.objects.all()
    serializer_class = ThematicGroupSerializer

    def optimise(self, qs):
        return qs.prefetch_related("cases")

    def _visible_cases(self, ids):
        cases = list(Case.objects.visible_to(self.request.user).filter(pk__in=ids))
        if len(cases) != len(set(ids)):
            raise NotFound("有民情件不存在")
        return cases

    def create(self, request):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cases = self._visible_cases([c.pk for c in ser.validated_data["cases"]])
        group = services.group_create(
            community=ser.validated_data["community"],
            by=request.user,
            title=ser.validated_data["title"],
            cases=cases,
        )
        return Response(self.get_serializer(group).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GroupAddIn, responses=ThematicGroupSerializer, summary="归入更多民情件")
    @action(detail=True, methods=["post"], url_path="add-cases")
    def add_cases(self, request, pk=None):
        group = self.get_object()
        ser = GroupAddIn(data=request.data)
        ser.is_valid(raise_exception=True)
        services.group_add_cases(
            group=group, by=request.user, cases=self._visible_cases(ser.validated_data["cases"])
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=group.pk)).data)

    @extend_schema(
        request=GroupReplyIn,
        responses=inline_serializer(
            "GroupReplyResult", {"answered": serializers.ListField(), "skipped": serializers.ListField()}
        ),
        summary="专题答复（每件记录）",
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        group = self.get_object()
        ser = GroupReplyIn(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(services.group_reply(group=group, by=request.user, **ser.validated_data))


# ---------------------------------------------------------------------------------------- mailboxes


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


class MailboxViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """民情信箱: location and keeper; the keeper logs each daily opening with the letters found."""

    queryset = Mailbox.objects.all()
    serializer_class = MailboxSerializer

    def optimise(self, qs):
        return qs.select_related("keeper")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = services.mailbox_save(
            community=d["community"],
            by=self.request.user,
            location=d["location"],
            keeper=d["keeper"],
            compound=d.get("compound"),
            active=d.get("active", True),
        )

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


class DiaryViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """民情日志: an information officer's own visit diary; an entry becomes a case in one step."""

    queryset = DiaryEntry.objects.all()
    serializer_class = DiaryEntrySerializer

    def optimise(self, qs):
        return qs.select_related("case")

    def perform_create(self, serializer):
        serializer.instance = services.diary_add(by=self.request.user, **serializer.validated_data)

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


class ReceptionViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """民情接待日: the deputies' (15th) and leaders' (25th) rota; each visitor's item becomes a case."""

    queryset = ReceptionDay.objects.all()
    serializer_class = ReceptionDaySerializer

    def optimise(self, qs):
        return qs.prefetch_related("items__case")

    def perform_create(self, serializer):
        serializer.instance = services.reception_schedule(by=self.request.user, **serializer.validated_data)

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


class ForumViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """民情恳谈会: attendees and minutes; items answered on the spot are recorded, the rest become cases."""

    queryset = Forum.objects.all()
    serializer_class = ForumSerializer

    def optimise(self, qs):
        return qs.prefetch_related("items__case")

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        serializer.instance = services.forum_record(by=self.request.user, items=d.pop("items", []), **d)


# -------------------------------------------------------------------------------- disclosure, limits


class _CommunityScopedCreate(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    service = None

    def perform_create(self, serializer):
        serializer.instance = type(self).service(by=self.request.user, **serializer.validated_data)


class TimeLimitSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandlingTimeLimit
        fields = ["id", "community", "handling_type", "working_days", "description"]
        validators = []  # update_or_create in the service: posting the same type again changes it


class TimeLimitViewSet(_CommunityScopedCreate):
    """Each community's published time limit per handling type (POST again to change one)."""

    queryset = HandlingTimeLimit.objects.all()
    serializer_class = TimeLimitSerializer
    service = staticmethod(services.time_limit_set)


class DisclosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disclosure
        fields = ["id", "community", "kind", "body", "updated_at"]
        validators = []


class DisclosureViewSet(_CommunityScopedCreate):
    """七公开 of the service hall (POST again to update one)."""

    queryset = Disclosure.objects.all()
    serializer_class = DisclosureSerializer
    service = staticmethod(services.disclosure_save)


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "community", "category", "title", "body", "published_on"]
        extra_kwargs = {"published_on": {"required": False, "validators": [BUSINESS_DATES]}}


class AnnouncementViewSet(_CommunityScopedCreate):
    """集中公告 by the manual's categories."""

    queryset = Announcement.objects.all()
    serializer_class = AnnouncementSerializer
    service = staticmethod(services.announcement_publish)


# ----------------------------------------------------------------------------------------- public


class PublicSubmitIn(serializers.Serializer):
    community = serializers.SlugRelatedField(slug_field="code", queryset=Community.objects.all())
    content = serializers.CharField(allow_blank=True, max_length=20000)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    resident_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    resident_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    anonymous = serializers.BooleanField(required=False, default=False)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    consent = serializers.BooleanField(
        help_text="居民已阅读并同意《个人信息处理说明》（GET /api/v1/public/cases/privacy-notice/）；必须为 true"
    )

    def validate_consent(self, value):
        if value is not True:
            raise serializers.ValidationError("请阅读并同意《个人信息处理说明》后再提交")
        return value


class PrivacyNoticeOut(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    controller = serializers.CharField()
    purpose = serializers.CharField()
    collected = serializers.ListField(child=serializers.CharField())
    retention = serializers.CharField()
    retention_days = serializers.IntegerField()
    recipients = serializers.CharField()
    rights = serializers.CharField()
    consent = serializers.CharField()


class PublicLookupIn(serializers.Serializer):
    tracking_no = serializers.CharField(max_length=40)
    access_code = serializers.CharField(max_length=40)


class PublicRateIn(PublicLookupIn):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class PublicCaseSerializer(serializers.Serializer):
    """What a resident sees with number + code: masked, no names or numbers of anyone else."""

    tracking_no = serializers.CharField()
    community_name = serializers.CharField(source="community.name")
    category = serializers.CharField(source="get_category_display")
    content = serializers.SerializerMethodField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    handling_type = serializers.CharField(source="get_handling_type_display")
    received_on = serializers.SerializerMethodField()
    due_on = serializers.DateField()
    missing_documents = serializers.ListField(child=serializers.CharField())
    referral_department = serializers.CharField()
    explanation = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()
    feedback_method = serializers.CharField(source="get_feedback_method_display")
    visit_at = serializers.DateTimeField()
    rating = serializers.CharField()
    can_rate = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    def get_content(self, obj) -> str:
        return security.mask_text(obj.content)

    def get_received_on(self, obj) -> str:
        return timezone.localtime(obj.received_at).date().isoformat()

    def get_explanation(self, obj) -> str:
        return security.mask_text(obj.explanation)

    def get_reply(self, obj) -> str:
        return security.mask_text(obj.feedback_text)

    def get_can_rate(self, obj) -> bool:
        return obj.state == CaseState.FEEDBACK_GIVEN

    def get_timeline(self, obj) -> list[dict]:
        return [{"at": t["at"].isoformat(), "state": t["state"]} for t in selectors.public_timeline(obj)]


class PublicCaseViewSet(viewsets.GenericViewSet):
    """Residents without a login: submit a concern, look it up with number + access code, rate the reply.
    Submissions are limited per address; failed lookups per address and per tracking number."""

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = PublicCaseSerializer
    pagination_class = None

    def _guard_lookup(self, request, tracking_no):
        if security.lookup_blocked(security.client_ip(request), tracking_no):
            raise Throttled(detail="查询失败次数过多，请稍后再试")

    def _find(self, request, data):
        self._guard_lookup(request, data["tracking_no"])
        case = services.public_find(tracking_no=data["tracking_no"], access_code=data["access_code"])
        if case is None:
            security.record_lookup_miss(security.client_ip(request), data["tracking_no"])
            raise NotFound("受理编号或查询码不正确")
        return case

    def _out(self, case):
        fresh = Case.objects.select_related("community").prefetch_related("events").get(pk=case.pk)
        return PublicCaseSerializer(fresh).data

    @extend_schema(
        request=PublicSubmitIn,
        responses={
            201: inline_serializer(
                "PublicSubmitted",
                {"tracking_no": serializers.CharField(), "access_code": serializers.CharField()},
            )
        },
        summary="居民网上反映（免登录）",
    )
    def create(self, request):
        if not security.submit_allowed(security.client_ip(request)):
            raise Throttled(detail="提交过于频繁，请稍后再试")
        ser = PublicSubmitIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data.pop("attachments", None)
        data.pop("consent")  # validated True above: no consent, no submission
        case = services.public_submit(
            attachments=request.FILES.getlist("attachments"),
            privacy_notice=retention.PRIVACY_NOTICE_VERSION,
            **data,
        )
        return Response({"tracking_no": case.tracking_no, "access_code": case.access_code}, status=201)

    @extend_schema(
        parameters=[OpenApiParameter("community", str, description="社区代码（可选，给出该社区的保存期限）")],
        responses=PrivacyNoticeOut,
        summary="个人信息处理说明（提交前须展示并取得同意）",
    )
    @action(detail=False, methods=["get"], url_path="privacy-notice")
    def privacy_notice(self, request):
        community = Community.objects.filter(code=request.query_params.get("community", "")).first()
        return Response(retention.privacy_notice(community))

    @extend_schema(request=PublicLookupIn, responses=PublicCaseSerializer, summary="凭受理编号和查询码查询")
    @action(detail=False, methods=["post"], throttle_classes=[security.PublicLookupThrottle])
    def lookup(self, request):
        ser = PublicLookupIn(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(self._out(self._find(request, ser.validated_data)))

    @extend_schema(request=PublicRateIn, responses=PublicCaseSerializer, summary="居民满意度评价")
    @action(detail=False, methods=["post"], throttle_classes=[security.PublicLookupThrottle])
    def rate(self, request):
        ser = PublicRateIn(data=request.data)
        ser.is_valid(raise_exception=True)
        case = self._find(request, ser.validated_data)
        services.case_rate(
            case=case, rating=ser.validated_data["rating"], comment=ser.validated_data["comment"]
        )
        return Response(self._out(case))


class PublicReceptionSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name")
    kind_label = serializers.CharField(source="get_kind_display")
    moved = serializers.BooleanField()

    class Meta:
        model = ReceptionDay
        fields = [
            "id",
            "community_name",
            "kind",
            "kind_label",
            "nominal_date",
            "held_on",
            "moved",
            "host_name",
            "place",
        ]


class PublicReceptionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The published reception rota (15th deputies, 25th leaders), with the date it actually happens."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicReceptionSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.public_schedule()


class PublicDisclosureSerializer(serializers.Serializer):
    community = serializers.CharField()
    disclosures = serializers.ListField(child=serializers.DictField())
    time_limits = serializers.ListField(child=serializers.DictField())
    announcements = serializers.ListField(child=serializers.DictField())


class PublicDisclosureViewSet(viewsets.GenericViewSet):
    """七公开, the published time limits and 集中公告 of one community (by its code)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicDisclosureSerializer
    lookup_field = "code"
    queryset = Community.objects.all()

    def retrieve(self, request, code=None):
        community = Community.objects.filter(code=code).first()
        if community is None:
            raise NotFound()
        return Response(selectors.public_disclosure(community))
