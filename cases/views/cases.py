"""The case pages: the office's list, intake and overdue board, the case with its actions (staff and
assignee), its photos and the one-time notice, and the assignee's phone list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.errors import DomainError, PermissionDenied
from core.xlsx import xlsx_response
from members.models import Community, User
from members.permissions import is_office_anywhere, oversees
from members.privacy import shown_mobile
from members.roles import scope_for

from .. import forms, pdf, selectors, services
from ..api import CaseFilter
from ..models import Case, CaseAttachment, ThematicGroup
from ..states import allowed_actions
from ._common import _error, _managed

PAGE_SIZE = 30

# Who may take each action from the case page (the services check again).
WORKER_ACTIONS = {
    "start",
    "request_documents",
    "documents_received",
    "resolve",
    "schedule_visit",
    "give_feedback",
}


def _require_community_role(scope) -> None:
    """Cases belong to communities: a user with no role in any (an employer liaison) gets the 403 page."""
    if not scope.community_ids and not scope.is_superuser:
        raise DjangoPermissionDenied("民情件只对社区的工作人员、信息员和承办人开放")


def filtered_cases(request):
    """The cases the user sees, narrowed by the list's filters (the list page and its 台账 export)."""
    qs = selectors.case_queryset_for_list(Case.objects.visible_to(request.user))
    filtered = CaseFilter(request.GET, queryset=qs, request=request).qs
    q = request.GET.get("q", "").strip()
    if q:
        filtered = filtered.filter(tracking_no__icontains=q) | filtered.filter(content__icontains=q)
    return filtered


@login_required
def case_list(request):
    scope = scope_for(request.user)
    _require_community_role(scope)
    communities = Community.objects.visible_to(request.user)
    visible = selectors.case_queryset_for_list(Case.objects.visible_to(request.user))
    form = forms.CaseFilterForm(
        request.GET or None,
        communities=communities,
        assignees=selectors.assignees_of(visible, but=request.user),
    )
    filtered = filtered_cases(request)
    page = Paginator(filtered.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "query": query.urlencode(),
            "section": "cases",
            "is_manager": is_office_anywhere(scope),
        },
    )


