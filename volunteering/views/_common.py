"""Helpers of the volunteering pages: the current community, the user's person, messages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from core.errors import DomainError
from core.forms import Form
from members import permissions
from members.models import Community, Person, Registration, RegistrationStatus
from members.roles import scope_for

from .. import access

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------------------------------- helpers


class NoVolunteeringAccess(DjangoPermissionDenied):
    """The user has no part in any community's volunteering here (an employer liaison, an outsider), or asks
    for an office page without running an office: the 403 page "无权访问", as for every office page.
    Another community's objects stay a 404 (`get_object_or_404` on the scoped querysets)."""


def _run(request, action, success: str) -> bool:
    """Call a service; on a refused rule show its message instead. Returns True on success."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True


def _posted_text(request, name: str, max_length: int = 200) -> str:
    """One free-text value a button form posts (a note, a reason), checked like any form field (core.forms:
    no control characters; at most the column's length). Call it inside the action given to `_run`: a bad
    value is refused as a DomainError, which `_run` shows, and nothing is saved."""
    field = forms.CharField(required=False, max_length=max_length)
    form = type("PostedText", (Form,), {name: field})(request.POST)
    if not form.is_valid():
        raise DomainError("；".join(form.errors[name]), fields={name: list(form.errors[name])})
    return form.cleaned_data[name]


def _back(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


def _communities(request):
    """Communities whose volunteering the user reads (office, town, member, officer, deputy)."""
    return (
        Community.objects.visible_to(request.user).filter(
            pk__in=access.participant_community_ids(scope_for(request.user))
        )
        if not scope_for(request.user).is_superuser
        else Community.objects.all()
    )


def _current_community(request, *, managed_only: bool = False) -> Community | None:
    """The community chosen with ?community=, else the user's own (office first, then registration)."""
    scope = scope_for(request.user)
    qs = _communities(request)
    if managed_only and not scope.is_superuser:
        qs = qs.filter(pk__in=scope.managed_community_ids)
    raw = request.GET.get("community") or request.POST.get("community")
    if raw and str(raw).isdigit():
        return get_object_or_404(qs, pk=raw)
    office = access.office_community_ids(request.user)
    if office:
        own = qs.filter(pk__in=office).first()
        if own:
            return own
    if scope.person_id:
        reg = Registration.objects.filter(
            person_id=scope.person_id, status=RegistrationStatus.CONFIRMED
        ).first()
        if reg and qs.filter(pk=reg.community_id).exists():
            return reg.community
    return qs.first()


def _own_person(request) -> Person | None:
    person_id = scope_for(request.user).person_id
    return Person.objects.select_related("membership").filter(pk=person_id).first() if person_id else None


def _require_office(request, community_id: int) -> None:
    if not permissions.runs_office(request.user, community_id):
        raise DjangoPermissionDenied("只有本社区党总支可以执行此操作")


def _year(request) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _base_context(request, community: Community | None, **extra) -> dict:
    communities = list(_communities(request))
    return {
        "community": community,
        "communities": communities if len(communities) > 1 else [],
        "can_manage": bool(community) and permissions.runs_office(request.user, community.pk),
        "reads_all": bool(community) and permissions.oversees(request.user, community.pk),
        "person": _own_person(request),
        **extra,
    }
