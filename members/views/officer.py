"""民情信息员 pages: strength against quota, appointment, rewards and penalties, ending a post, the quota,
and the appointment letter (聘书) PDF."""

import datetime as dt

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.errors import DomainError

from .. import forms, selectors, services
from ..models import Community, Compound, InformationOfficer, MemberCategory, OfficerRecordKind, OfficerStatus
from .base import content_disposition, form_status, managed_people, page, paginate, posted


@page(office=True)
def officers(request):
    user = request.user
    tab = "ended" if request.GET.get("tab") == "ended" else "active"
    communities = Community.objects.managed_by(user)
    base = InformationOfficer.objects.visible_to(user).managed_by(user)
    community = request.GET.get("community", "")
    if community.isdigit():  # the home page's 信息员缺额 links here with its community
        communities = communities.filter(pk=int(community))
        base = base.filter(community_id=int(community))
    strength = selectors.officer_strength(communities)
    counts = base.aggregate(
        active=Count("pk", filter=Q(status=OfficerStatus.ACTIVE)),
        ended=Count("pk", filter=Q(status=OfficerStatus.ENDED)),
    )
    rows = (
        base.filter(status=OfficerStatus.ACTIVE if tab == "active" else OfficerStatus.ENDED)
        .select_related("person", "community", "compound")
        .annotate(record_count=Count("records"))
    )
    # an aggregate annotation drops Meta.ordering, so order explicitly
    rows = (
        rows.order_by("-ended_on", "-pk")
        if tab == "ended"
        else rows.order_by("community_id", "appointment_no")
    )
    page_obj = paginate(request, rows)
    soon = timezone.localdate() + dt.timedelta(days=60)
    for officer in page_obj:
        officer.term_ending_soon = officer.status == OfficerStatus.ACTIVE and officer.term_end <= soon
    context = {
        "section": "officers",
        "tab": tab,
        "counts": counts,
        "strength": strength,
        "short": [s for s in strength if s.short],
        "page_obj": page_obj,
    }
    return render(request, "members/officers.html", context)


@page(office=True)
def officer_appoint(request):
    user = request.user
    people = (
        managed_people(user)
        .exclude(membership__category=MemberCategory.IN_SERVICE)
        .exclude(officer_posts__status=OfficerStatus.ACTIVE)
        .select_related("community", "membership")
    )
    compounds = Compound.objects.visible_to(user).managed_by(user).select_related("community")
    form = forms.OfficerAppointForm(
        posted(request), people=people, compounds=compounds, initial={"person": request.GET.get("person")}
    )
    error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        person = data["person"]
        try:
            officer = services.officer_appoint(
                community=person.community,
                person=person,
                by=user,
                source=data["source"],
                appointed_on=data["appointed_on"],
                term_years=data["term_years"],
                appointment_no=data["appointment_no"],
                compound=data["compound"],
            )
        except DomainError as exc:
            error = exc
            forms.add_service_error(form, exc)
        else:
            messages.success(request, f"已聘用{person.name}为民情信息员，聘书编号 {officer.appointment_no}")
            return redirect("members:officer_detail", officer.pk)
    context = {"section": "officers", "form": form}
    return render(request, "members/officer_form.html", context, status=form_status(form, error))


def visible_officer(request, pk):
    return get_object_or_404(
        InformationOfficer.objects.visible_to(request.user).select_related(
            "person__membership", "community", "compound", "appointed_by"
        ),
        pk=pk,
    )


def officer_page(request, officer, *, record_form=None, end_form=None, status=200):
    is_active = officer.status == OfficerStatus.ACTIVE
    next_kind = services.next_penalty(officer) if is_active else None
    context = {
        "section": "officers",
        "officer": officer,
        "records": officer.records.select_related("recorded_by"),
        "is_active": is_active,
        "next_penalty": next_kind,
        "next_penalty_label": OfficerRecordKind(next_kind).label if next_kind else "",
        "record_form": record_form or forms.OfficerRecordForm(),
        "end_form": end_form or forms.OfficerEndForm(),
    }
    return render(request, "members/officer_detail.html", context, status=status)


@page(office=True)
def officer_detail(request, pk):
    return officer_page(request, visible_officer(request, pk))


@page(office=True)
@require_POST
def officer_record(request, pk):
    officer = visible_officer(request, pk)
    form = forms.OfficerRecordForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = services.officer_record(
                officer=officer,
                by=request.user,
                kind=data["kind"],
                reason=data["reason"],
                on=data["on"],
                amount_yuan=data["amount_yuan"],
                skip_reason=data["skip_reason"],
            )
        except DomainError as exc:
            forms.add_service_error(form, exc)
            return officer_page(request, officer, record_form=form, status=exc.status_code)
        messages.success(request, f"已记录「{record.get_kind_display()}」")
        return redirect("members:officer_detail", officer.pk)
    return officer_page(request, officer, record_form=form, status=400)


@page(office=True)
@require_POST
def officer_end(request, pk):
    officer = visible_officer(request, pk)
    form = forms.OfficerEndForm(request.POST)
    if form.is_valid():
        try:
            services.officer_end(
                officer=officer,
                by=request.user,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            )
        except DomainError as exc:
            forms.add_service_error(form, exc)
            return officer_page(request, officer, end_form=form, status=exc.status_code)
        messages.success(request, f"{officer.person.name}已离任；请及时补充信息员")
        return redirect("members:officer_detail", officer.pk)
    return officer_page(request, officer, end_form=form, status=400)


@page
def officer_letter(request, pk):
    """聘书 as an inline PDF, for the office and for the officer themself (both can see the post)."""
    officer = visible_officer(request, pk)
    from ..letters import appointment_letter_pdf

    response = HttpResponse(appointment_letter_pdf(officer), content_type="application/pdf")
    audit.record_access(what="print", obj=officer, description="聘书")
    response["Content-Disposition"] = content_disposition(
        "inline", f"聘书-{officer.appointment_no}.pdf", f"letter-{officer.appointment_no}.pdf"
    )
    return response


@page(office=True)
@require_POST
def officer_quota(request, community_pk):
    community = get_object_or_404(Community.objects.visible_to(request.user), pk=community_pk)
    form = forms.QuotaForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{community.name}：{form.errors['officer_quota'][0]}")
    else:
        try:
            services.community_set_officer_quota(
                community=community, by=request.user, quota=form.cleaned_data["officer_quota"]
            )
        except DomainError as exc:
            messages.error(request, f"{community.name}：{exc.message}")
        else:
            messages.success(request, f"{community.name}信息员定额已设为 {community.officer_quota} 人")
    return redirect("members:officers")
