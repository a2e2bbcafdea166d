"""A URLconf with routes that forgot their login check, to prove the URL walker catches them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from members import views as member_views


def leak(request, pk):
    return HttpResponse("resident 13800000000")


@login_required
def guarded(request):
    return HttpResponse("fine")


@api_view(["GET"])
@permission_classes([AllowAny])
def api_leak(request):
    return Response({"mobile": "13800000000"})


urlpatterns = [
    path("accounts/login/", member_views.LoginView.as_view(), name="login"),
    path("leak/<int:pk>/", leak, name="leak"),
    path("guarded/", guarded, name="guarded"),
    path("api/leak/", api_leak, name="api-leak"),
]
