"""The shape most of the cases API's records share: a scoped list, a detail, and a create that is one
service call (channels, publishing, thematic groups)."""

from rest_framework import mixins, viewsets

from core.api import ScopedQuerysetMixin


class ScopedRecordViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """List and read what the user may see (`visible_to`); POST is `service(by=user, **validated data)`.
    A subclass names its service, and its list's `filterset_fields`, `search_fields`, `ordering_fields`
    and default `ordering` (tests/architecture/test_list_views.py)."""

    service = None

    def perform_create(self, serializer):
        serializer.instance = type(self).service(by=self.request.user, **serializer.validated_data)
