"""The yearly requirement, its policy, the member's activity ledger (活动台账) and its export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from members import permissions

from .. import forms, selectors, services
from ._common import (
    XLSX,
    NoVolunteeringAccess,
    _base_context,
    _current_community,
    _require_office,
    _run,
    _year,
)

# ---------------------------------------------------------------------------------- requirement, policy


@login_required
def requirement(request):
    """Who is behind the yearly requirement, by employer (office and town)."""
    community = _current_community(request, managed_only=True)
    if community is None or not permissions.oversees(request.user, community.pk):
        raise NoVolunteeringAccess
    year = _year(request)
    rows = selectors.requirement_rows(community_ids=[community.pk], year=year)
    only_behind = request.GET.get("behind", "1") == "1"
    return render(
        request,
        "volunteering/requirement.html",
        _base_context(
            request,
            community,
            year=year,
            rows=rows,
            groups=selectors.requirement_by_employer(rows, only_behind=only_behind),
            only_behind=only_behind,
            behind=sum(r.behind for r in rows),
            policy=selectors.policy_for(community),
            years=range(timezone.localdate().year, 2023, -1),
        ),
    )


@login_required
def policy(request):
    community = _current_community(request, managed_only=True)
    if community is None:
        raise NoVolunteeringAccess
    _require_office(request, community.pk)
    current = selectors.policy_for(community)
    form = forms.PolicyForm(
        request.POST or None,
        initial={k: getattr(current, k) for k in ("min_items", "target_items", "min_hours", "target_hours")},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            request,
            lambda: services.policy_set(community=community, by=request.user, **form.cleaned_data),
            "年度服务要求已保存",
        )
    ):
        return redirect(f"{reverse('volunteering:requirement')}?community={community.pk}")
    return render(
        request,
        "volunteering/form.html",
        _base_context(
            request,
            community,
            form=form,
            title=f"{community.name} 年度服务要求",
            intro="制度要求在职党员每 12 个月完成 1–2 项志愿服务事项。可按事项数、时长或两者同时要求。",
            back=reverse("volunteering:requirement"),
        ),
    )


# ---------------------------------------------------------------------------------------------- ledger


@login_required
def ledger(request, person_id):
    person = get_object_or_404(
        selectors.ledger_subjects(request.user).select_related("membership__employer"), pk=person_id
    )
    year = _year(request)
    data = selectors.member_ledger(person=person, year=year, viewer=request.user)
    return render(
        request,
        "volunteering/ledger.html",
        _base_context(
            request,
            data.community,
            ledger=data,
            year=year,
            years=range(timezone.localdate().year, 2023, -1),
            now=timezone.now(),
            note_form=forms.ConductNoteForm(initial={"noted_on": timezone.localdate()})
            if data.conduct_notes is not None
            else None,
        ),
    )


@login_required
def ledger_export(request):
    community = _current_community(request, managed_only=True)
    if community is None or not permissions.oversees(request.user, community.pk):
        raise NoVolunteeringAccess
    return ledger_download(request, community, _year(request))


def ledger_download(request, community, year: int) -> HttpResponse:
    """The community's 活动台账 workbook as a download (page and API). It names members, their employers
    and hours (and, for the office, the 八小时以外 notes), so every export writes an access-log row."""
    response = HttpResponse(
        selectors.ledger_workbook(community=community, year=year, viewer=request.user), content_type=XLSX
    )
    response["Content-Disposition"] = f"attachment; filename=ledger-{community.code}-{year}.xlsx"
    audit.record_access(
        what="export",
        description=f"活动台账导出 {community.name} {year}",
        community_id=community.pk,
        extra={"year": year},
        request=request,
    )
    return response


@login_required
@require_POST
def conduct_note_new(request, person_id):
    person = get_object_or_404(selectors.ledger_subjects(request.user), pk=person_id)
    data = selectors.member_ledger(person=person, year=timezone.localdate().year, viewer=request.user)
    _require_office(request, data.community.pk)
    form = forms.ConductNoteForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.conduct_note_add(
                community=data.community, person=person, by=request.user, **form.cleaned_data
            ),
            "已记录",
        )
    else:
        messages.error(request, "请填写日期和情况")
    return redirect("volunteering:ledger", person_id=person.pk)
