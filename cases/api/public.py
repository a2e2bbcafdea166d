"""The public (no login) endpoints: a resident's submission, lookup with number + access code and rating,
the privacy notice, the published reception rota and each community's disclosure."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.security import FormParser, JSONParser, MultiPartParser
from members.models import Community

from .. import retention, security, selectors, services
from ..models import Case, Category, Rating, ReceptionDay
from ..states import CaseState


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
    filter_backends = []  # the published rota in date order, open to anyone: nothing to sort, filter or search

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
