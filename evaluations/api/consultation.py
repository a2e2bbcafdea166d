"""REST API of 监督咨询: the employer's liaison asks about its own member, the community's office answers."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedPrimaryKeyRelatedField, ScopedQuerysetMixin
from core.errors import DomainError
from members.api import FeedbackSheetOrderingFilter, ReadsByRole, reads_documented_by_role, shapes_by_role
from members.models import Employer, Person
from members.roles import scope_for
from members.serializers import EmployerFeedbackSerializer

from .. import services
from ..models import Consultation, ConsultationOpinion, ConsultationPurpose, ConsultationState


class ConsultationForEmployerSerializer(EmployerFeedbackSerializer):
    """The request and the community's answer, with the ledger attached as on the sheet."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    overdue = serializers.SerializerMethodField()
    opinion = serializers.CharField(
        read_only=True, help_text="agree / reservations / disagree; empty until answered"
    )

    class Meta:
        model = Consultation
        fields = [
            "id",
            "employer",
            "employer_name",
            "person",
            "person_name",
            "community",
            "community_name",
            "purpose",
            "question",
            "state",
            "asked_at",
            "due_on",
            "overdue",
            "opinion",
            "reasons",
            "ledger",
            "answered_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.state == ConsultationState.OPEN and obj.due_on < timezone.localdate()


class ConsultationSerializer(serializers.ModelSerializer):
    """The office's and the town's view (who asked, who answered)."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    overdue = serializers.SerializerMethodField()
    opinion = serializers.CharField(
        read_only=True, help_text="agree / reservations / disagree; empty until answered"
    )

    class Meta:
        model = Consultation
        fields = [*ConsultationForEmployerSerializer.Meta.fields, "asked_by", "answered_by"]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.state == ConsultationState.OPEN and obj.due_on < timezone.localdate()


class AskSerializer(serializers.Serializer):
    employer = ScopedPrimaryKeyRelatedField(model=Employer, required=False)
    person = ScopedPrimaryKeyRelatedField(model=Person)
    purpose = serializers.ChoiceField(choices=ConsultationPurpose.choices)
    question = serializers.CharField(max_length=500, required=False, allow_blank=True)


class AnswerSerializer(serializers.Serializer):
    opinion = serializers.ChoiceField(choices=ConsultationOpinion.choices)
    reasons = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ConsultationFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="逾期未答复")

    class Meta:
        model = Consultation
        fields = ["state", "purpose", "community", "employer", "person", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(state=ConsultationState.OPEN, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


# The office and the town get ConsultationSerializer; an employer liaison gets ConsultationForEmployerSerializer (members.api.ReadsByRole).
CONSULTATIONBYROLE = shapes_by_role(
    "ConsultationByRole", ConsultationSerializer, ConsultationForEmployerSerializer
)


@reads_documented_by_role(CONSULTATIONBYROLE)
class ConsultationViewSet(
    ReadsByRole,
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Consultation.objects.all()
    serializer_class = ConsultationSerializer
    employer_serializer_class = ConsultationForEmployerSerializer
    filter_backends = [DjangoFilterBackend, FeedbackSheetOrderingFilter]
    filterset_class = ConsultationFilter
    ordering_fields = ["asked_at", "due_on", "id"]
    ordering = ["-asked_at", "-pk"]
    search_fields: list[str] = []

    def optimise(self, qs):
        return qs.select_related("community", "person", "employer")

    def row_owner(self, consultation) -> dict:
        return {"person_id": consultation.person_id, "community_id": consultation.community_id}

    @extend_schema(responses={200: CONSULTATIONBYROLE})
    def retrieve(self, request, *args, **kwargs):
        return Response(self.read_data(self.get_object(), many=False))

    def _answer(self, consultation, code=status.HTTP_200_OK):
        return Response(self.read_data(self.get_queryset().get(pk=consultation.pk), many=False), status=code)

    @extend_schema(request=AskSerializer, responses={201: ConsultationForEmployerSerializer})
    def create(self, request):
        """征求意见 (the employer's liaison)."""
        payload = AskSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        employer = data.get("employer")
        if employer is None:
            ids = scope_for(request.user).employer_ids
            if len(ids) != 1:
                raise DomainError("请选择单位", fields={"employer": ["请选择单位"]})
            employer = Employer.objects.get(pk=next(iter(ids)))
        consultation = services.consultation_ask(
            employer=employer,
            person=data["person"],
            purpose=data["purpose"],
            question=data.get("question", ""),
            by=request.user,
        )
        return self._answer(consultation, status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses={200: ConsultationSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """社区答复: 同意 / 有保留意见 / 不同意 with reasons; the ledger is attached."""
        payload = AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        consultation = self.get_object()
        services.consultation_answer(
            consultation=consultation,
            opinion=payload.validated_data["opinion"],
            reasons=payload.validated_data.get("reasons", ""),
            by=request.user,
        )
        return self._answer(consultation)

    @extend_schema(request=None, responses={200: ConsultationForEmployerSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consultation = self.get_object()
        services.consultation_withdraw(consultation=consultation, by=request.user)
        return self._answer(consultation)
