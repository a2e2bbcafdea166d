"""REST API of the democratic evaluation (民主评议): evaluations and their actions, the panel with its
links and paper ballots, the tally, excellent members, commendation notices (通报表彰, read by the
employer's liaison too), officers' yearly reviews, and the evaluator's public ballot (the link's token is
the credential; no login)."""

from django.db.models import Count, Q
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.security import PublicLookupThrottle
from core import audit
from core.api import ScopedQuerysetMixin
from core.errors import DomainError, PermissionDenied
from members.models import Community, Person
from members.roles import scope_for

from .. import selectors, services
from ..models import Appraisal, AppraisalKind, Commendation, Evaluator, Grade, OfficerReview
from .appraisal_serializers import (
    AppraisalCreateSerializer,
    AppraisalDetailSerializer,
    AppraisalSerializer,
    BallotAcceptedSerializer,
    BallotInSerializer,
    CommendationSerializer,
    EvaluatorCreateSerializer,
    EvaluatorSerializer,
    ExcellentInSerializer,
    LinkSerializer,
    OfficerReviewCreateSerializer,
    OfficerReviewSerializer,
    PublicBallotFormSerializer,
    PublicBallotInSerializer,
    PublicTokenSerializer,
    ReopenSerializer,
    ResultSerializer,
)


class OverseesCommunities(permissions.BasePermission):
    """A community office or a town supervisor: the evaluation is the branch's business (read by the town)."""

    message = "只有社区党总支或镇督查人员可以访问"

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        scope = scope_for(request.user)
        return scope.is_superuser or bool(scope.managed_community_ids)


def _community_for_create(user, community: Community | None) -> Community:
    if community is not None:
        return community
    scope = scope_for(user)
    if len(scope.office_community_ids) == 1:
        return Community.objects.get(pk=next(iter(scope.office_community_ids)))
    raise DomainError("请选择社区", fields={"community": ["请选择社区"]})


def ballot_url(request, token: str) -> str:
    """The evaluator's personal link: the token rides in the query string, which the access log leaves out."""
    return request.build_absolute_uri(reverse("evaluations:ballot")) + f"?t={token}"


# ---------------------------------------------------------------------------------------- evaluations


class AppraisalViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """民主评议 of the communities the user's office runs or whose town the user supervises. POST prepares
    one (the community office); `open`, `close` by the office; `reopen` by the town supervisor only."""

    queryset = Appraisal.objects.all()
    serializer_class = AppraisalSerializer
    permission_classes = [OverseesCommunities]
    filterset_fields = ["community", "year", "kind", "state"]
    ordering_fields = ["year", "closes_on", "community"]
    ordering = ["-year", "community_id", "kind", "pk"]
    search_fields = ["community__name"]

    def optimise(self, qs):
        return (
            qs.select_related("community")
            .annotate(
                evaluators_count=Count("evaluators", distinct=True),
                voted_count=Count("evaluators", filter=Q(evaluators__voted_at__isnull=False), distinct=True),
            )
            .order_by("-year", "community_id", "kind", "pk")
        )

    def get_serializer_class(self):
        return AppraisalDetailSerializer if self.action == "retrieve" else AppraisalSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.prefetch_related("events__by") if self.action == "retrieve" else qs

    def _out(self, appraisal, code=200):
        return Response(AppraisalSerializer(self.get_queryset().get(pk=appraisal.pk)).data, status=code)

    @extend_schema(request=AppraisalCreateSerializer, responses={201: AppraisalSerializer})
    def create(self, request):
        payload = AppraisalCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        community = _community_for_create(request.user, data.pop("community", None))
        appraisal = services.appraisal_create(community=community, by=request.user, **data)
        return self._out(appraisal, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AppraisalSerializer, summary="开始评议（社区党总支）")
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._out(services.appraisal_open(appraisal=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=AppraisalSerializer, summary="结束评议（社区党总支）")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._out(services.appraisal_close(appraisal=self.get_object(), by=request.user))

    @extend_schema(
        request=ReopenSerializer, responses=AppraisalSerializer, summary="重新开放（镇督查，须说明理由）"
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        payload = ReopenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        appraisal = services.appraisal_reopen(
            appraisal=self.get_object(), by=request.user, **payload.validated_data
        )
        return self._out(appraisal)

    @extend_schema(responses=ResultSerializer(many=True), summary="计票结果（每人每类代表各等次票数）")
    @action(detail=True, methods=["get"], pagination_class=None)  # every subject at once, not paged
    def tally(self, request, pk=None):
        appraisal = self.get_object()
        names = dict(selectors.subjects(appraisal).values_list("pk", "name"))
        results = selectors.tally(appraisal, subject_ids=list(names))
        rows = [
            {**vars(r), "name": names.get(pid, ""), "votes": r.votes}
            for pid, r in sorted(results.items(), key=lambda kv: (names.get(kv[0], ""), kv[0]))
        ]
        return Response(ResultSerializer(rows, many=True).data)

    @extend_schema(
        request=ExcellentInSerializer, responses={201: CommendationSerializer}, summary="评选优秀党员"
    )
    @action(detail=True, methods=["post"])
    def excellent(self, request, pk=None):
        appraisal = self.get_object()
        payload = ExcellentInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        person = Person.objects.filter(pk=payload.validated_data["person"]).first()
        if person is None:
            raise DomainError("该人员不是本次评议的评议对象", fields={"person": ["不是本次评议的评议对象"]})
        selection = services.excellent_select(
            appraisal=appraisal, person=person, by=request.user, reason=payload.validated_data["reason"]
        )
        notice = Commendation.objects.select_related("person", "employer", "community").get(
            selection=selection
        )
        return Response(CommendationSerializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AppraisalSerializer}, summary="公示干部述职述廉评议结果")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        appraisal = self.get_object()
        services.cadre_result_publish(appraisal=appraisal, by=request.user)
        return self._out(appraisal)


# ------------------------------------------------------------------------------------------- the panel


class EvaluatorViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """评议代表 of the evaluations the user oversees. `issue-link` returns the personal link once (only its
    hash is kept); `paper-ballot` enters a paper ballot for the evaluator (the community office)."""

    queryset = Evaluator.objects.all()
    serializer_class = EvaluatorSerializer
    permission_classes = [OverseesCommunities]
    filterset_fields = ["appraisal", "group"]
    ordering_fields = ["group", "name", "voted_at"]
    ordering = ["appraisal_id", "group", "pk"]
    search_fields = ["name"]

    @extend_schema(request=EvaluatorCreateSerializer, responses={201: EvaluatorSerializer})
    def create(self, request):
        payload = EvaluatorCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        evaluator = services.evaluator_add(by=request.user, **payload.validated_data)
        return Response(EvaluatorSerializer(evaluator).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.evaluator_remove(evaluator=instance, by=self.request.user)

    @extend_schema(request=None, responses={201: LinkSerializer}, summary="生成个人评议链接（只显示一次）")
    @action(detail=True, methods=["post"], url_path="issue-link")
    def issue_link(self, request, pk=None):
        token = services.evaluator_issue_link(evaluator=self.get_object(), by=request.user)
        return Response({"url": ballot_url(request, token), "token": token}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=BallotInSerializer, responses={201: BallotAcceptedSerializer}, summary="录入纸质选票"
    )
    @action(detail=True, methods=["post"], url_path="paper-ballot")
    def paper_ballot(self, request, pk=None):
        evaluator = self.get_object()
        payload = BallotInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ballots = services.ballot_enter_paper(
            evaluator=evaluator, by=request.user, grades=payload.as_service_grades()
        )
        return Response({"ballots": len(ballots)}, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------ commendations, reviews


class CommendationViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """通报表彰: the community's office and town see their communities'; an employer's liaison sees its own
    members' only (the fields of the feedback sheet)."""

    queryset = Commendation.objects.all()
    serializer_class = CommendationSerializer
    filterset_fields = ["year", "employer", "community"]
    ordering_fields = ["year", "number", "issued_at"]
    ordering = ["-year", "number", "pk"]
    search_fields = ["number", "person__name"]

    def optimise(self, qs):
        return qs.select_related("person", "employer", "community")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, summary="通报表彰 PDF")
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        from ..pdf_appraisal import commendation_pdf

        notice = self.get_object()
        content = commendation_pdf(notice)
        audit.record_access(what="print", obj=notice, description="通报表彰")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename=commendation-{notice.number}.pdf"
        return response


class OfficerReviewViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """民情信息员年度考评: the office and town see their communities'; an officer their own. POST reviews an
    officer's year and applies the outcome through the officer's record (the office or the town)."""

    queryset = OfficerReview.objects.all()
    serializer_class = OfficerReviewSerializer
    filterset_fields = ["year", "officer", "outcome"]
    ordering_fields = ["year", "created_at"]
    ordering = ["-year", "officer_id", "pk"]
    search_fields = ["officer__person__name"]

    def optimise(self, qs):
        return qs.select_related("officer__person", "record")

    @extend_schema(request=OfficerReviewCreateSerializer, responses={201: OfficerReviewSerializer})
    def create(self, request):
        payload = OfficerReviewCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        review = services.officer_review(by=request.user, **payload.validated_data)
        return Response(
            OfficerReviewSerializer(self.optimise(OfficerReview.objects).get(pk=review.pk)).data, status=201
        )


# ---------------------------------------------------------------------------------- the public ballot


def ballot_form(evaluator: Evaluator) -> dict:
    """What the evaluator's phone page shows: each subject with the year's ledger summary."""
    appraisal = evaluator.appraisal
    summaries = selectors.ledger_summaries(appraisal)
    rows = []
    for pk, name in selectors.subjects(appraisal).values_list("pk", "name"):
        s = summaries.get(pk) or selectors.LedgerSummary(person_id=pk)
        rows.append(
            {
                "person": pk,
                "name": name,
                "items": s.items,
                "hours": s.hours,
                "cases": s.cases,
                "registered_on": s.registered_on,
            }
        )
    return {
        "community_name": appraisal.community.name,
        "year": appraisal.year,
        "kind_label": appraisal.get_kind_display(),
        "show_ledger": appraisal.kind == AppraisalKind.MEMBERS,
        "evaluator_name": evaluator.name,
        "closes_on": appraisal.closes_on,
        "grades": dict(Grade.choices),
        "subjects": rows,
    }


def live_evaluator(token: str) -> Evaluator:
    """The link's evaluator while it may still vote; otherwise the one refusal for every dead link."""
    evaluator = services.evaluator_for_token(token)
    if evaluator is None or evaluator.voted_at or not selectors.accepts_ballots(evaluator.appraisal):
        raise PermissionDenied(services.appraisal.LINK_DEAD)
    return evaluator


class PublicBallotViewSet(viewsets.GenericViewSet):
    """The evaluator's ballot through their personal link (no login): `lookup` shows the form, POST casts
    the whole ballot once. The token is sent in the body, never in the path."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [PublicLookupThrottle]
    serializer_class = PublicBallotInSerializer
    pagination_class = None

    @extend_schema(
        request=PublicBallotInSerializer,
        responses={201: BallotAcceptedSerializer},
        summary="提交评议选票（凭个人链接）",
    )
    def create(self, request):
        payload = PublicBallotInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ballots = services.ballot_submit_by_link(
            token=payload.validated_data["token"], grades=payload.as_service_grades()
        )
        return Response({"ballots": len(ballots)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PublicTokenSerializer,
        responses=PublicBallotFormSerializer,
        summary="打开评议选票（凭个人链接）",
    )
    @action(detail=False, methods=["post"])
    def lookup(self, request):
        payload = PublicTokenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        evaluator = live_evaluator(payload.validated_data["token"])
        return Response(PublicBallotFormSerializer(ballot_form(evaluator)).data)


__all__ = [
    "AppraisalViewSet",
    "CommendationViewSet",
    "EvaluatorViewSet",
    "OfficerReviewViewSet",
    "PublicBallotViewSet",
]
