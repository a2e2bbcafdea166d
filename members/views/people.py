"""花名册 pages: the roster list with filters and masked numbers, a person's page and form, Excel import
(preview, then all-or-nothing commit) and export."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.errors import DomainError
from core.xlsx import xlsx_response

from .. import forms, privacy, selectors, services
from ..models import (
    Building,
    Community,
    Employer,
    ImportStatus,
    InformationOfficer,
    MemberCategory,
    Registration,
    RegistrationStatus,
    ResponsibilityZone,
    RosterImport,
    ZoneAssignment,
)
from ..roles import scope_for
from .base import (
    XLSX,
    content_disposition,
    decorate_people,
    form_status,
    managed_people,
    page,
    paginate,
    posted,
    registration_events,
)


def roster_people(request, form):
    """The managed people, narrowed by whichever filters of `form` are valid."""
    people = selectors.with_registration_status(managed_people(request.user)).select_related(
        "community", "building", "membership", "membership__employer"
    )
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    if data.get("community"):
        people = people.filter(community=data["community"])
    category = data.get("category")
    if category == forms.NOT_A_MEMBER:
        people = people.filter(membership__isnull=True)
    elif category:
        people = people.filter(membership__category=category)
    state = data.get("state")
    if state == "registered":
        people = people.filter(registration_status=RegistrationStatus.CONFIRMED)
    elif state == "waiting":
        people = people.filter(registration_status=RegistrationStatus.SUBMITTED)
    elif state == "unregistered":
        people = people.filter(
            membership__category=MemberCategory.IN_SERVICE, registration_status__isnull=True
        )
    # Names everywhere; numbers only in the communities where the user sees them in full.
    return selectors.search_people(people, request.user, data.get("q"))


@page(office=True)
def roster(request):
    form = forms.RosterFilterForm(request.GET, communities=Community.objects.managed_by(request.user))
    if not privacy.can_search_personal_numbers(request.user):
        form.fields["q"].widget.attrs["placeholder"] = "姓名"
    page_obj = paginate(request, roster_people(request, form))
    decorate_people(page_obj)  # lists stay masked for everyone
    export_masked = not all(
        privacy.can_see_full_personal_data(request.user, c)
        for c in scope_for(request.user).managed_community_ids
    )
    context = {
        "section": "roster",
        "form": form,
        "page_obj": page_obj,
        "export_query": request.GET.urlencode(),
        "export_masked": export_masked,
    }
    return render(request, "members/roster.html", context)


@page(office=True)
def roster_export(request):
    from ..roster import export_roster

    form = forms.RosterFilterForm(request.GET, communities=Community.objects.managed_by(request.user))
    today = timezone.localdate()
    response = HttpResponse(export_roster(roster_people(request, form), user=request.user), content_type=XLSX)
    audit.record_access(what="export", description="花名册导出", extra=request.GET.dict())
    response["Content-Disposition"] = content_disposition(
        "attachment", f"花名册-{today:%Y%m%d}.xlsx", f"roster-{today:%Y%m%d}.xlsx"
    )
    return response


def person_form_choices(user, person=None) -> dict:
    buildings = Building.objects.visible_to(user).managed_by(user).select_related("community")
    if person is not None:
        buildings = buildings.filter(community_id=person.community_id)
    return {
        "communities": Community.objects.managed_by(user),
        "buildings": buildings,
        "employers": Employer.objects.visible_to(user),
    }


@page(office=True)
def person_detail(request, pk):
    return person_page(request, pk)


@page(office=True)
@require_POST
def person_reveal(request, pk):
    """查看完整号码: shows the numbers once, on this response only (no-store), with the reason logged."""
    return person_page(request, pk, reveal_form=forms.RevealForm(request.POST))


def person_page(request, pk, *, reveal_form=None):
    user = request.user
    person = get_object_or_404(
        selectors.with_registration_status(managed_people(user)).select_related(
            "community", "building", "membership__employer", "user"
        ),
        pk=pk,
    )
    decorate_people([person], user=user)
    audit.record_access(what="read_full", obj=person)
    revealed = None
    if reveal_form is not None and reveal_form.is_valid():
        revealed = privacy.reveal(
            obj=person,
            values={"mobile": person.mobile, "id_number": person.id_number or ""},
            reason=reveal_form.cleaned_data["reason"],
        )
    registrations = (
        Registration.objects.visible_to(user)
        .filter(person=person)
        .select_related("community")
        .prefetch_related(Prefetch("events", queryset=registration_events()))
    )
    context = {
        "section": "roster",
        "person": person,
        "registrations": registrations,
        "officer_posts": InformationOfficer.objects.visible_to(user)
        .filter(person=person)
        .select_related("community", "compound"),
        "zone_assignments": ZoneAssignment.objects.filter(
            zone__in=ResponsibilityZone.objects.visible_to(user), person=person
        ).select_related("zone"),
    }
    context["revealed"] = revealed
    context["reveal_form"] = reveal_form or forms.RevealForm()
    response = render(
        request,
        "members/person_detail.html",
        context,
        status=400 if reveal_form is not None and not revealed else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@page(office=True)
def person_create(request):
    choices = person_form_choices(request.user)
    only = list(choices["communities"][:2])
    initial = {"community": only[0]} if len(only) == 1 else {}
    form = forms.PersonForm(posted(request), initial=initial, **choices)
    if form.is_bound and form.is_valid():
        try:
            person = services.person_save(
                by=request.user, membership=form.membership(), **form.person_fields()
            )
        except (DomainError, ValidationError) as exc:
            forms.add_service_error(form, exc)
        else:
            messages.success(request, f"已登记{person.name}")
            return redirect("members:person_detail", person.pk)
    context = {"section": "roster", "form": form, "person": None}
    return render(request, "members/person_form.html", context, status=form_status(form))


@page(office=True)
def person_edit(request, pk):
    user = request.user
    person = get_object_or_404(managed_people(user).select_related("community", "membership"), pk=pk)
    form = forms.PersonForm(
        posted(request),
        person=person,
        full_numbers=privacy.sees_full(user, person),
        **person_form_choices(user, person),
    )
    if form.is_bound and form.is_valid():
        try:
            services.person_save(by=user, person=person, membership=form.membership(), **form.person_fields())
        except (DomainError, ValidationError) as exc:
            forms.add_service_error(form, exc)
        else:
            messages.success(request, f"已保存{person.name}的信息")
            return redirect("members:person_detail", person.pk)
    context = {"section": "roster", "form": form, "person": person}
    return render(request, "members/person_form.html", context, status=form_status(form))


# What members.roster puts in RosterImport.summary, in the order the preview shows it.
SUMMARY_LABELS = {
    "sheet": "工作表",
    "header_row": "表头所在行",
    "rows": "数据行",
    "valid_rows": "无误的行",
    "error_rows": "有错误的行",
    "new_people": "新增人员",
    "updated_people": "更新人员",
    "new_buildings": "新增楼栋",
    "ignored_lines": "忽略的行（标题、签名等）",
}


def summary_items(summary: dict) -> list[tuple[str, object]]:
    return [
        (label, summary[key]) for key, label in SUMMARY_LABELS.items() if summary.get(key) not in (None, "")
    ]


@page(office=True)
def roster_import(request):
    form = forms.RosterUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        from ..roster import roster_import_create

        upload = form.cleaned_data["file"]
        try:
            result = roster_import_create(by=request.user, fileobj=upload, filename=upload.name)
        except DomainError as exc:
            forms.add_service_error(form, exc)
        else:
            return redirect("members:roster_import_detail", result.pk)
    recent = RosterImport.objects.visible_to(request.user).select_related("uploaded_by", "community")[:10]
    context = {"section": "roster", "form": form, "recent": recent}
    return render(request, "members/roster_import.html", context, status=form_status(form))


@page(office=True)
def roster_import_detail(request, pk):
    batch = get_object_or_404(
        RosterImport.objects.visible_to(request.user).select_related("uploaded_by"), pk=pk
    )
    errors = sorted(batch.errors or [], key=lambda e: (e.get("row") or 0, str(e.get("column") or "")))
    summary = batch.summary or {}
    committed = summary.get("committed") or {}
    other = summary.get("other_communities") or {}
    context = {
        "section": "roster",
        "batch": batch,
        "errors": errors,
        "problem_groups": selectors.group_problems(errors),
        "can_download_problems": bool(errors) and bool(batch.source),
        # the town's file in a community's hands: the other communities' rows, and whether the uploader's
        # own rows may be imported alone
        "other_communities": sorted(other.items()),
        "other_rows": sum(other.values()),
        "own_only": batch.own_rows_importable,
        "own_errors": sum(1 for e in errors if not e.get("other_community")),
        "error_rows": len({e.get("row") for e in errors}),
        "summary": summary_items(summary),
        "per_community": sorted((summary.get("communities") or {}).items()),
        "row_count": len(batch.rows or []),
        "written": sum(committed.get(k, 0) for k in ("created_people", "updated_people"))
        if committed
        else None,
        "committed": committed,
    }
    return render(request, "members/roster_import_detail.html", context)


@page(office=True)
@require_POST
def roster_import_commit(request, pk):
    from ..roster import roster_import_commit as commit

    batch = get_object_or_404(RosterImport.objects.visible_to(request.user), pk=pk)
    only_own = request.POST.get("only_own_community") == "1"
    if not (batch.status == ImportStatus.PREVIEW and not batch.errors) and not (
        only_own and batch.own_rows_importable
    ):
        messages.error(request, "该花名册有错误或已导入，不能再次导入")
        return redirect("members:roster_import_detail", batch.pk)
    try:
        extra = {"only_own_community": True} if only_own else {}
        batch = commit(roster_import=batch, by=request.user, **extra)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        skipped = (batch.summary.get("committed") or {}).get("skipped_other_communities")
        note = f"，其他社区的 {skipped} 行未导入" if skipped else ""
        messages.success(request, f"花名册「{batch.filename}」已导入{note}")
    return redirect("members:roster_import_detail", batch.pk)


@page(office=True)
def roster_import_problems(request, pk):
    """下载问题表: the uploaded sheet with a 问题 column and the bad cells marked (.xlsx)."""
    from ..roster.problems import problems_workbook

    batch = get_object_or_404(RosterImport.objects.visible_to(request.user), pk=pk)
    if not batch.source:
        raise Http404  # purged, or a file whose header was never found
    audit.record_access(what="export", obj=batch, description="花名册导入问题表")
    stem = batch.filename.rsplit(".", 1)[0]
    return xlsx_response(problems_workbook(batch), filename=f"{stem}-问题.xlsx")
