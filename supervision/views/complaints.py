"""干部作风投诉 pages: the town's supervision office lists, concludes and sees a staff member's history; a
community office registers one (it then goes to the town)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from cases.models import Channel
from core.forms import Form
from members.models import Community, RoleAssignment, User
from members.roles import MANAGING_ROLES, scope_for

from .. import selectors, services
from ..models import ComplaintState, Finding, Measure, StaffComplaint
from .orders import PAGE_SIZE, run


@login_required
def complaints(request):
    scope = scope_for(request.user)
    if not (scope.town_ids or scope.is_superuser or scope.is_office_anywhere):
        raise DjangoPermissionDenied("只有镇投诉监督室和社区办公室可以办理干部作风投诉")
    rows = (
        StaffComplaint.objects.visible_to(request.user)
        .select_related("staff", "community")
        .order_by("state", "-received_at", "-pk")
    )
    state = request.GET.get("state", "")
    if state in ComplaintState.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "supervision/complaints.html",
        {
            "section": "supervision_complaints",
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "is_town": bool(scope.town_ids),
        },
    )


class ReceiveForm(Form):
    community = forms.ModelChoiceField(label="被投诉人所在社区", queryset=Community.objects.none())
    staff = forms.ModelChoiceField(label="被投诉人", queryset=User.objects.none())
    channel = forms.ChoiceField(label="受理渠道", choices=Channel.choices, initial=Channel.COMPLAINT_ROOM)
    complainant = forms.CharField(label="投诉人（可匿名）", required=False, max_length=50)
    content = forms.CharField(label="投诉内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    route_to = forms.ChoiceField(
        label="办理部门", choices=list(services.ROUTES.items()), initial=services.TOWN_OFFICE
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        communities = Community.objects.managed_by(user).order_by("pk")
        self.fields["community"].queryset = communities
        self.fields["staff"].queryset = User.objects.filter(
            pk__in=RoleAssignment.objects.filter(community__in=communities, role__in=MANAGING_ROLES).values(
                "user_id"
            )
        ).order_by("username")
        self.fields["staff"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


@login_required
def complaint_new(request):
    if not scope_for(request.user).is_office_anywhere:
        raise DjangoPermissionDenied("只有镇投诉监督室和社区办公室可以登记干部作风投诉")
    form = ReceiveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        held = {}

        def receive():
            held["c"] = services.complaint_receive(by=request.user, **form.cleaned_data)

        if run(request, receive, "已登记，转镇投诉监督室调查处理"):
            if StaffComplaint.objects.visible_to(request.user).filter(pk=held["c"].pk).exists():
                return redirect("supervision:complaint_detail", held["c"].pk)
            return redirect("supervision:complaints")
    return render(
        request, "supervision/complaint_new.html", {"section": "supervision_complaints", "form": form}
    )


class ConcludeForm(Form):
    finding = forms.ChoiceField(label="调查结论", choices=Finding.choices, widget=forms.RadioSelect)
    findings = forms.CharField(label="调查情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    measure = forms.ChoiceField(
        label="处理（反映属实时）", required=False, choices=[("", "—"), *Measure.choices]
    )
    reason = forms.CharField(
        label="理由（从轻处理时必填）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@login_required
def complaint_detail(request, pk: int):
    complaint = get_object_or_404(
        StaffComplaint.objects.visible_to(request.user).select_related("staff", "community", "case"), pk=pk
    )
    suggested = selectors.suggested_measure(complaint.staff_id)
    form = ConcludeForm(request.POST or None, initial={"measure": suggested})
    can_conclude = complaint.state == ComplaintState.RECEIVED and scope_for(request.user).supervises_town(
        complaint.town_id
    )
    if (
        request.method == "POST"
        and can_conclude
        and form.is_valid()
        and run(
            request,
            lambda: services.complaint_conclude(complaint=complaint, by=request.user, **form.cleaned_data),
            "已办结",
        )
    ):
        return redirect("supervision:complaint_detail", complaint.pk)
    return render(
        request,
        "supervision/complaint_detail.html",
        {
            "section": "supervision_complaints",
            "c": complaint,
            "form": form,
            "can_conclude": can_conclude,
            "suggested": suggested,
            "history": selectors.staff_history(complaint.staff_id),
            "events": complaint.events.select_related("by"),
        },
    )
