"""The user's own notifications (/api/v1/notifications/); the audit trail and access log for auditors
(/api/v1/audit-events/, /api/v1/access-logs/)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import notifications
from .api import IdListField
from .models import AccessLog, AuditEvent, Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    ids = IdListField(required=False)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class PreferencesSerializer(serializers.Serializer):
    """通知方式: in-app is always on; email and SMS as the user chose."""

    in_app = serializers.BooleanField(read_only=True, default=True)
    mail_enabled = serializers.BooleanField(required=False)
    sms_enabled = serializers.BooleanField(required=False)


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="未读")

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """我的通知: the signed-in user's own notifications, newest first (`unread=true` for the unread ones).
    Another user's notification is a 404."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    filterset_class = NotificationFilter
    search_fields: list[str] = []
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return Notification.objects.filter(recipient_id=self.request.user.pk)

    @extend_schema(request=MarkReadSerializer, responses={200: MarkedSerializer})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        """Mark the listed notifications (`ids`), or all, read."""
        payload = MarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        count = notifications.mark_read(user=request.user, ids=payload.validated_data.get("ids"))
        return Response({"marked": count})

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"], url_path="read")
    def read(self, request, pk=None):
        """Mark this notification read."""
        note = self.get_object()
        notifications.mark_read(user=request.user, ids=[note.pk])
        note.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(note).data)

    @extend_schema(responses={200: UnreadCountSerializer}, filters=False)
    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        """The number on the bell."""
        return Response({"unread": notifications.unread_count(request.user)})

    @extend_schema(methods=["GET"], responses={200: PreferencesSerializer}, filters=False)
    @extend_schema(methods=["PATCH"], request=PreferencesSerializer, responses={200: PreferencesSerializer})
    @action(
        detail=False,
        methods=["get", "patch"],
        url_path="preferences",
        filter_backends=[],
        pagination_class=None,
    )
    def preferences(self, request):
        """通知方式: how the user wants to be told besides the inbox (email, SMS)."""
        if request.method == "PATCH":
            payload = PreferencesSerializer(data=request.data, partial=True)
            payload.is_valid(raise_exception=True)
            choice = notifications.set_preferences(user=request.user, **payload.validated_data)
        else:
            choice = notifications.preferences_for(request.user)
        return Response(
            PreferencesSerializer(
                {"in_app": True, "mail_enabled": choice.mail_enabled, "sms_enabled": choice.sms_enabled}
            ).data
        )


# ------------------------------------------------------------------------------------------ audit trail


class ReadsTrail(permissions.BasePermission):
    """The 审计员 permission (`core.view_auditevent` / `core.view_accesslog`), superusers included."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(view.required_permission))


class _TrailFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")


class AuditEventFilter(_TrailFilter):
    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id", "actor", "action", "community_id", "request_id"]


class AccessLogFilter(_TrailFilter):
    class Meta:
        model = AccessLog
        fields = ["object_type", "object_id", "actor", "what", "community_id", "request_id"]


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "community_id",
            "changes",
            "ip",
            "request_id",
            "reason",
            "extra",
        ]
        read_only_fields = fields


class AccessLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessLog
        fields = [
            "id",
            "at",
            "actor",
            "actor_label",
            "what",
            "object_type",
            "object_id",
            "description",
            "community_id",
            "ip",
            "request_id",
            "reason",
            "extra",
        ]
        read_only_fields = fields


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """审计日志 (read-only): every write to a domain object and every security event, newest first.
    Filter by object (`object_type=members.Person&object_id=12`), actor, action, community and date range
    (`since`, `until`, ISO 8601). Needs the 审计员 permission."""

    serializer_class = AuditEventSerializer
    queryset = AuditEvent.objects.all()
    permission_classes = [ReadsTrail]
    required_permission = "core.view_auditevent"
    filterset_class = AuditEventFilter
    search_fields: list[str] = []
    ordering_fields = ["at"]
    ordering = ["-at", "-pk"]


class AccessLogViewSet(viewsets.ReadOnlyModelViewSet):
    """访问日志 (read-only): full reads of residents' records, exports and prints, newest first.
    Same filters as the audit trail, with `what` instead of `action`. Needs the 审计员 permission."""

    serializer_class = AccessLogSerializer
    queryset = AccessLog.objects.all()
    permission_classes = [ReadsTrail]
    required_permission = "core.view_accesslog"
    filterset_class = AccessLogFilter
    search_fields: list[str] = []
    ordering_fields = ["at"]
    ordering = ["-at", "-pk"]
