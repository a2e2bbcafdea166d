"""专题反馈 pages: group cases about the same issue, answer them with one reply."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError

from .. import forms, selectors, services
from ..models import Case, ThematicGroup
from ._common import _error, _managed


@login_required
def groups(request):
    _managed(request)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("cases") if i.isdigit()]
        cases = list(Case.objects.visible_to(request.user).filter(pk__in=ids))
        group_id = request.POST.get("group")
        try:
            if not cases:
                raise DomainError("请选择民情件")
            if group_id:
                group = get_object_or_404(ThematicGroup.objects.visible_to(request.user), pk=group_id)
                services.group_add_cases(group=group, by=request.user, cases=cases)
            else:
                form = forms.GroupForm(request.POST)
                title = form.data.get("title", "")
                group = services.group_create(
                    community=cases[0].community, by=request.user, title=title, cases=cases
                )
        except DomainError as exc:
            _error(request, exc)
            back = request.POST.get("next", "")
            safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
            return redirect(back if back and safe else "cases:groups")
        messages.success(request, "已归入专题")
        return redirect("cases:group_detail", pk=group.pk)
    items = ThematicGroup.objects.visible_to(request.user).select_related("community")[:100]
    return render(request, "cases/groups.html", {"groups": items})


@login_required
def group_detail(request, pk):
    group = get_object_or_404(ThematicGroup.objects.visible_to(request.user), pk=pk)
    form = forms.GroupReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.group_reply(group=group, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(
                request, f"已答复 {len(result['answered'])} 件，未处理 {len(result['skipped'])} 件"
            )
            return redirect("cases:group_detail", pk=pk)
    cases = selectors.case_queryset_for_list(group.cases.all())
    return render(request, "cases/group_detail.html", {"group": group, "cases": cases, "form": form})
