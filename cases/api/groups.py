"""专题反馈 over the API: group cases about the same issue and answer them all with one reply."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api import IdListField

from .. import services
from ..models import Case, FeedbackMethod, ThematicGroup
from ._common import ScopedRecordViewSet


class ThematicGroupSerializer(serializers.ModelSerializer):
    cases = serializers.PrimaryKeyRelatedField(many=True, queryset=Case.objects.all(), write_only=True)
    case_ids = serializers.SerializerMethodField()
    # "" until replied: a read-only model field loses `allow_blank`, so the schema would not admit it
    reply_method = serializers.ChoiceField(choices=FeedbackMethod.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ThematicGroup
        fields = [
            "id",
            "community",
            "title",
            "cases",
            "case_ids",
            "reply",
            "reply_method",
            "replied_at",
            "created_at",
        ]
        read_only_fields = ["reply", "reply_method", "replied_at", "created_at"]

    def get_case_ids(self, obj) -> list[int]:
        return [c.pk for c in obj.cases.all()]


class GroupReplyIn(serializers.Serializer):
    reply = serializers.CharField(allow_blank=True)
    method = serializers.ChoiceField(choices=FeedbackMethod.choices)


class GroupAddIn(serializers.Serializer):
    cases = IdListField(allow_empty=False)


class ThematicGroupViewSet(ScopedRecordViewSet):
    """专题反馈: group cases about the same issue and answer them all with one reply."""

    queryset = ThematicGroup.objects.all()
    serializer_class = ThematicGroupSerializer
    filterset_fields = ["community"]
    search_fields = ["title"]
    ordering_fields = ["created_at", "replied_at"]
    ordering = ["-created_at", "-pk"]

    def optimise(self, qs):
        return qs.prefetch_related("cases")

    def _visible_cases(self, ids):
        cases = list(Case.objects.visible_to(self.request.user).filter(pk__in=ids))
        if len(cases) != len(set(ids)):
            raise NotFound("有民情件不存在")
        return cases

    def create(self, request):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        cases = self._visible_cases([c.pk for c in ser.validated_data["cases"]])
        group = services.group_create(
            community=ser.validated_data["community"],
            by=request.user,
            title=ser.validated_data["title"],
            cases=cases,
        )
        return Response(self.get_serializer(group).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GroupAddIn, responses=ThematicGroupSerializer, summary="归入更多民情件")
    @action(detail=True, methods=["post"], url_path="add-cases")
    def add_cases(self, request, pk=None):
        group = self.get_object()
        ser = GroupAddIn(data=request.data)
        ser.is_valid(raise_exception=True)
        services.group_add_cases(
            group=group, by=request.user, cases=self._visible_cases(ser.validated_data["cases"])
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=group.pk)).data)

    @extend_schema(
        request=GroupReplyIn,
        responses=inline_serializer(
            "GroupReplyResult", {"answered": serializers.ListField(), "skipped": serializers.ListField()}
        ),
        summary="专题答复（每件记录）",
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        group = self.get_object()
        ser = GroupReplyIn(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(services.group_reply(group=group, by=request.user, **ser.validated_data))
