"""The employer liaison's inbox, on a phone: its members' sheets (download, acknowledge) and its
consultations. Only what the sheet carries (members.privacy.EMPLOYER_FEEDBACK_FIELDS).

What the liaison downloads: each sheet's PDF (the document the community issued, with its number and
issuer), and one workbook of the year (`inbox_xlsx`): a row per sent sheet of its own members, from
every community, with exactly the sheet's lines. The liaison is the party organisation that runs its own
民主评议 of these members and weighs them for 评先评优 and promotion; it compiles the sheets into its own
list, and a workbook spares it retyping them. Drafts, other employers' members and anything off the
sheet (phone, ID number, address) are not in it; each download is in the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import audit
from members.models import Employer
from members.roles import scope_for

from .. import services
from ..documents.sheets import employer_workbook
from ..models import Commendation, Consultation, FeedbackSheet, SheetState
from .sheets import XLSX, chosen_year, download, run

SENT = [SheetState.ISSUED, SheetState.ACKNOWLEDGED]


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
        .filter(employer_id__in=ids, is_current=True, state__in=SENT)
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
    years = list(
        FeedbackSheet.objects.visible_to(request.user)
        .filter(employer_id__in=ids, is_current=True, state__in=SENT)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    commendations = (
        Commendation.objects.visible_to(request.user)
        .filter(employer_id__in=ids)
        .select_related("community", "person")
        .order_by("-year", "-issued_at", "-pk")[:20]
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
            "years": years,
            "commendations": commendations,
        },
    )


@login_required
def inbox_xlsx(request):
    """The year's sent sheets of the liaison's members, one row each, from every community."""
    employers = list(_employers(request))
    year = chosen_year(request)
    rows = (
        FeedbackSheet.objects.visible_to(request.user)
        .filter(employer__in=employers, year=year, is_current=True, state__in=SENT)
        .select_related("community")
        .order_by("community__name", "person__name", "pk")
    )
    names = "、".join(e.name for e in employers)
    title = f"{names} {year} 年度在职党员小区活动情况反馈单"
    audit.record_access(what="export", description=title, request=request)
    return download(
        employer_workbook(rows.iterator(chunk_size=500), title=title),
        filename=f"{title}.xlsx",
        content_type=XLSX,
    )


@login_required
@require_POST
def acknowledge(request, pk: int):
    """签收; another employer's sheet is not found (404)."""
    sheet = get_object_or_404(FeedbackSheet.objects.visible_to(request.user), pk=pk)
    run(request, lambda: services.sheet_acknowledge(sheet=sheet, by=request.user), "已签收")
    return redirect("evaluations:employer_inbox")


@login_required
def commendation_download(request, pk: int):
    """通报表彰 as a PDF: the liaison of the member's employer (and the community's office); anyone else's
    is a 404."""
    from ..pdf_appraisal import commendation_pdf

    notice = get_object_or_404(Commendation.objects.visible_to(request.user), pk=pk)
    audit.record_access(what="print", obj=notice, description=f"通报表彰 {notice.number}", request=request)
    return download(
        commendation_pdf(notice), filename=f"通报表彰-{notice.number}.pdf", content_type="application/pdf"
    )
