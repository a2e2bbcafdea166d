"""People and their party membership (花名册); an employer liaison reads the feedback sheet's fields only."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from core import audit
from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.validators import BIRTH_DATES, JOIN_DATES

from .. import privacy, selectors, services
from ..models import Building, Community, Employer, PartyMembership, Person
from ..privacy import shown_id_number, shown_mobile
from ..roles import scope_for
from ..validators import normalise_id_number, validate_id_number
from ._common import (
    EmployerFeedbackSerializer,
    FeedbackSheetOrderingFilter,
    OfficeCreates,
    ReadsByRole,
    reads_documented_by_role,
    shapes_by_role,
)


class MembershipSerializer(serializers.ModelSerializer):
    employer = ScopedPrimaryKeyRelatedField(Employer, required=False, allow_null=True)
    specialties = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )
    interests = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=20
    )

    class Meta:
        model = PartyMembership
        fields = ["category", "joined_on", "employer", "position", "specialties", "interests"]
        extra_kwargs = {"joined_on": {"validators": [JOIN_DATES]}}


class PersonSerializer(serializers.ModelSerializer):
    """Phone and ID numbers are shown in full only as members.privacy allows (the community's secretary
    and office director, the person themself); everyone else gets them masked and reveals one with a reason."""

    community = ScopedPrimaryKeyRelatedField(Community)
    building = ScopedPrimaryKeyRelatedField(Building, required=False, allow_null=True)
    membership = MembershipSerializer(required=False, allow_null=True)
    registration_status = serializers.CharField(read_only=True, allow_null=True)
    id_number = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=18)

    class Meta:
        model = Person
        fields = [
            "id",
            "community",
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "education",
            "mobile",
            "id_number",
            "building",
            "unit_room",
            "note",
            "membership",
            "registration_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "registration_status"]
        extra_kwargs = {"birth_date": {"validators": [BIRTH_DATES]}}

    def validate_id_number(self, value):
        if not value:
            return None
        value = normalise_id_number(value)
        validate_id_number(value)
        clash = Person.objects.filter(id_number=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("该身份证号码已登记")
        return value

    def validate(self, attrs):
        building = attrs.get("building")
        community = attrs.get("community") or getattr(self.instance, "community", None)
        if building is not None and community is not None and building.community_id != community.pk:
            raise serializers.ValidationError({"building": ["楼栋不属于该社区"]})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = request.user if request else None
        if instance.mobile:
            data["mobile"] = shown_mobile(user, instance, instance.mobile)
        if instance.id_number:
            data["id_number"] = shown_id_number(user, instance, instance.id_number)
        return data


class PersonForEmployerSerializer(EmployerFeedbackSerializer):
    """What an employer liaison reads of one of its in-service members: the feedback sheet's fields only
    (members.privacy.EMPLOYER_FEEDBACK_FIELDS), no phone or ID number, not even masked, and no address."""

    employer = serializers.IntegerField(source="membership.employer_id", read_only=True, allow_null=True)
    employer_name = serializers.CharField(
        source="membership.employer.name", read_only=True, allow_null=True, default=None
    )
    community_name = serializers.CharField(source="community.name", read_only=True)
    registration_status = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "employer",
            "employer_name",
            "community",
            "community_name",
            "registration_status",
        ]
        read_only_fields = fields


class RevealSerializer(serializers.Serializer):
    """查看完整号码: why the user needs the full numbers (written into the access log)."""

    reason = serializers.CharField(min_length=4, max_length=300, trim_whitespace=True)


class PersonRevealedSerializer(serializers.Serializer):
    mobile = serializers.CharField(allow_blank=True)
    id_number = serializers.CharField(allow_blank=True)


class PersonFilter(filters.FilterSet):
    building = filters.ModelChoiceFilter(queryset=Building.objects.all(), method="filter_building")
    category = filters.CharFilter(field_name="membership__category")
    employer = filters.NumberFilter(field_name="membership__employer")
    unregistered = filters.BooleanFilter(method="filter_unregistered", label="在职党员未报到")

    class Meta:
        model = Person
        fields = ["community", "building", "category", "employer", "unregistered"]

    def filter_unregistered(self, queryset, name, value):
        if value:
            return selectors.unregistered_in_service(queryset)
        return queryset

    def filter_building(self, queryset, name, value):
        # not on the feedback sheet: matches no row seen only as the member's employer
        return privacy.beyond_employer_view(self.request.user, queryset.filter(building=value))


class PersonSearchFilter(SearchFilter):
    """Names match in every community the user sees; phone and ID numbers only in the communities where
    the user sees them in full (members.privacy). Elsewhere the numbers are masked, and a search on them
    would confirm a guessed number (or the masked digits) one try at a time. Every term must match."""

    def filter_queryset(self, request, queryset, view):
        for term in self.get_search_terms(request):
            queryset = queryset.filter(selectors.person_search_q(request.user, term))
        return queryset


PERSON_BY_ROLE = shapes_by_role("PersonByRole", PersonSerializer, PersonForEmployerSerializer)


@reads_documented_by_role(PERSON_BY_ROLE)
class PersonViewSet(
    ReadsByRole,
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """People of the communities the user manages (an employer liaison: their own in-service members, with
    the feedback sheet's fields only)."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    employer_serializer_class = PersonForEmployerSerializer
    permission_classes = [OfficeCreates]
    filter_backends = [filters.DjangoFilterBackend, PersonSearchFilter, FeedbackSheetOrderingFilter]
    filterset_class = PersonFilter
    search_fields = ["name", "mobile", "id_number"]  # as PersonSearchFilter applies them, per community
    ordering_fields = ["name", "created_at"]
    ordering = ["community_id", "name", "pk"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def optimise(self, qs):
        related = ["membership"]
        if scope_for(self.request.user).employer_ids:
            related += ["community", "membership__employer"]  # the names on the feedback sheet
        return selectors.with_registration_status(qs.select_related(*related))

    def row_owner(self, person) -> dict:
        return {"person_id": person.pk, "community_id": person.community_id}

    def _save(self, serializer, person=None):
        data = dict(serializer.validated_data)
        membership = data.pop("membership", None)
        if membership is not None:
            membership = dict(membership)
        serializer.instance = services.person_save(
            by=self.request.user, person=person, membership=membership, **data
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, person=serializer.instance)

    def update(self, request, *args, **kwargs):
        # Only the office changes a person (services.person_save); asked before the payload is read, or a
        # liaison's 400 "ID number already registered" would tell it whether any ID number is on a roster.
        services.require_manager(request.user, self.get_object().community_id)
        return super().update(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        person = self.get_object()
        audit.record_access(what="read_full", obj=person)
        return Response(self.read_data(person, many=False))

    @extend_schema(request=RevealSerializer, responses={200: PersonRevealedSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """查看完整号码: the office of the person's community, with a reason (an AccessLog row)."""
        person = self.get_object()
        services.require_manager(request.user, person.community_id)
        payload = RevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = privacy.reveal(
            obj=person,
            values={"mobile": person.mobile or "", "id_number": person.id_number or ""},
            reason=payload.validated_data["reason"],
        )
        response = Response(PersonRevealedSerializer(values).data)
        response["Cache-Control"] = "no-store"
        return response
