"""民情信息员: appoint, end, commendations and penalties, the letter, strength against the quota."""

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import audit
from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.validators import BUSINESS_DATES, PAST_DATES

from .. import selectors, services
from ..models import (
    Community,
    Compound,
    InformationOfficer,
    OfficerEndReason,
    OfficerRecord,
    OfficerRecordKind,
    OfficerSource,
    Person,
)
from ._common import OfficeCreates


class OfficerRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfficerRecord
        fields = ["id", "kind", "on", "reason", "amount_yuan", "created_at"]


class OfficerSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    records = OfficerRecordSerializer(many=True, read_only=True)
    # "" while in post: declared, because a read-only model field loses `allow_blank` and the schema
    # would then not admit the blank value
    end_reason = serializers.ChoiceField(choices=OfficerEndReason.choices, allow_blank=True, read_only=True)

    class Meta:
        model = InformationOfficer
        fields = [
            "id",
            "community",
            "person",
            "person_name",
            "appointment_no",
            "appointed_on",
            "term_end",
            "source",
            "compound",
            "status",
            "ended_on",
            "end_reason",
            "records",
        ]
        read_only_fields = fields


class OfficerAppointSerializer(serializers.Serializer):
    community = ScopedPrimaryKeyRelatedField(Community)
    person = ScopedPrimaryKeyRelatedField(Person)
    source = serializers.ChoiceField(choices=OfficerSource.choices)
    appointed_on = serializers.DateField(validators=[BUSINESS_DATES])
    term_years = serializers.IntegerField(min_value=1, max_value=5, required=False, default=3)
    appointment_no = serializers.CharField(required=False, allow_blank=True, max_length=30)
    compound = ScopedPrimaryKeyRelatedField(Compound, required=False, allow_null=True)


class OfficerEndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=OfficerEndReason.choices)
    on = serializers.DateField(required=False, validators=[PAST_DATES])


class OfficerRecordCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OfficerRecordKind.choices)
    reason = serializers.CharField(max_length=250)
    on = serializers.DateField(required=False, validators=[PAST_DATES])
    amount_yuan = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, min_value=0)
    skip_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OfficerStrengthSerializer(serializers.Serializer):
    community_id = serializers.IntegerField()
    community_name = serializers.CharField()
    quota = serializers.IntegerField()
    active = serializers.IntegerField()
    vacancies = serializers.IntegerField()


class OfficerViewSet(ScopedQuerysetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """民情信息员: POST appoints; actions end an appointment, record rewards/penalties, print the letter."""

    queryset = InformationOfficer.objects.all()
    serializer_class = OfficerSerializer
    permission_classes = [OfficeCreates]
    filterset_fields = ["community", "status", "source"]
    search_fields = ["person__name", "appointment_no"]
    ordering_fields = ["appointment_no", "appointed_on", "term_end"]
    ordering = ["community_id", "appointment_no", "pk"]

    def optimise(self, qs):
        return qs.select_related("person").prefetch_related(
            Prefetch("records", queryset=OfficerRecord.objects.order_by("on", "pk"))
        )

    @extend_schema(request=OfficerAppointSerializer, responses={201: OfficerSerializer})
    def create(self, request, *args, **kwargs):
        payload = OfficerAppointSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        officer = services.officer_appoint(by=request.user, **payload.validated_data)
        return Response(OfficerSerializer(officer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OfficerEndSerializer, responses={200: OfficerSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        officer = self.get_object()
        payload = OfficerEndSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        officer = services.officer_end(officer=officer, by=request.user, **payload.validated_data)
        return Response(OfficerSerializer(officer).data)

    @extend_schema(request=OfficerRecordCreateSerializer, responses={201: OfficerRecordSerializer})
    @action(detail=True, methods=["post"])
    def records(self, request, pk=None):
        officer = self.get_object()
        payload = OfficerRecordCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        record = services.officer_record(officer=officer, by=request.user, **payload.validated_data)
        return Response(OfficerRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def letter(self, request, pk=None):
        from ..letters import appointment_letter_pdf

        officer = self.get_object()
        pdf = appointment_letter_pdf(officer)
        audit.record_access(what="print", obj=officer, description="聘书")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename=letter-{officer.appointment_no}.pdf"
        return response

    @extend_schema(responses={200: OfficerStrengthSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)  # one row per community, never paged
    def strength(self, request):
        """Active officers against each visible community's quota; `vacancies` > 0 is the alert."""
        communities = Community.objects.visible_to(request.user).managed_by(request.user)
        rows = [{**s.__dict__, "vacancies": s.vacancies} for s in selectors.officer_strength(communities)]
        return Response(OfficerStrengthSerializer(rows, many=True).data)
