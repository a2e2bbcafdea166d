"""Featured programmes: pairings, the love supermarket's goods and hand-outs, the skills directory."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.validators import BUSINESS_DATES, PAST_DATES
from members.models import Building, Person
from members.privacy import shown_mobile

from .. import services
from ..models import (
    DonatedGood,
    GoodCategory,
    GoodHandout,
    Pairing,
    Programme,
    ProgrammeKind,
    SkillListing,
)
from ._common import (
    CommunityField,
    HasOffice,
    _office_on_create,
    _own_person,
    default_community,
)

# ---------------------------------------------------------------------------------------- programmes


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "community", "name", "kind", "description", "is_active", "created_at"]
        read_only_fields = fields


class ProgrammeWriteSerializer(serializers.Serializer):
    community = CommunityField()
    name = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=ProgrammeKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class ProgrammeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class ProgrammeViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """特色载体 of the communities the user sees; the office creates and edits them."""

    queryset = Programme.objects.all()
    serializer_class = ProgrammeSerializer
    filterset_fields = ["community", "kind", "is_active"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["community_id", "name", "pk"]

    @extend_schema(request=ProgrammeWriteSerializer, responses={201: ProgrammeSerializer})
    def create(self, request):
        _office_on_create(self, request)
        payload = ProgrammeWriteSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["community"] = default_community(request.user, data.get("community"))
        programme = services.programme_create(by=request.user, **data)
        return Response(ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProgrammeUpdateSerializer, responses={200: ProgrammeSerializer})
    def partial_update(self, request, pk=None):
        programme = self.get_object()
        payload = ProgrammeUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        programme = services.programme_update(programme=programme, by=request.user, **payload.validated_data)
        return Response(ProgrammeSerializer(programme).data)


class PairingSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "programme",
            "programme_name",
            "person",
            "person_name",
            "household",
            "recipient",
            "building",
            "address",
            "status",
            "started_on",
            "ended_on",
            "note",
        ]
        read_only_fields = fields


class PairingCreateSerializer(serializers.Serializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme)
    person = ScopedPrimaryKeyRelatedField(model=Person)
    household = serializers.CharField(max_length=100)
    started_on = serializers.DateField(validators=[BUSINESS_DATES])
    recipient = ScopedPrimaryKeyRelatedField(model=Person, required=False, allow_null=True)
    building = ScopedPrimaryKeyRelatedField(model=Building, required=False, allow_null=True)
    address = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PairingEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, validators=[BUSINESS_DATES])


class PairingViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """结对帮扶: the office pairs members with households; a member sees their own pairings."""

    queryset = Pairing.objects.all()
    serializer_class = PairingSerializer
    filterset_fields = ["programme", "person", "status"]
    search_fields = ["household", "person__name"]
    ordering_fields = ["started_on", "ended_on"]
    ordering = ["programme_id", "-started_on", "pk"]

    def optimise(self, qs):
        return qs.select_related("person", "programme")

    @extend_schema(request=PairingCreateSerializer, responses={201: PairingSerializer})
    def create(self, request):
        _office_on_create(self, request)
        payload = PairingCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        pairing = services.pairing_create(by=request.user, **payload.validated_data)
        return Response(
            PairingSerializer(self.get_queryset().get(pk=pairing.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=PairingEndSerializer, responses={200: PairingSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        pairing = self.get_object()
        payload = PairingEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.pairing_end(
            pairing=pairing, by=request.user, ended_on=payload.validated_data.get("ended_on")
        )
        return Response(PairingSerializer(self.get_queryset().get(pk=pairing.pk)).data)


class GoodSerializer(serializers.ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = DonatedGood
        fields = [
            "id",
            "programme",
            "programme_name",
            "name",
            "category",
            "quantity_received",
            "quantity_left",
            "donor",
            "received_on",
            "condition",
        ]
        read_only_fields = fields


class GoodCreateSerializer(serializers.Serializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme)
    name = serializers.CharField(max_length=80)
    category = serializers.ChoiceField(choices=GoodCategory.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=100000)
    received_on = serializers.DateField(validators=[PAST_DATES])
    donor = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    condition = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class HandoutSerializer(serializers.ModelSerializer):
    good_name = serializers.CharField(source="good.name", read_only=True)

    class Meta:
        model = GoodHandout
        fields = [
            "id",
            "good",
            "good_name",
            "recipient_name",
            "recipient",
            "quantity",
            "handed_out_on",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class HandOutSerializer(serializers.Serializer):
    recipient_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    recipient = ScopedPrimaryKeyRelatedField(model=Person, required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1)
    handed_out_on = serializers.DateField(required=False, validators=[PAST_DATES])
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class GoodViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """爱心超市 inventory. The office registers donations and hands goods out (stock never goes below 0)."""

    queryset = DonatedGood.objects.all()
    serializer_class = GoodSerializer
    filterset_fields = ["programme", "category"]
    search_fields = ["name", "donor"]
    ordering_fields = ["received_on", "name", "quantity_left"]
    ordering = ["programme_id", "-received_on", "pk"]

    def optimise(self, qs):
        return qs.select_related("programme")

    @extend_schema(request=GoodCreateSerializer, responses={201: GoodSerializer})
    def create(self, request):
        _office_on_create(self, request)
        payload = GoodCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        good = services.good_receive(by=request.user, **payload.validated_data)
        return Response(
            GoodSerializer(self.get_queryset().get(pk=good.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=HandOutSerializer, responses={201: HandoutSerializer})
    @action(detail=True, methods=["post"], url_path="hand-out")
    def hand_out(self, request, pk=None):
        good = self.get_object()
        payload = HandOutSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        handout = services.good_hand_out(good=good, by=request.user, **payload.validated_data)
        return Response(
            HandoutSerializer(GoodHandout.objects.select_related("good").get(pk=handout.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class HandoutViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Who took which goods (residents in need): the community office only."""

    queryset = GoodHandout.objects.all()
    serializer_class = HandoutSerializer
    permission_classes = [HasOffice]
    filterset_fields = ["good", "good__programme"]
    search_fields = ["recipient_name", "good__name"]
    ordering_fields = ["handed_out_on"]
    ordering = ["-handed_out_on", "-pk"]

    def optimise(self, qs):
        return qs.select_related("good")


class SkillSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = SkillListing
        fields = [
            "id",
            "programme",
            "person",
            "person_name",
            "skill",
            "contact_phone",
            "availability",
            "is_active",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        # the member's phone as the user may see it (members.privacy; the member's own in full): 138****1234
        # for anyone without 'full personal data', who reveals it on the person's record, with a reason
        data = super().to_representation(instance)
        request = self.context.get("request")
        data["contact_phone"] = shown_mobile(
            request.user if request else None, instance.person, instance.contact_phone
        )
        return data


class SkillCreateSerializer(serializers.Serializer):
    programme = ScopedPrimaryKeyRelatedField(model=Programme)
    person = ScopedPrimaryKeyRelatedField(model=Person, required=False, help_text="省略为本人")
    skill = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    availability = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SkillViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """技能名录: members' skills residents can call on (listed by the member, or by the office with consent)."""

    queryset = SkillListing.objects.all()
    serializer_class = SkillSerializer
    # Never the contact phone, in any of the three: staff and the town see it masked (139****1234), and a
    # sort, filter or search on it would tell them the hidden digits (tests/privacy).
    filterset_fields = ["programme", "person", "is_active"]
    search_fields = ["skill", "person__name"]
    ordering_fields = ["skill", "created_at"]
    ordering = ["programme_id", "skill", "pk"]

    def optimise(self, qs):
        return qs.select_related("person")

    @extend_schema(request=SkillCreateSerializer, responses={201: SkillSerializer})
    def create(self, request):
        payload = SkillCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["person"] = data.get("person") or _own_person(request.user)
        listing = services.skill_list(by=request.user, **data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=listing.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={200: SkillSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        listing = services.skill_withdraw(listing=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=listing.pk)).data)
