"""The yearly requirement's policy, the service posts, claims and the volunteer team."""

from django.db.models import F
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from members.models import Community, Person
from members.roles import scope_for

from .. import selectors, services
from ..models import (
    PostClaim,
    RequirementPolicy,
    ServicePost,
    TeamMember,
)
from ._common import (
    CommunityField,
    ReasonSerializer,
    _office_on_create,
    _own_person,
    default_community,
)

# ------------------------------------------------------------------------------------------------ policy


class PolicySerializer(serializers.ModelSerializer):
    requirement_text = serializers.SerializerMethodField()
    is_default = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="默认要求（从未设置）为 null"
    )

    class Meta:
        model = RequirementPolicy
        fields = [
            "community",
            "min_items",
            "target_items",
            "min_hours",
            "target_hours",
            "requirement_text",
            "is_default",
            "updated_at",
        ]
        read_only_fields = ["community", "updated_at"]

    def get_requirement_text(self, obj) -> str:
        return selectors.requirement_text(obj)

    def get_is_default(self, obj) -> bool:
        return obj.pk is None


class PolicyWriteSerializer(serializers.Serializer):
    min_items = serializers.IntegerField(min_value=0, max_value=50)
    target_items = serializers.IntegerField(min_value=0, max_value=50)
    min_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, required=False, default=0
    )
    target_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, required=False, default=0
    )


class PolicyViewSet(viewsets.GenericViewSet):
    """年度服务要求 per community (`policies/{community id}/`). Readable by anyone who sees the community's
    items; set by its office. A community without its own row shows the default (min 1 item, target 2)."""

    serializer_class = PolicySerializer
    filter_backends = []  # one policy per community: nothing to sort, filter or search
    lookup_url_kwarg = "pk"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Community.objects.visible_to(self.request.user)

    def list(self, request):
        communities = self.paginate_queryset(self.get_queryset().order_by("pk"))
        saved = {p.community_id: p for p in RequirementPolicy.objects.filter(community__in=communities)}
        policies = [saved.get(c.pk) or RequirementPolicy(community_id=c.pk) for c in communities]
        return self.get_paginated_response(PolicySerializer(policies, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(PolicySerializer(selectors.policy_for(self.get_object())).data)

    @extend_schema(request=PolicyWriteSerializer, responses={200: PolicySerializer})
    def update(self, request, pk=None):
        community = self.get_object()
        payload = PolicyWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        policy = services.policy_set(community=community, by=request.user, **payload.validated_data)
        return Response(PolicySerializer(policy).data)


# ------------------------------------------------------------------------------------------------- posts


class PostSerializer(serializers.ModelSerializer):
    approved_count = serializers.IntegerField(read_only=True, default=0)
    pending_count = serializers.IntegerField(read_only=True, default=0)
    vacancies = serializers.SerializerMethodField()
    match_score = serializers.SerializerMethodField()

    class Meta:
        model = ServicePost
        fields = [
            "id",
            "community",
            "name",
            "description",
            "specialties",
            "capacity",
            "is_active",
            "sort_order",
            "approved_count",
            "pending_count",
            "vacancies",
            "match_score",
        ]
        read_only_fields = fields

    def get_vacancies(self, obj) -> int:
        return max(obj.capacity - getattr(obj, "approved_count", 0), 0)

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="与本人专长、兴趣的匹配度（仅推荐列表）")
    )
    def get_match_score(self, obj):
        return getattr(obj, "match_score", None)


class PostWriteSerializer(serializers.Serializer):
    community = CommunityField()
    name = serializers.CharField(max_length=50)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    specialties = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )
    capacity = serializers.IntegerField(min_value=1, max_value=500)
    sort_order = serializers.IntegerField(min_value=0, required=False, default=0)
    is_active = serializers.BooleanField(required=False, default=True)


class PostFilter(filters.FilterSet):
    understaffed = filters.BooleanFilter(method="filter_understaffed", label="缺员岗位")

    class Meta:
        model = ServicePost
        fields = ["community", "is_active", "understaffed"]

    def filter_understaffed(self, queryset, name, value):
        if value is None:
            return queryset
        lacking = queryset.filter(is_active=True, approved_count__lt=F("capacity"))
        return lacking if value else queryset.exclude(pk__in=lacking.values("pk"))


class PostViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """十大服务岗位 of the communities the user sees, with this year's staffing (`vacancies` > 0: under-staffed).
    POST defines a post, PATCH edits it (the community office only)."""

    queryset = ServicePost.objects.all()
    serializer_class = PostSerializer
    filterset_class = PostFilter
    search_fields = ["name", "description"]
    ordering_fields = ["sort_order", "name", "capacity", "created_at"]
    ordering = ["community_id", "sort_order", "pk"]

    def optimise(self, qs):
        return selectors.posts_with_staffing(qs)

    @extend_schema(request=PostWriteSerializer, responses={201: PostSerializer})
    def create(self, request):
        _office_on_create(self, request)
        payload = PostWriteSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["community"] = default_community(request.user, data.get("community"))
        post = services.post_create(by=request.user, **data)
        return Response(
            PostSerializer(self.get_queryset().get(pk=post.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=PostWriteSerializer(partial=True), responses={200: PostSerializer})
    def partial_update(self, request, pk=None):
        post = self.get_object()
        payload = PostWriteSerializer(data=request.data, partial=True, context={"request": request})
        payload.is_valid(raise_exception=True)
        changes = {k: v for k, v in payload.validated_data.items() if k != "community"}
        services.post_update(post=post, by=request.user, **changes)
        return Response(PostSerializer(self.get_queryset().get(pk=post.pk)).data)

    # A community's posts (ten or so), best match first: one list, never paged.
    @extend_schema(responses={200: PostSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def suggested(self, request):
        """Active posts with the best match to the caller's specialties and interests first."""
        scope = scope_for(request.user)
        person = Person.objects.filter(pk=scope.person_id).select_related("membership").first()
        posts = self.filter_queryset(self.get_queryset()).filter(is_active=True)
        return Response(PostSerializer(selectors.suggested_posts(posts, person), many=True).data)


# ------------------------------------------------------------------------------------------------ claims


class ClaimSerializer(serializers.ModelSerializer):
    post_name = serializers.CharField(source="post.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = PostClaim
        fields = [
            "id",
            "community",
            "post",
            "post_name",
            "person",
            "person_name",
            "year",
            "status",
            "note",
            "decided_at",
            "decline_reason",
            "created_at",
        ]
        read_only_fields = fields


class ClaimCreateSerializer(serializers.Serializer):
    post = ScopedPrimaryKeyRelatedField(model=ServicePost)
    person = ScopedPrimaryKeyRelatedField(
        model=Person, required=False, help_text="省略为本人；工作人员代为认领时填写"
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClaimViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """岗位认领: POST claims a post for this year (a member for themself; the office for a member, approved at
    once). The office approves or declines; the member or the office withdraws."""

    queryset = PostClaim.objects.all()
    serializer_class = ClaimSerializer
    filterset_fields = ["community", "post", "status", "year", "person"]
    search_fields = ["person__name", "post__name"]
    ordering_fields = ["year", "created_at", "decided_at"]
    ordering = ["-year", "-created_at", "-pk"]

    def optimise(self, qs):
        return qs.select_related("post", "person")

    def _out(self, claim, code=status.HTTP_200_OK):
        return Response(ClaimSerializer(self.get_queryset().get(pk=claim.pk)).data, status=code)

    @extend_schema(request=ClaimCreateSerializer, responses={201: ClaimSerializer})
    def create(self, request):
        payload = ClaimCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        person = data.get("person") or _own_person(request.user)
        claim = services.claim_submit(post=data["post"], person=person, by=request.user, note=data["note"])
        return self._out(claim, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ClaimSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._out(services.claim_approve(claim=self.get_object(), by=request.user))

    @extend_schema(request=ReasonSerializer, responses={200: ClaimSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        claim = self.get_object()
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._out(services.claim_decline(claim=claim, by=request.user, **payload.validated_data))

    @extend_schema(request=None, responses={200: ClaimSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._out(services.claim_withdraw(claim=self.get_object(), by=request.user))


class TeamMemberSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["id", "community", "person", "person_name", "joined_on"]
        read_only_fields = fields


class TeamJoinSerializer(serializers.Serializer):
    community = CommunityField()
    person = ScopedPrimaryKeyRelatedField(model=Person, required=False, help_text="省略为本人")


class TeamViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """党员志愿服务队. POST joins (a registered member for themself, or the office for a member)."""

    queryset = TeamMember.objects.all()
    serializer_class = TeamMemberSerializer
    filterset_fields = ["community", "person"]
    search_fields = ["person__name"]
    ordering_fields = ["joined_on"]
    ordering = ["community_id", "joined_on", "pk"]

    def optimise(self, qs):
        return qs.select_related("person")

    @extend_schema(request=TeamJoinSerializer, responses={201: TeamMemberSerializer})
    def create(self, request):
        payload = TeamJoinSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        person = data.get("person") or _own_person(request.user)
        community = data.get("community")
        if community is None:
            registration = person.registrations.filter(status="confirmed").select_related("community").first()
            community = registration.community if registration else default_community(request.user, None)
        member = services.team_join(community=community, person=person, by=request.user)
        return Response(TeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)
