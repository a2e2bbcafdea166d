"""What a community publishes, over the API: time limits per handling type, 七公开, 集中公告 (POST again to
change one)."""

from rest_framework import mixins, serializers, viewsets

from core.api import ScopedQuerysetMixin
from core.validators import BUSINESS_DATES

from .. import services
from ..models import Announcement, Disclosure, HandlingTimeLimit


class _CommunityScopedCreate(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    service = None

    def perform_create(self, serializer):
        serializer.instance = type(self).service(by=self.request.user, **serializer.validated_data)


class TimeLimitSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandlingTimeLimit
        fields = ["id", "community", "handling_type", "working_days", "description"]
        validators = []  # update_or_create in the service: posting the same type again changes it


class TimeLimitViewSet(_CommunityScopedCreate):
    """Each community's published time limit per handling type (POST again to change one)."""

    queryset = HandlingTimeLimit.objects.all()
    serializer_class = TimeLimitSerializer
    service = staticmethod(services.time_limit_set)


class DisclosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disclosure
        fields = ["id", "community", "kind", "body", "updated_at"]
        validators = []


class DisclosureViewSet(_CommunityScopedCreate):
    """七公开 of the service hall (POST again to update one)."""

    queryset = Disclosure.objects.all()
    serializer_class = DisclosureSerializer
    service = staticmethod(services.disclosure_save)


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "community", "category", "title", "body", "published_on"]
        extra_kwargs = {"published_on": {"required": False, "validators": [BUSINESS_DATES]}}


class AnnouncementViewSet(_CommunityScopedCreate):
    """集中公告 by the manual's categories."""

    queryset = Announcement.objects.all()
    serializer_class = AnnouncementSerializer
    service = staticmethod(services.announcement_publish)
