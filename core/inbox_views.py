"""The inbox pages (我的通知): every user's notifications, read / unread, each linking to its object, and the
user's choice of channels. A user only ever reaches their own notifications; another's is a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from . import notifications
from .errors import DomainError
from .forms import Form
from .models import Notification

PAGE_SIZE = 20
TABS = [("all", "全部"), ("unread", "未读"), ("read", "已读")]


def _own(request):
    return Notification.objects.filter(recipient_id=request.user.pk)


def _safe(request, target: str) -> bool:
    return bool(target) and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    )


@login_required
def inbox(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(TABS) else "all"
    mine = _own(request)
    counts = mine.aggregate(all=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    counts["read"] = counts["all"] - counts["unread"]
    rows = mine.filter(read_at__isnull=True) if tab == "unread" else mine
    if tab == "read":
        rows = mine.filter(read_at__isnull=False)
    rows = rows.only("pk", "kind", "title", "body", "url", "created_at", "read_at").order_by(
        "-created_at", "-pk"
    )
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = counts[tab]  # known already: no second COUNT(*)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "core/inbox.html",
        {
            "section": "inbox",
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in TABS],
            "page_obj": page_obj,
            "here": request.get_full_path(),
        },
    )


@login_required
def open_notification(request, pk: int):
    """Follow a notification's link, marking it read on the way (a GET: reading it is what opening does)."""
    note = get_object_or_404(_own(request), pk=pk)
    if note.read_at is None:
        notifications.mark_read(user=request.user, ids=[note.pk])
    return redirect(note.url if _safe(request, note.url) else reverse("core:inbox"))


@login_required
@require_POST
def mark_read(request, pk: int):
    note = get_object_or_404(_own(request), pk=pk)
    notifications.mark_read(user=request.user, ids=[note.pk])
    target = request.POST.get("next", "")
    return redirect(target if _safe(request, target) else reverse("core:inbox"))


@login_required
@require_POST
def mark_all_read(request):
    count = notifications.mark_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读" if count else "没有未读通知")
    return redirect(reverse("core:inbox"))


class PreferencesForm(Form):
    mail_enabled = forms.BooleanField(label="邮件", required=False)
    sms_enabled = forms.BooleanField(label="短信", required=False)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    current = notifications.preferences_for(user)
    form = PreferencesForm(
        request.POST or None,
        initial={"mail_enabled": current.mail_enabled, "sms_enabled": current.sms_enabled},
    )
    if request.method == "POST" and form.is_valid():
        try:
            notifications.set_preferences(user=user, **form.cleaned_data)
        except DomainError as exc:
            for field, errors in (exc.fields or {}).items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, "通知方式已保存")
            return redirect(reverse("core:notification_preferences"))
    return render(
        request,
        "core/notification_preferences.html",
        {
            "section": "inbox",
            "form": form,
            "email": user.email,
            "mobile": notifications.mobile_for(user),  # the user's own number, shown to them in full
        },
    )
