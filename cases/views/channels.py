"""The channel pages: the officer's diary, mailboxes and their daily openings, reception days, forums."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from members.models import Community
from members.permissions import is_office_anywhere
from members.roles import scope_for

from .. import forms, selectors, services
from ..models import DiaryEntry, Forum, Mailbox, ReceptionDay, ReceptionKind
from ._common import _error, _managed


@login_required
def diary(request):
    officer = services.officer_post_for(request.user)
    scope = scope_for(request.user)
    if officer is None and not is_office_anywhere(scope):
        raise DjangoPermissionDenied("只有民情信息员可以记录民情日志")
    form = forms.DiaryForm(
        request.POST or None,
        community_id=officer.community_id if officer else None,
        initial={"visited_on": timezone.localdate()},
    )
    if request.method == "POST" and officer is not None and form.is_valid():
        try:
            services.diary_add(by=request.user, community=officer.community, **form.cleaned_data)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, "已记录")
            return redirect("cases:diary")
    entries = DiaryEntry.objects.visible_to(request.user).select_related("case", "officer__person")[:100]
    return render(
        request,
        "cases/diary.html",
        {
            "form": form if officer else None,
            "entries": entries,
            "to_case_form": forms.ToCaseForm(auto_id=False),
        },
    )


@login_required
@require_POST
def diary_to_case(request, pk):
    entry = get_object_or_404(
        DiaryEntry.objects.visible_to(request.user).select_related("officer__person"), pk=pk
    )
    form = forms.ToCaseForm(request.POST)
    if form.is_valid():
        try:
            case = services.diary_to_case(
                entry=entry, by=request.user, category=form.cleaned_data["category"]
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"已登记为民情件 {case.tracking_no}")
    return redirect("cases:diary")


# ---------------------------------------------------------------------------------------------- channels


@login_required
def mailboxes(request):
    scope = scope_for(request.user)
    boxes = Mailbox.objects.visible_to(request.user).select_related("community", "keeper")
    if not boxes.exists() and not is_office_anywhere(scope):
        raise DjangoPermissionDenied
    community_ids = scope.managed_community_ids
    community = request.GET.get("community", "")
    if community.isdigit():  # the home page's figure links here with its community
        boxes = boxes.filter(community_id=int(community))
        community_ids = community_ids & {int(community)}
    return render(
        request,
        "cases/mailboxes.html",
        {"mailboxes": boxes, "missed": selectors.missed_openings(community_ids)},
    )


@login_required
def mailbox_open(request, pk):
    mailbox = get_object_or_404(Mailbox.objects.visible_to(request.user), pk=pk)
    form = forms.OpeningForm(request.POST or None, initial={"opened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            opening = services.mailbox_open(mailbox=mailbox, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"已登记开箱，{opening.letters} 封信已登记为民情件")
            return redirect("cases:mailboxes")
    openings = mailbox.openings.order_by("-opened_on")[:30]
    return render(
        request, "cases/mailbox_open.html", {"mailbox": mailbox, "form": form, "openings": openings}
    )


@login_required
def receptions(request):
    scope = scope_for(request.user)
    days = (
        ReceptionDay.objects.visible_to(request.user)
        .select_related("community")
        .order_by("-nominal_date")[:60]
    )
    form = None
    if is_office_anywhere(scope):
        communities = Community.objects.managed_by(request.user)
        today = timezone.localdate()
        form = forms.ReceptionForm(
            request.POST or None, communities=communities, initial={"year": today.year, "month": today.month}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.reception_schedule(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _error(request, exc)
            else:
                messages.success(request, "已排定并公开")
                return redirect("cases:receptions")
    elif not scope.deputy_community_ids:
        raise DjangoPermissionDenied
    return render(request, "cases/receptions.html", {"days": days, "form": form})


@login_required
def reception_detail(request, pk):
    reception = get_object_or_404(
        ReceptionDay.objects.visible_to(request.user).select_related("community"), pk=pk
    )
    form = forms.ReceptionItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.reception_item_record(reception=reception, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, f"已登记，民情件 {item.case.tracking_no}")
            return redirect("cases:reception_detail", pk=pk)
    items = reception.items.select_related("case")
    return render(
        request,
        "cases/reception_detail.html",
        {
            "reception": reception,
            "items": items,
            "form": form,
            "leaders": reception.kind == ReceptionKind.LEADERS,
        },
    )


@login_required
def forums(request):
    communities = _managed(request)
    form = forms.ForumForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            forum = services.forum_record(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, "已记录恳谈会")
            return redirect("cases:forum_detail", pk=forum.pk)
    items = Forum.objects.visible_to(request.user).select_related("community")[:50]
    return render(request, "cases/forums.html", {"forums": items, "form": form})


@login_required
def forum_detail(request, pk):
    forum = get_object_or_404(Forum.objects.visible_to(request.user), pk=pk)
    return render(
        request, "cases/forum_detail.html", {"forum": forum, "items": forum.items.select_related("case")}
    )
