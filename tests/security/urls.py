"""The real URLconf plus two views that fail on purpose (a page and an API endpoint)."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as real_urlpatterns


def broken_page(request):
    raise RuntimeError("boom: SELECT secret FROM members_person")


@api_view(["GET"])
@permission_classes([AllowAny])
def broken_api(request):
    raise RuntimeError("boom: SELECT secret FROM members_person")


class SubmitThrottle(ScopedRateThrottle):
    scope_attr = "throttle_scope"

    def get_rate(self):
        return "5/minute"


@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([SubmitThrottle])
def throttled_submit(request):
    return Response({"ok": True}, status=201)


throttled_submit.cls.throttle_scope = "public_submit"

urlpatterns = [
    path("api/throttled/", throttled_submit),
    path("boom/", broken_page),
    path("api/boom/", broken_api),
    *real_urlpatterns,
]

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]
