"""What the page modules share: the office-only guard and how a refused service call is shown."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from core.errors import DomainError
from members.models import Community
from members.permissions import is_office_anywhere
from members.roles import scope_for


def _managed(request):
    communities = Community.objects.managed_by(request.user)
    if not is_office_anywhere(scope_for(request.user)):
        raise DjangoPermissionDenied("只有社区工作人员可以使用此页面")
    return communities


def _error(request, exc: DomainError):
    detail = "；".join(
        f"{m}" for msgs in exc.fields.values() for m in (msgs if isinstance(msgs, list) else [msgs])
    )
    messages.error(request, f"{exc.message}{'：' + detail if detail else ''}")
