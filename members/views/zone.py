"""党员责任区 pages: zones with their buildings and members, create/edit, assign and unassign."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError

from .. import forms, services
from ..models import Building, Community, Person, ResponsibilityZone, ZoneAssignment
from .base import form_status, page, paginate, posted


def visible_zone(request, pk):
    return get_object_or_404(
        ResponsibilityZone.objects.visible_to(request.user).select_related("community"), pk=pk
    )


@page(office=True)
def zones(request):
    user = request.user
    rows = (
        ResponsibilityZone.objects.visible_to(user)
        .managed_by(user)
        .select_related("community")
        .prefetch_related(
            "buildings",
            Prefetch(
                "assignments",
                queryset=ZoneAssignment.objects.select_related("person").order_by("person__name"),
            ),
        )
    )
    context = {"section": "zones", "page_obj": paginate(request, rows)}
    return render(request, "members/zones.html", context)


@page(office=True)
def zone_create(request):
    user = request.user
    communities = Community.objects.managed_by(user)
    wanted = request.POST.get("community") or request.GET.get("community")
    community = (
        communities.filter(pk=wanted).first() if str(wanted).isdigit() else None
    ) or communities.first()
    buildings = Building.objects.visible_to(user).managed_by(user).filter(community=community)
    form = forms.ZoneForm(
        posted(request), communities=communities, buildings=buildings, initial={"community": community}
    )
    error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            zone = services.zone_save(
                community=data["community"], by=user, name=data["name"], buildings=list(data["buildings"])
            )
        except DomainError as exc:
            error = exc
            forms.add_service_error(form, exc)
        else:
            messages.success(request, f"已建立责任区「{zone.name}」")
            return redirect("members:zone_detail", zone.pk)
    context = {
        "section": "zones",
        "form": form,
        "zone": None,
        "community": community,
        "communities": communities if len(communities) > 1 else [],
    }
    return render(request, "members/zone_form.html", context, status=form_status(form, error))


@page(office=True)
def zone_edit(request, pk):
    user = request.user
    zone = visible_zone(request, pk)
    buildings = Building.objects.visible_to(user).filter(community_id=zone.community_id)
    form = forms.ZoneForm(
        posted(request),
        buildings=buildings,
        initial={"name": zone.name, "buildings": list(zone.buildings.all())},
    )
    error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.zone_save(
                community=zone.community,
                by=user,
                name=data["name"],
                buildings=list(data["buildings"]),
                zone=zone,
            )
        except DomainError as exc:
            error = exc
            forms.add_service_error(form, exc)
        else:
            messages.success(request, f"已保存责任区「{zone.name}」")
            return redirect("members:zone_detail", zone.pk)
    context = {"section": "zones", "form": form, "zone": zone, "community": zone.community, "communities": []}
    return render(request, "members/zone_form.html", context, status=form_status(form, error))


def zone_people(request, zone):
    """Party members living in the zone's community (the only ones who can take it on)."""
    return (
        Person.objects.visible_to(request.user)
        .filter(community_id=zone.community_id, membership__isnull=False)
        .select_related("community", "membership")
    )


def zone_page(request, zone, *, form=None, status=200):
    assignments = zone.assignments.select_related("person__membership").order_by("person__name")
    assigned = {a.person_id for a in assignments}
    form = form or forms.ZoneAssignForm(people=zone_people(request, zone).exclude(pk__in=assigned))
    context = {
        "section": "zones",
        "zone": zone,
        "buildings": zone.buildings.all(),
        "assignments": assignments,
        "form": form,
    }
    return render(request, "members/zone_detail.html", context, status=status)


@page(office=True)
def zone_detail(request, pk):
    return zone_page(request, visible_zone(request, pk))


@page(office=True)
@require_POST
def zone_assign(request, pk):
    zone = visible_zone(request, pk)
    form = forms.ZoneAssignForm(request.POST, people=zone_people(request, zone))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.zone_assign(
                zone=zone,
                person=data["person"],
                by=request.user,
                source=data["source"],
                letter_signed_on=data["letter_signed_on"],
            )
        except DomainError as exc:
            forms.add_service_error(form, exc)
            return zone_page(request, zone, form=form, status=exc.status_code)
        messages.success(request, f"{data['person'].name}已负责「{zone.name}」")
        return redirect("members:zone_detail", zone.pk)
    return zone_page(request, zone, form=form, status=400)


@page(office=True)
@require_POST
def zone_unassign(request, pk, person_pk):
    zone = visible_zone(request, pk)
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_pk)
    try:
        services.zone_unassign(zone=zone, person=person, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{person.name}不再负责「{zone.name}」")
    return redirect("members:zone_detail", zone.pk)
