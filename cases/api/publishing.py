"""What a community publishes, over the API: time limits per handling type, 七公开, 集中公告 (POST again to
change one)."""

from rest_framework import serializers

from core.validators import BUSINESS_DATES

from .. import services
from ..models import Announcement, Disclosure, HandlingTimeLimit
from ._common import ScopedRecordViewSet


class TimeLimitSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandlingTimeLimit
        fields = ["id", "community", "handling_type", "working_days", "description"]
        validators = []  # update_or_create in the service: posting the same type again changes it


class TimeLimitViewSet(ScopedRecordViewSet):
    """Each community's published time limit per handling type (POST again to change one)."""

    queryset = HandlingTimeLimit.objects.all()
    serializer_class = TimeLimitSerializer
    service = staticmethod(services.time_limit_set)
    filterset_fields = ["community", "handling_type"]
    search_fields: list[str] = []  # five rows a community, named by their type
    ordering_fields = ["handling_type", "working_days"]
    ordering = ["community_id", "handling_type", "pk"]


class DisclosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disclosure
        fields = ["id", "community", "kind", "body", "updated_at"]
        validators = []


class DisclosureViewSet(ScopedRecordViewSet):
    """七公开 of the service hall (POST again to update one)."""

    queryset = Disclosure.objects.all()
    serializer_class = DisclosureSerializer
    service = staticmethod(services.disclosure_save)
    filterset_fields = ["community", "kind"]
    search_fields = ["body"]
    ordering_fields = ["kind", "updated_at"]
    ordering = ["community_id", "kind", "pk"]


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "community", "category", "title", "body", "published_on"]
        extra_kwargs = {"published_on": {"required": False, "validators": [BUSINESS_DATES]}}


class AnnouncementViewSet(ScopedRecordViewSet):
    """集中公告 by the manual's categories."""

    queryset = Announcement.objects.all()
    serializer_class = AnnouncementSerializer
    service = staticmethod(services.announcement_publish)
    filterset_fields = ["community", "category"]
    search_fields = ["title", "body"]
    ordering_fields = ["published_on"]
    ordering = ["-published_on", "-pk"]
