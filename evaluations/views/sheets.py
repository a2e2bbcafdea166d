"""The secretary's (and the town's) feedback-sheet pages, on desktop: generate with progress, the list by
employer with acknowledgement status, the branch's opinion per member before issue, downloads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.errors import DomainError
from core.forms import Form
from members.models import Community, Employer, Town
from members.roles import scope_for

from .. import services
from ..documents.sheets import employer_workbook, sheet_pdf, sheets_pdf
from ..models import FeedbackSheet, SheetBatch, SheetState
from ..selectors import sheets as selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run(request, action, success: str) -> bool:
    """Call a service; a refused rule becomes a message on the page. True on success."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True


def default_year() -> int:
    """The sheets go out at year end: in December the current year, before that the last one."""
    today = timezone.localdate()
    return today.year if today.month == 12 else today.year - 1


def chosen_year(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    this_year = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this_year else default_year()


def managed_communities(request):
    scope = scope_for(request.user)
    qs = (
        Community.objects.all()
        if scope.is_superuser
        else Community.objects.filter(pk__in=scope.managed_community_ids)
    )
    return qs.select_related("town").order_by("town_id", "name")


def chosen_community(request) -> Community:
    communities = managed_communities(request)
    raw = request.GET.get("community") or request.POST.get("community") or ""
    if raw.isdigit():
        return get_object_or_404(communities, pk=raw)
    scope = scope_for(request.user)
    own = communities.filter(pk__in=scope.office_community_ids).first() if not scope.is_superuser else None
    community = own or communities.first()
    if community is None:
        raise DjangoPermissionDenied("只有社区党总支或镇督查可以查看反馈单")
    return community


def download(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def sheets(request):
    community = chosen_community(request)
    year = chosen_year(request)
    scope = scope_for(request.user)
    visible = FeedbackSheet.objects.visible_to(request.user)
    in_community = visible.filter(community=community)
    rows = (
        in_community.filter(year=year, is_current=True)
        .select_related("employer", "person")
        .order_by("employer__name", "person__name", "pk")
    )
    state = request.GET.get("state", "")
    if state in SheetState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    town = community.town
    return render(
        request,
        "evaluations/sheets/index.html",
        {
            "section": "sheets",
            "community": community,
            "communities": managed_communities(request),
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "counts": selectors.sheet_counts(in_community, year=year),
            "batch": SheetBatch.objects.filter(community=community, year=year).first(),
            "acknowledgements": selectors.acknowledgement_by_employer(in_community, year=year),
            "page": page,
            "state": state,
            "states": [(s.value, s.label) for s in SheetState if s != SheetState.SUPERSEDED],
            "runs_office": scope.runs_office(community.pk),
            "supervises_town": scope.supervises_town(town.pk),
            "town": town,
        },
    )


@login_required
def town_acknowledgements(request):
    """The town sees every community's employers that have not acknowledged."""
    year = chosen_year(request)
    scope = scope_for(request.user)
    if not scope.town_ids and not scope.is_superuser:
        raise DjangoPermissionDenied("只有镇督查可以查看全镇反馈单签收情况")
    towns = Town.objects.all() if scope.is_superuser else Town.objects.filter(pk__in=scope.town_ids)
    rows = selectors.acknowledgement_by_employer(FeedbackSheet.objects.visible_to(request.user), year=year)
    batches = (
        SheetBatch.objects.visible_to(request.user)
        .filter(year=year)
        .select_related("community")
        .order_by("community__name", "-pk")
    )
    latest = {}
    for batch in batches:
        latest.setdefault(batch.community_id, batch)
    return render(
        request,
        "evaluations/sheets/town.html",
        {"section": "sheets", "year": year, "rows": rows, "towns": towns, "batches": list(latest.values())},
    )


@login_required
@require_POST
def generate(request):
    community = chosen_community(request)
    year = chosen_year(request)
    batch = None

    def start():
        nonlocal batch
        batch = services.sheet_batch_start(community=community, year=year, by=request.user)

    if run(request, start, "已开始生成反馈单"):
        return redirect("evaluations:sheet_batch", batch.pk)
    return redirect(f"{reverse('evaluations:sheets')}?community={community.pk}&year={year}")


@login_required
@require_POST
def generate_town(request):
    year = chosen_year(request)
    town = get_object_or_404(Town.objects.visible_to(request.user), pk=request.POST.get("town") or 0)
    run(
        request,
        lambda: services.sheet_batch_start_town(town=town, year=year, by=request.user),
        f"已为{town.name}各社区开始生成 {year} 年度反馈单",
    )
    return redirect(f"{reverse('evaluations:town_acknowledgements')}?year={year}")


@login_required
def batch_progress(request, pk: int):
    """The progress bar; while the batch runs the page reloads itself every 2 seconds (a meta refresh,
    no script)."""
    batch = get_object_or_404(SheetBatch.objects.visible_to(request.user).select_related("community"), pk=pk)
    return render(
        request,
        "evaluations/sheets/batch.html",
        {"section": "sheets", "batch": batch, "running": batch.finished_at is None},
    )


class OpinionForm(Form):
    opinion = forms.CharField(
        label="社区党组织意见", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )


@login_required
def sheet_detail(request, pk: int):
    sheet = get_object_or_404(
        FeedbackSheet.objects.visible_to(request.user).select_related("community", "employer", "person"),
        pk=pk,
    )
    scope = scope_for(request.user)
    if not scope.manages(sheet.community_id):
        raise DjangoPermissionDenied("反馈单请在「单位收件箱」查看")
    form = OpinionForm(request.POST or None, initial={"opinion": sheet.opinion})
    if (
        request.method == "POST"
        and form.is_valid()
        and run(
            request,
            lambda: services.sheet_set_opinion(
                sheet=sheet, opinion=form.cleaned_data["opinion"], by=request.user
            ),
            "意见已保存",
        )
    ):
        return redirect("evaluations:sheet_detail", sheet.pk)
    versions = (
        FeedbackSheet.objects.visible_to(request.user)
        .filter(person=sheet.person, year=sheet.year)
        .order_by("-version")
    )
    return render(
        request,
        "evaluations/sheets/detail.html",
        {
            "section": "sheets",
            "sheet": sheet,
            "c": sheet.content,
            "form": form,
            "runs_office": scope.runs_office(sheet.community_id),
            "versions": versions,
            "events": sheet.events.select_related("by"),
        },
    )


@login_required
@require_POST
def sheet_action(request, pk: int, action: str):
    sheet = get_object_or_404(
        FeedbackSheet.objects.visible_to(request.user).select_related("community"), pk=pk
    )
    target = sheet.pk
    if action == "issue":
        run(request, lambda: services.sheet_issue(sheet=sheet, by=request.user), "反馈单已发出")
    elif action == "regenerate":
        holder = {}

        def regenerate():
            holder["new"] = services.sheet_regenerate(sheet=sheet, by=request.user)

        if run(request, regenerate, "已生成新版本"):
            target = holder["new"].pk
    else:
        raise DjangoPermissionDenied("未知操作")
    return redirect("evaluations:sheet_detail", target)


@login_required
@require_POST
def issue_all(request):
    community = chosen_community(request)
    year = chosen_year(request)
    count = {}

    def issue():
        count["n"] = services.sheets_issue_all(community=community, year=year, by=request.user)

    if run(request, issue, ""):
        messages.success(request, f"已发出 {count['n']} 份反馈单")
    return redirect(f"{reverse('evaluations:sheets')}?community={community.pk}&year={year}")


@login_required
def sheet_download(request, pk: int):
    """One sheet's PDF: the office, the town, the employer's liaison (once sent), the member (own, sent)."""
    sheet = get_object_or_404(
        FeedbackSheet.objects.visible_to(request.user).select_related("community", "employer", "person"),
        pk=pk,
    )
    audit.record_access(what="print", obj=sheet, description=f"反馈单 {sheet.number}", request=request)
    return download(
        sheet_pdf(sheet), filename=f"反馈单-{sheet.year}-{sheet.number}.pdf", content_type="application/pdf"
    )


@login_required
def combined_pdf(request):
    community = chosen_community(request)
    year = chosen_year(request)
    rows = (
        FeedbackSheet.objects.visible_to(request.user)
        .filter(community=community, year=year, is_current=True)
        .select_related("community", "employer", "person")
        .order_by("employer__name", "person__name", "pk")
    )
    title = f"{community.name} {year} 年度在职党员小区活动情况反馈单"
    audit.record_access(what="export", community_id=community.pk, description=title, request=request)
    return download(
        sheets_pdf(rows.iterator(chunk_size=200), title=title),
        filename=f"{title}.pdf",
        content_type="application/pdf",
    )


@login_required
def employer_xlsx(request, employer_id: int):
    """One employer's sheets of a community and year as a workbook, for the office (or the town) to send or
    print. Exports are refused to liaisons (tests/privacy/test_employer_fields.py): they download each
    sheet's PDF from the inbox."""
    year = chosen_year(request)
    community = chosen_community(request)
    employer = get_object_or_404(Employer.objects.visible_to(request.user), pk=employer_id)
    rows = FeedbackSheet.objects.visible_to(request.user).filter(
        employer=employer, year=year, is_current=True, community=community
    )
    rows = rows.select_related("community").order_by("community__name", "person__name", "pk")
    title = f"{employer.name} {year} 年度在职党员小区活动情况反馈单"
    audit.record_access(what="export", obj=employer, description=title, request=request)
    return download(
        employer_workbook(rows.iterator(chunk_size=500), title=title),
        filename=f"{title}.xlsx",
        content_type=XLSX,
    )
