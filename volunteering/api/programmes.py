"""Featured programmes: pairings, the love supermarket's goods and hand-outs, the skills directory."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedQuerysetMixin

from .. import services
from ..models import (
    DonatedGood,
    GoodHandout,
    Pairing,
    Programme,
    SkillListing,
)
from ..serializers import (
    GoodCreateSerializer,
    GoodSerializer,
    HandOutSerializer,
    HandoutSerializer,
    PairingCreateSerializer,
    PairingEndSerializer,
    PairingSerializer,
    ProgrammeSerializer,
    ProgrammeUpdateSerializer,
    ProgrammeWriteSerializer,
    SkillCreateSerializer,
    SkillSerializer,
)
from ._common import (
    HasOffice,
    _office_on_create,
    _own_person,
    default_community,
)

# ---------------------------------------------------------------------------------------- programmes


class ProgrammeViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """特色载体 of the communities the user sees; the office creates and edits them."""

    queryset = Programme.objects.all()
    serializer_class = ProgrammeSerializer
    filterset_fields = ["community", "kind", "is_active"]
    search_fields = ["name"]

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


class PairingViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """结对帮扶: the office pairs members with households; a member sees their own pairings."""

    queryset = Pairing.objects.all()
    serializer_class = PairingSerializer
    filterset_fields = ["programme", "person", "status"]
    search_fields = ["household", "person__name"]

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


class GoodViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """爱心超市 inventory. The office registers donations and hands goods out (stock never goes below 0)."""

    queryset = DonatedGood.objects.all()
    serializer_class = GoodSerializer
    filterset_fields = ["programme", "category"]
    search_fields = ["name", "donor"]

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

    def optimise(self, qs):
        return qs.select_related("good")


class SkillViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """技能名录: members' skills residents can call on (listed by the member, or by the office with consent)."""

    queryset = SkillListing.objects.all()
    serializer_class = SkillSerializer
    filterset_fields = ["programme", "person", "is_active"]
    search_fields = ["skill", "person__name"]

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
