"""The employer liaison's inbox, on a phone: its members' sheets (download, acknowledge) and its
consultations. Only what the sheet carries (members.privacy.EMPLOYER_FEEDBACK_FIELDS)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from members.models import Employer
from members.roles import scope_for

from .. import services
from ..models import Consultation, FeedbackSheet, SheetState
from .sheets import run


def _employers(request):
    scope = scope_for(request.user)
    if not scope.employer_ids:
        raise DjangoPermissionDenied("只有单位党组织联络人可以查看单位收件箱")
    return Employer.objects.filter(pk__in=scope.employer_ids).order_by("name")


@login_required
def inbox(request):
    employers = list(_employers(request))
    ids = [e.pk for e in employers]
    sheets = (
        FeedbackSheet.objects.visible_to(request.user)
        .filter(employer_id__in=ids, is_current=True, state__in=[SheetState.ISSUED, SheetState.ACKNOWLEDGED])
        .select_related("community", "employer")
        .order_by("-year", "state", "community__name", "pk")
    )
    waiting = request.GET.get("waiting") == "1"
    if waiting:
        sheets = sheets.filter(state=SheetState.ISSUED)
    page = Paginator(sheets, 30).get_page(request.GET.get("page"))
    consultations = (
        Consultation.objects.visible_to(request.user)
        .filter(employer_id__in=ids)
        .select_related("community", "person")
        .order_by("-asked_at")[:10]
    )
    return render(
        request,
        "evaluations/employer/inbox.html",
        {
            "section": "inbox",
            "employers": employers,
            "page": page,
            "waiting": waiting,
            "consultations": consultations,
        },
    )


@login_required
@require_POST
def acknowledge(request, pk: int):
    """签收; another employer's sheet is not found (404)."""
    sheet = get_object_or_404(FeedbackSheet.objects.visible_to(request.user), pk=pk)
    run(request, lambda: services.sheet_acknowledge(sheet=sheet, by=request.user), "已签收")
    return redirect("evaluations:employer_inbox")
