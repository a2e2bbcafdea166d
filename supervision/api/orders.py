"""REST API of 督办单: list and detail (scoped), answer, close, escalate."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from core.api import ScopedQuerysetMixin

from .. import services
from ..models import OrderLevel, OrderState, SupervisionOrder, SupervisionOrderEvent


class OrderEventSerializer(serializers.ModelSerializer):
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionOrderEvent
        fields = ["action", "from_state", "to_state", "by", "by_name", "at", "note"]
        read_only_fields = fields

    def get_by_name(self, obj) -> str:
        return obj.by.get_full_name() or obj.by.get_username() if obj.by_id else "系统"


class OrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    tracking_no = serializers.CharField(source="case.tracking_no", read_only=True)
    case_state = serializers.CharField(source="case.state", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    addressee_name = serializers.SerializerMethodField()
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "number",
            "case",
            "tracking_no",
            "case_state",
            "community",
            "community_name",
            "level",
            "level_label",
            "parent",
            "addressee",
            "addressee_name",
            "case_due_on",
            "issued_on",
            "due_on",
            "overdue",
            "state",
            "answer",
            "answered_at",
            "close_reason",
            "closed_at",
        ]
        read_only_fields = fields

    def get_addressee_name(self, obj) -> str:
        if obj.addressee_id is None:
            return obj.get_level_display()
        return obj.addressee.get_full_name() or obj.addressee.get_username()

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class OrderDetailSerializer(OrderSerializer):
    events = OrderEventSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "events"]
        read_only_fields = fields


class OrderAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(
        max_length=2000, help_text="what was done and when the case will be settled"
    )


class OrderCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="required while the case is still open"
    )


class OrderEscalateSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class OrderFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=OrderState.choices)
    level = django_filters.TypedChoiceFilter(choices=OrderLevel.choices, coerce=int)
    mine = django_filters.BooleanFilter(method="filter_mine", label="addressed to me")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="issued and past its deadline")
    issued_after = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = SupervisionOrder
        fields = ["state", "level", "community", "case", "mine", "overdue", "issued_after", "issued_before"]

    def filter_mine(self, queryset, name, value):
        user = self.request.user
        return queryset.filter(addressee_id=user.pk) if value else queryset.exclude(addressee_id=user.pk)

    def filter_overdue(self, queryset, name, value):
        late = {"state": OrderState.ISSUED, "due_on__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class OrderViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """督办单. Visible to the community's office (read), the addressee, and the town's supervisors."""

    queryset = SupervisionOrder.objects.all()
    serializer_class = OrderSerializer
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = OrderFilter
    ordering_fields = ["issued_on", "due_on", "level", "id"]
    ordering = ["-issued_on", "-id"]

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action != "list" else OrderSerializer

    def optimise(self, qs):
        qs = qs.select_related("case", "community", "addressee")
        if self.action != "list":
            qs = qs.prefetch_related("events__by")
        return qs

    def _answer(self, order):
        return Response(OrderDetailSerializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(request=OrderAnswerSerializer, responses={200: OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """答复: only the order's addressee (level 1) or the town's supervision office (town levels)."""
        order = self.get_object()
        payload = OrderAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.order_answer(order=order, answer=payload.validated_data["answer"], by=request.user)
        return self._answer(order)

    @extend_schema(request=OrderCloseSerializer, responses={200: OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """销号: a reason is required while the case is still open."""
        order = self.get_object()
        payload = OrderCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.order_close(order=order, reason=payload.validated_data.get("reason", ""), by=request.user)
        return self._answer(order)

    @extend_schema(request=OrderEscalateSerializer, responses={201: OrderDetailSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """升级督办 (the town's supervision office): the next level gets a new order, returned here."""
        order = self.get_object()
        payload = OrderEscalateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        child = services.order_escalate(
            order=order, note=payload.validated_data.get("note", ""), by=request.user
        )
        return Response(OrderDetailSerializer(self.get_queryset().get(pk=child.pk)).data, status=201)
