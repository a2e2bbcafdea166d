"""How a case reads over the API — list row, detail with its timeline and photos, the intake form and the
answer to it (with the access code, once) — beside `cases.py`, the case views."""

from django.utils import timezone
from rest_framework import serializers

from core.validators import PAST_DATES
from members.models import Building, Community, Person
from members.privacy import shown_mobile

from .. import selectors
from ..models import Case, CaseAttachment, CaseEvent, Category, Channel
from ..states import allowed_actions


class CaseEventSerializer(serializers.ModelSerializer):
    by_name = serializers.SerializerMethodField()
    action_display = serializers.CharField(read_only=True)
    from_state_display = serializers.CharField(read_only=True)
    to_state_display = serializers.CharField(read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "action",
            "action_display",
            "from_state",
            "from_state_display",
            "to_state",
            "to_state_display",
            "by",
            "by_name",
            "by_resident",
            "at",
            "note",
            "data",
        ]

    def get_by_name(self, obj) -> str:
        return obj.by.display_name if obj.by_id else ("居民" if obj.by_resident else "")


class CaseAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CaseAttachment
        fields = ["id", "content_type", "size", "original_name", "url"]

    def get_url(self, obj) -> str:
        return f"/cases/attachments/{obj.pk}/"


class CaseListSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True, default="")
    assignee_name = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    handling_type_label = serializers.CharField(source="get_handling_type_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    resident_display = serializers.CharField(read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "tracking_no",
            "community",
            "community_name",
            "channel",
            "channel_label",
            "category",
            "category_label",
            "state",
            "state_label",
            "handling_type",
            "handling_type_label",
            "due_on",
            "is_overdue",
            "assignee",
            "assignee_kind",
            "assignee_name",
            "received_at",
            "resident_display",
            "building",
            "building_name",
            "group",
            "reopen_count",
        ]

    def get_assignee_name(self, obj) -> str:
        return obj.assignee.display_name if obj.assignee_id else ""

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class CaseDetailSerializer(CaseListSerializer):
    events = CaseEventSerializer(many=True, read_only=True)
    attachments = CaseAttachmentSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    calendar_warning = serializers.SerializerMethodField()
    reported_by_officer_name = serializers.SerializerMethodField()
    feedback_method_label = serializers.CharField(source="get_feedback_method_display", read_only=True)
    rating_label = serializers.CharField(source="get_rating_display", read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + [
            "content",
            "resident",
            "resident_name",
            "resident_phone",
            "anonymous",
            "needs_home_visit",
            "received_by",
            "reported_by_officer",
            "reported_by_officer_name",
            "time_limit_days",
            "missing_documents",
            "documents_requested_at",
            "documents_received_at",
            "escalated_to",
            "escalated_at",
            "higher_reply",
            "higher_reply_on",
            "referral_department",
            "explanation",
            "resolution",
            "resolved_at",
            "feedback_method",
            "feedback_method_label",
            "feedback_text",
            "feedback_at",
            "visit_at",
            "visit_address",
            "rating",
            "rating_label",
            "rating_comment",
            "rated_at",
            "rated_by_resident",
            "closed_at",
            "events",
            "attachments",
            "allowed_actions",
            "calendar_warning",
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        return allowed_actions(obj.state)

    def get_calendar_warning(self, obj) -> str | None:
        return selectors.calendar_warning_for(obj)

    def get_reported_by_officer_name(self, obj) -> str:
        return obj.reported_by_officer.person.name if obj.reported_by_officer_id else ""

    def to_representation(self, instance):
        # the resident's phone as the user may see it (members.privacy); the office reveals it with a reason
        data = super().to_representation(instance)
        request = self.context.get("request")
        if instance.resident_phone:
            data["resident_phone"] = shown_mobile(
                request.user if request else None, instance.community_id, instance.resident_phone
            )
        return data


class CaseRevealedSerializer(serializers.Serializer):
    resident_phone = serializers.CharField(allow_blank=True)


class CaseIntakeSerializer(serializers.Serializer):
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all())
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    content = serializers.CharField(allow_blank=True, max_length=20000)
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True
    )
    resident = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    resident_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    resident_phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    needs_home_visit = serializers.BooleanField(required=False, default=False)
    received_at = serializers.DateTimeField(required=False, allow_null=True, validators=[PAST_DATES])
    settle_on_spot = serializers.BooleanField(required=False, default=False)
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class CaseCreatedSerializer(CaseDetailSerializer):
    access_code = serializers.SerializerMethodField()

    class Meta(CaseDetailSerializer.Meta):
        fields = CaseDetailSerializer.Meta.fields + ["access_code"]

    def get_access_code(self, obj) -> str:
        return getattr(obj, "access_code", "")