@login_required
def case_ledger_xlsx(request):
    """导出台账: the filtered list as the office files it (.xlsx, streamed), for the community offices."""
    from ..export import case_ledger_workbook

    if not is_office_anywhere(scope_for(request.user)):
        raise DjangoPermissionDenied
    workbook = case_ledger_workbook(filtered_cases(request))
    audit.record_access(what="export", description="民情台账导出", extra=request.GET.dict())
    return xlsx_response(workbook, filename=f"民情台账-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def case_detail(request, pk):
    case = get_object_or_404(selectors.case_queryset_for_detail(Case.objects.visible_to(request.user)), pk=pk)
    return _detail_page(request, case)


@login_required
@require_POST
def case_reveal(request, pk):
    """查看完整号码 for the assignee (and the office): one tap with a reason, an AccessLog row, and the page
    again with the number as a tel: link — shown this once, like the roster's reveal."""
    case = get_object_or_404(selectors.case_queryset_for_detail(Case.objects.visible_to(request.user)), pk=pk)
    if not services.may_reveal_resident_phone(request.user, case):
        raise DjangoPermissionDenied(services.contact.REVEAL_REFUSED)
    form = forms.RevealPhoneForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, case, reveal_form=form, status=400)
    try:
        phone = services.case_reveal_resident_phone(
            case=case, by=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        form.add_error("reason", exc.message)
        return _detail_page(request, case, reveal_form=form, status=400)
    return _detail_page(request, case, revealed_phone=phone)


def _detail_page(request, case, *, reveal_form=None, revealed_phone=None, status=200):
    manager = oversees(request.user, case.community_id)
    worker = manager or case.assignee_id == request.user.pk
    actions = [a for a in allowed_actions(case.state) if (manager or (worker and a in WORKER_ACTIONS))]
    action_forms = {a: forms.ACTION_FORMS[a](prefix=a) for a in actions}
    suggestions = selectors.suggest_assignees(case) if manager else []
    if "assign" in action_forms:
        action_forms["assign"].fields["assignee"].widget.choices = [
            (s.user_id, f"{s.name}（{s.reason}）") for s in suggestions
        ]
    shown = shown_mobile(request.user, case.community_id, case.resident_phone)
    full_phone = revealed_phone or (shown if shown and shown == case.resident_phone else "")
    context = {
        "case": case,
        "resident_phone": shown,
        # the number in full (a tel: link) when the user sees it or has just revealed it
        "resident_phone_full": full_phone,
        "revealed": revealed_phone is not None,
        "reveal_form": reveal_form
        if reveal_form is not None
        else (
            forms.RevealPhoneForm()
            if not full_phone and services.may_reveal_resident_phone(request.user, case)
            else None
        ),
        "reveal_reasons": services.REVEAL_REASONS,
        "today": timezone.localdate(),
        "action_forms": action_forms,
        "suggestions": suggestions,
        "duplicates": selectors.likely_duplicates(case) if manager else [],
        "groups": ThematicGroup.objects.filter(community=case.community, replied_at__isnull=True)
        if manager
        else [],
        "calendar_warning": selectors.calendar_warning_for(case),
        "manager": manager,
        "is_overdue": case.is_overdue(timezone.localdate()),
        "events": case.events.all(),
        "section": "cases",
    }
    audit.record_access(what="read_full", obj=case)
    response = render(request, "cases/detail.html", context, status=status)
    if revealed_phone is not None:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def case_act(request, pk, action):
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    form_class = forms.ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=action)
    if not form.is_valid():
        messages.error(
            request, "请检查填写的内容：" + "；".join(f"{k}: {v[0]}" for k, v in form.errors.items())
        )
        return redirect("cases:detail", pk=pk)
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    try:
        if action == "assign":
            data["assignee"] = get_object_or_404(User, pk=data["assignee"])
            data.setdefault("kind", None)
        if action == "rate":
            services.case_rate(case=case, by=request.user, **data)
        else:
            fn = {
                "higher_reply": services.case_record_higher_reply,
                "give_feedback": services.case_give_feedback,
            }.get(action) or getattr(services, f"case_{action}")
            fn(case=case, by=request.user, **data)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已保存")
    return redirect("cases:detail", pk=pk)


@login_required
def intake(request):
    communities = _managed(request)
    form = forms.IntakeForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = data.pop("attachments") or []
        try:
            case = services.case_register(by=request.user, attachments=files, **data)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(
                request, f"已登记 {case.tracking_no}，居民查询码 {case.access_code}（仅显示一次）"
            )
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/intake.html", {"form": form})


@login_required
def attachment(request, pk):
    """Attachments are never under a public URL: only someone who can see the case gets the file."""
    item = get_object_or_404(CaseAttachment.objects.select_related("case"), pk=pk)
    if not Case.objects.visible_to(request.user).filter(pk=item.case_id).exists():
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    audit.record_access(what="read_full", obj=item, description="民情件附件")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def notice_pdf(request, pk):
    """Printing the notice issues a new 查询码 (printed on it), so it is a POST."""
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("community"), pk=pk)
    try:
        body = pdf.printed_notice(case, by=request.user, request=request)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except DomainError:
        raise Http404
    response = HttpResponse(body, content_type="application/pdf")
    audit.record_access(what="print", obj=case, description="一次性告知书")
    response["Content-Disposition"] = f'inline; filename="notice-{case.tracking_no}.pdf"'
    response["Cache-Control"] = "no-store"  # it carries the access code
    return response


@login_required
def overdue(request):
    scope = scope_for(request.user)
    if not is_office_anywhere(scope):
        raise DjangoPermissionDenied
    cases = selectors.overdue_cases(Case.objects.visible_to(request.user))
    missed = selectors.missed_openings(scope.managed_community_ids)
    return render(
        request,
        "cases/overdue.html",
        {
            "cases": cases,
            "missed": missed,
            "today": timezone.localdate(),
            "section": "overdue",
        },
    )


@login_required
def my_cases(request):
    _require_community_role(scope_for(request.user))
    return render(
        request,
        "cases/my.html",
        {
            "work": selectors.my_work(request.user),
            "today": timezone.localdate(),
            "section": "my_cases",
        },
    )
