"""督办单 pages: the office director's list (phone-first), an order with its answer form, the town
supervision office's list with its escalations. Every list is paginated; one query per page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.errors import DomainError
from core.forms import Form
from members.roles import scope_for

from .. import selectors, services
from ..models import OrderLevel, OrderState, SupervisionOrder

PAGE_SIZE = 30


def run(request, action, success: str) -> bool:
    """Call a service; a refused rule becomes a message on the page. True on success."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _may_see_orders(request) -> None:
    scope = scope_for(request.user)
    if not (
        scope.is_office_anywhere or SupervisionOrder.objects.filter(addressee_id=request.user.pk).exists()
    ):
        raise DjangoPermissionDenied("只有社区办公室、督办单承办人和镇投诉监督室可以查看督办单")


@login_required
def orders(request):
    """The office director's orders (`?mine=1`), or every order the user sees; filters by state, overdue."""
    _may_see_orders(request)
    today = timezone.localdate()
    mine = request.GET.get("mine") == "1"
    state = request.GET.get("state", "")
    state = state if state in OrderState.values else ""
    rows = selectors.order_rows(
        request.user, mine=mine, state=state, overdue_on=today if request.GET.get("overdue") == "1" else None
    )
    return render(
        request,
        "supervision/orders.html",
        {
            "section": "supervision_orders",
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "today": today,
            "mine": mine,
            "state": state,
            "states": OrderState.choices,
            "is_town": bool(scope_for(request.user).town_ids),
        },
    )


@login_required
def town_orders(request):
    """镇投诉监督室: the orders escalated to the town (levels 2 and 3), their counts, overdue ones first."""
    scope = scope_for(request.user)
    if not (scope.town_ids or scope.is_superuser):
        raise DjangoPermissionDenied("只有镇投诉监督室（镇督查）可以查看")
    today = timezone.localdate()
    state = request.GET.get("state", "")
    state = state if state in OrderState.values else ""
    rows = selectors.order_rows(
        request.user,
        town_levels=True,
        state=state,
        overdue_on=today if request.GET.get("overdue") == "1" else None,
    )
    return render(
        request,
        "supervision/town_orders.html",
        {
            "section": "supervision_town",
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "today": today,
            "summary": selectors.town_summary(request.user, today=today),
            "state": state,
            "states": OrderState.choices,
        },
    )


class AnswerForm(Form):
    answer = forms.CharField(
        label="答复（已采取的措施、预计办结时间）", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(Form):
    reason = forms.CharField(
        label="销号说明（民情件未办结时必填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EscalateForm(Form):
    note = forms.CharField(label="升级说明", required=False, max_length=500)


@login_required
def order_detail(request, pk: int):
    order = get_object_or_404(
        SupervisionOrder.objects.visible_to(request.user).select_related(
            "case", "community", "addressee", "parent"
        ),
        pk=pk,
    )
    user = request.user
    is_open = order.state in (OrderState.ISSUED, OrderState.ANSWERED)
    answer_form = AnswerForm(request.POST if request.POST.get("do") == "answer" else None)
    close_form = CloseForm(request.POST if request.POST.get("do") == "close" else None)
    escalate_form = EscalateForm(request.POST if request.POST.get("do") == "escalate" else None)
    if request.method == "POST":
        do = request.POST.get("do")
        done = False
        if do == "answer" and answer_form.is_valid():
            done = run(
                request,
                lambda: services.order_answer(
                    order=order, answer=answer_form.cleaned_data["answer"], by=user
                ),
                "已答复",
            )
        elif do == "close" and close_form.is_valid():
            done = run(
                request,
                lambda: services.order_close(order=order, reason=close_form.cleaned_data["reason"], by=user),
                "已销号",
            )
        elif do == "escalate" and escalate_form.is_valid():
            done = run(
                request,
                lambda: services.order_escalate(
                    order=order, note=escalate_form.cleaned_data["note"], by=user
                ),
                "已升级督办",
            )
        if done:
            return redirect("supervision:order_detail", order.pk)
    return render(
        request,
        "supervision/order_detail.html",
        {
            "section": "supervision_orders",
            "o": order,
            "overdue": order.is_overdue(timezone.localdate()),
            "can_answer": is_open and services.can_answer(user, order),
            "can_close": is_open and services.can_close(user, order),
            "can_escalate": is_open and services.can_escalate(user, order),
            "answer_form": answer_form,
            "close_form": close_form,
            "escalate_form": escalate_form,
            "events": order.events.select_related("by"),
            "children": order.children.all(),
            "labels": services.ACTION_LABELS,
            "town_level": order.level != OrderLevel.COMMUNITY,
        },
    )
