"""Who is behind the yearly requirement, the activity ledger (活动台账) and the conduct notes."""

from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.validators import PAST_DATES
from members.models import Community, Person

from .. import selectors, services
from ..models import (
    ConductKind,
    ConductNote,
)
from ..views.ledger import ledger_download
from ._common import (
    COMMUNITY_PARAM,
    XLSX,
    YEAR_PARAM,
    CommunityField,
    HasOffice,
    ReadsCommunities,
    _community_param,
    _year,
    default_community,
)
from .hours import RecordSerializer
from .posts import ClaimSerializer, PolicySerializer

# ----------------------------------------------------------------------------------- requirement, ledger


class RequirementRowSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    community = serializers.IntegerField(source="community_id")
    employer = serializers.IntegerField(source="employer_id", allow_null=True)
    employer_name = serializers.CharField()
    items = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    status = serializers.ChoiceField(choices=["behind", "met", "target"])
    status_label = serializers.CharField()
    behind = serializers.BooleanField()


class RequirementGroupSerializer(serializers.Serializer):
    employer = serializers.IntegerField(source="employer_id", allow_null=True)
    employer_name = serializers.CharField()
    behind = serializers.IntegerField()
    rows = RequirementRowSerializer(many=True)


class RequirementSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    community = serializers.IntegerField()
    policy = PolicySerializer()
    members = serializers.IntegerField()
    behind = serializers.IntegerField()
    employers = RequirementGroupSerializer(many=True)


class LedgerSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField(allow_blank=True)))


class LedgerEntrySerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    title = serializers.CharField(source="item.title")
    starts_at = serializers.DateTimeField(source="item.starts_at")
    ends_at = serializers.DateTimeField(source="item.ends_at")
    place = serializers.CharField(source="item.place")
    post = serializers.CharField(source="item.post.name", default=None, allow_null=True)
    programme = serializers.CharField(source="item.programme.name", default=None, allow_null=True)
    signup_status = serializers.CharField(source="signup.status", default=None, allow_null=True)
    checked_in_at = serializers.DateTimeField(source="signup.checked_in_at", default=None, allow_null=True)
    record = RecordSerializer(allow_null=True)
    counts = serializers.BooleanField()


class LedgerConductNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConductNote
        fields = ["id", "noted_on", "kind", "note"]


class LedgerPairingSerializer(serializers.Serializer):
    """One 结对帮扶 pairing as the ledger shows it (documentation of ``LedgerSerializer.pairings``)."""

    programme = serializers.CharField()
    household = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()


class LedgerSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    name = serializers.CharField(source="person.name")
    year = serializers.IntegerField()
    community = serializers.IntegerField(source="community.pk")
    registration_status = serializers.CharField(source="registration.status", default=None, allow_null=True)
    registered_at = serializers.DateTimeField(source="registration.decided_at", default=None, allow_null=True)
    claims = ClaimSerializer(many=True)
    team_joined_on = serializers.DateField(allow_null=True)
    entries = LedgerEntrySerializer(many=True)
    items_done = serializers.IntegerField()
    hours_done = serializers.DecimalField(max_digits=7, decimal_places=1)
    cumulative_hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    stars = serializers.IntegerField()
    requirement = serializers.SerializerMethodField()
    pairings = serializers.SerializerMethodField()
    sections = LedgerSectionSerializer(many=True)
    conduct_notes = LedgerConductNoteSerializer(
        many=True, allow_null=True, help_text="八小时以外：仅本社区党总支可见，其他人为 null"
    )

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_requirement(self, obj):
        p = obj.progress
        return {
            "text": p["requirement_text"],
            "behind": p["behind"],
            "met_target": p["met_target"],
            "status_label": p["status_label"],
        }

    @extend_schema_field(LedgerPairingSerializer(many=True))
    def get_pairings(self, obj):
        return [
            {
                "programme": p.programme.name,
                "household": p.household,
                "started_on": p.started_on,
                "ended_on": p.ended_on,
                "status": p.status,
            }
            for p in obj.pairings
        ]


class RequirementViewSet(viewsets.GenericViewSet):
    """Who is behind the yearly requirement, grouped by employer (office and town only)."""

    permission_classes = [ReadsCommunities]
    serializer_class = RequirementSerializer
    pagination_class = None
    filter_backends = []  # one summary, filtered by its own parameters (community, year, behind)
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
    filter_backends = []  # one member's ledger: nothing to sort, filter or search

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


class ConductNoteSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.display_name", read_only=True, default="")

    class Meta:
        model = ConductNote
        fields = [
            "id",
            "community",
            "person",
            "person_name",
            "noted_on",
            "kind",
            "note",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = fields


class ConductNoteCreateSerializer(serializers.Serializer):
    community = CommunityField()
    person = ScopedPrimaryKeyRelatedField(model=Person)
    noted_on = serializers.DateField(validators=[PAST_DATES])
    kind = serializers.ChoiceField(choices=ConductKind.choices, required=False, default=ConductKind.NOTE)
    note = serializers.CharField(max_length=2000)


class ConductNoteViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """八小时以外: dated notes on members' conduct outside working hours — the community office only."""

    queryset = ConductNote.objects.all()
    serializer_class = ConductNoteSerializer
    permission_classes = [HasOffice]
    filterset_fields = ["community", "person", "kind"]
    search_fields = ["person__name", "note"]
    ordering_fields = ["noted_on", "created_at"]
    ordering = ["-noted_on", "-pk"]

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
