"""Hours: the approval list, the member's self-report and the organiser's decisions."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from members import permissions
from members.roles import scope_for

from .. import forms, services
from ..models import (
    ItemStatus,
    RecordStatus,
    ServiceItem,
    ServiceRecord,
)
from ._common import (
    NoVolunteeringAccess,
    _back,
    _base_context,
    _current_community,
    _own_person,
    _posted_text,
    _run,
)

# ----------------------------------------------------------------------------------------------- hours


@login_required
def records(request):
    """Office/organiser: hours waiting for approval (self-reported and back-filled, marked as such).
    Member: their own records and a link to report hours."""
    scope = scope_for(request.user)
    community = _current_community(request)
    if community is None:
        raise NoVolunteeringAccess
    qs = (
        ServiceRecord.objects.visible_to(request.user)
        .filter(item__community=community)
        .select_related("item", "person", "recorded_by", "approved_by")
    )
    reads_all = permissions.oversees(request.user, community.pk)
    if not reads_all:
        qs = (
            ServiceRecord.objects.filter(item__community=community)
            .filter(Q(person_id=scope.person_id) | Q(item__organiser=request.user))
            .select_related("item", "person", "recorded_by", "approved_by")
        )
    status = request.GET.get("status", "pending" if reads_all else "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-started_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/records.html",
        _base_context(
            request,
            community,
            page=page,
            status=status,
            statuses=RecordStatus.choices,
            evaluation_form=forms.EvaluationForm(),
            reject_form=forms.ReasonForm(),
        ),
    )


@login_required
def record_new(request):
    """A member reports hours they served at an item (本人申报), to be approved by the organiser."""
    person = _own_person(request)
    if person is None:
        raise DjangoPermissionDenied("只有党员本人可以申报服务时长")
    now = timezone.now()
    eligible = (
        ServiceItem.objects.visible_to(request.user)
        .filter(starts_at__lte=now, starts_at__gte=now - dt.timedelta(days=365), status=ItemStatus.OPEN)
        .order_by("-starts_at")
    )
    form = forms.SelfReportForm(request.POST or None, items=eligible)
    if request.method == "POST" and form.is_valid():
        item = form.cleaned_data["item"]
        started, ended = form.times(item)
        if _run(
            request,
            lambda: services.record_self_report(
                item=item,
                person=person,
                by=request.user,
                started_at=started,
                ended_at=ended,
                content=form.cleaned_data["content"],
            ),
            "已提交，待活动负责人审核",
        ):
            return redirect("volunteering:my_items")
    return render(
        request,
        "volunteering/form.html",
        _base_context(
            request,
            _current_community(request),
            form=form,
            title="申报服务时长",
            intro="只填写实际服务时间（不含往返路途），须在事项时间之内；提交后由活动负责人审核，审核前不计入年度要求。",
            back=reverse("volunteering:my_items"),
        ),
    )


@login_required
@require_POST
def record_decide(request, pk, decision):
    record = get_object_or_404(
        ServiceRecord.objects.filter(
            Q(pk__in=ServiceRecord.objects.visible_to(request.user).values("pk"))
            | Q(item__organiser=request.user)
        ).select_related("item"),
        pk=pk,
    )
    post = request.POST
    actions = {
        "approve": (
            lambda: services.record_approve(
                record=record, by=request.user, evaluation=post.get("evaluation", "")
            ),
            "已确认服务时长",
        ),
        "reject": (
            lambda: services.record_reject(
                record=record, by=request.user, reason=_posted_text(request, "reason")
            ),
            "已退回",
        ),
        "evaluate": (
            lambda: services.record_evaluate(
                record=record,
                by=request.user,
                evaluation=post.get("evaluation", ""),
                evaluation_note=_posted_text(request, "evaluation_note"),
            ),
            "已评价",
        ),
        "cancel": (
            lambda: services.record_cancel(
                record=record, by=request.user, reason=_posted_text(request, "reason")
            ),
            "已注销该记录",
        ),
    }
    if decision not in actions:
        raise Http404
    _run(request, *actions[decision])
    return _back(request, reverse("volunteering:records"))
