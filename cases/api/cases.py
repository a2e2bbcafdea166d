"""民情件 over the API: intake by community staff, the list with filters, the case with its timeline, and every
transition of the state machine as a POST action (an illegal one is 409 with `allowed` next steps)."""

import django_filters
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import audit
from core.api import ScopedQuerysetMixin
from core.errors import PermissionDenied
from core.security import FormParser, JSONParser, MultiPartParser
from core.validators import BUSINESS_DATES, PAST_DATES
from members.models import User
from members.permissions import is_office_anywhere, oversees
from members.roles import scope_for
from members.serializers import RevealSerializer

from .. import pdf, retention, selectors, services
from ..models import AssigneeKind, Case, Category, Channel, FeedbackMethod, HandlingType, Rating
from ..states import CaseState
from .case_serializers import (
    CaseCreatedSerializer,
    CaseDetailSerializer,
    CaseIntakeSerializer,
    CaseListSerializer,
    CaseRevealedSerializer,
)


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
    due_soon = django_filters.BooleanFilter(method="filter_due_soon", label="即将到期（两个工作日内）")
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
            "due_soon",
            "assignee",
            "group",
        ]

    def filter_overdue(self, qs, name, value):
        today = timezone.localdate()
        return qs.overdue(today) if value else qs.not_overdue(today)

    def filter_due_soon(self, qs, name, value):
        from ..home import due_soon_q

        today = timezone.localdate()
        return qs.filter(due_soon_q(today)) if value else qs.exclude(due_soon_q(today))

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
    ordering = ["-received_at", "-pk"]
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

    @extend_schema(
        summary="导出民情台账（Excel）",
        description="The filtered list (same filters as the list) as the office files it: .xlsx, streamed, "
        "Chinese headers, ISO dates, the resident's phone masked. Community and town offices only.",
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="not a community or town office"),
        },
    )
    @action(detail=False, methods=["get"], url_path="ledger-xlsx")
    def ledger_xlsx(self, request):
        from core.xlsx import xlsx_response

        from ..export import case_ledger_workbook

        if not is_office_anywhere(scope_for(request.user)):
            raise PermissionDenied("只有社区或镇的管理人员可以导出民情台账")
        workbook = case_ledger_workbook(self.filter_queryset(self.get_queryset()))
        audit.record_access(what="export", description="民情台账导出", extra=request.query_params.dict())
        return xlsx_response(workbook, filename=f"民情台账-{timezone.localdate():%Y%m%d}.xlsx")

    @extend_schema(request=RevealSerializer, responses={200: CaseRevealedSerializer}, summary="查看完整号码")
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The resident's full phone, for the case's current assignee and the office of its community, with
        a reason (AccessLog)."""
        case = self.get_object()
        services.require_reveal_allowed(request.user, case)
        payload = RevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = {
            "resident_phone": services.case_reveal_resident_phone(
                case=case, by=request.user, reason=payload.validated_data["reason"]
            )
        }
        response = Response(CaseRevealedSerializer(values).data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        request=CaseIntakeSerializer,
        responses={201: CaseCreatedSerializer},
        summary="民情受理（工作人员登记）",
    )
    def create(self, request):
        if not is_office_anywhere(scope_for(request.user)):
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
        if not oversees(request.user, case.community_id):
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
        if not oversees(request.user, case.community_id):
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

    @extend_schema(
        request=None,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="打印一次性告知书（PDF，生成新的查询码）",
    )
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None):
        """The printed notice carries a new 查询码 (the old one stops working), the public tracking address
        and a QR code; the assignee or the community's office."""
        case = self.get_object()
        response = HttpResponse(
            pdf.printed_notice(case, by=request.user, request=request), content_type="application/pdf"
        )
        audit.record_access(what="print", obj=case, description="一次性告知书")
        response["Content-Disposition"] = f'inline; filename="notice-{case.tracking_no}.pdf"'
        response["Cache-Control"] = "no-store"  # it carries the access code
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
