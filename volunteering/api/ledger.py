"""Who is behind the yearly requirement, the activity ledger (活动台账) and the conduct notes."""

from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedQuerysetMixin
from members.models import Community

from .. import selectors, services
from ..models import (
    ConductNote,
)
from ..serializers import (
    ConductNoteCreateSerializer,
    ConductNoteSerializer,
    LedgerSerializer,
    RequirementSerializer,
)
from ..views.ledger import ledger_download
from ._common import (
    COMMUNITY_PARAM,
    XLSX,
    YEAR_PARAM,
    HasOffice,
    ReadsCommunities,
    _community_param,
    _year,
    default_community,
)

# ----------------------------------------------------------------------------------- requirement, ledger


class RequirementViewSet(viewsets.GenericViewSet):
    """Who is behind the yearly requirement, grouped by employer (office and town only)."""

    permission_classes = [ReadsCommunities]
    serializer_class = RequirementSerializer
    pagination_class = None
    queryset = Community.objects.none()  # for the schema generator; rows come from the selector

    @extend_schema(
        parameters=[COMMUNITY_PARAM, YEAR_PARAM, OpenApiParameter("behind", bool, description="只看未达标")],
        # one summary object: drf-spectacular takes `list` for an array unless told otherwise
        responses={200: forced_singular_serializer(RequirementSerializer)},
    )
    def list(self, request):
        community = _community_param(request, office=False)
        year = _year(request)
        rows = selectors.requirement_rows(community_ids=[community.pk], year=year)
        only_behind = request.query_params.get("behind") in ("1", "true", "True")
        return Response(
            RequirementSerializer(
                {
                    "year": year,
                    "community": community.pk,
                    "policy": selectors.policy_for(community),
                    "members": len(rows),
                    "behind": sum(r.behind for r in rows),
                    "employers": selectors.requirement_by_employer(rows, only_behind=only_behind),
                }
            ).data
        )


class LedgerViewSet(viewsets.GenericViewSet):
    """活动台账 of one member for one year (`ledgers/{person id}/?year=`): the office, the town, and the
    member themself. Conduct notes are included for the community's office only. `export` is the whole
    community's ledger as .xlsx."""

    serializer_class = LedgerSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.ledger_subjects(self.request.user).select_related("membership")

    @extend_schema(parameters=[YEAR_PARAM], responses={200: LedgerSerializer})
    def retrieve(self, request, pk=None):
        person = self.get_object()
        ledger = selectors.member_ledger(person=person, year=_year(request), viewer=request.user)
        return Response(LedgerSerializer(ledger).data)

    @extend_schema(
        parameters=[COMMUNITY_PARAM, YEAR_PARAM],
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            403: OpenApiResponse(description="not an office or the town"),
        },
    )
    @action(detail=False, methods=["get"], permission_classes=[ReadsCommunities])
    def export(self, request):
        return ledger_download(request, _community_param(request, office=False), _year(request))


# ------------------------------------------------------------------------------------------- conduct


class ConductNoteViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """八小时以外: dated notes on members' conduct outside working hours — the community office only."""

    queryset = ConductNote.objects.all()
    serializer_class = ConductNoteSerializer
    permission_classes = [HasOffice]
    filterset_fields = ["community", "person", "kind"]
    search_fields = ["person__name", "note"]

    def optimise(self, qs):
        return qs.select_related("person", "recorded_by")

    @extend_schema(request=ConductNoteCreateSerializer, responses={201: ConductNoteSerializer})
    def create(self, request):
        payload = ConductNoteCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["community"] = default_community(request.user, data.get("community"))
        note = services.conduct_note_add(by=request.user, **data)
        return Response(
            ConductNoteSerializer(self.get_queryset().get(pk=note.pk)).data, status=status.HTTP_201_CREATED
        )
