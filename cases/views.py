"""Server-rendered pages: staff list/case/intake, the assignee's and officer's phone pages, channels, and the
public pages (/cases/public/…, the only ones open without a login)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core import audit
from core.errors import DomainError
from members.models import Community, User
from members.privacy import shown_mobile
from members.roles import scope_for

from . import forms, pdf, retention, security, selectors, services
from .api import CaseFilter
from .models import (
    Case,
    CaseAttachment,
    DiaryEntry,
    Forum,
    Mailbox,
    ReceptionDay,
    ReceptionKind,
    ThematicGroup,
)
from .states import CaseState, allowed_actions

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


def _managed(request):
    scope = scope_for(request.user)
    communities = Community.objects.managed_by(request.user)
    if not scope.managed_community_ids and not scope.is_superuser:
        raise DjangoPermissionDenied("只有社区工作人员可以使用此页面")
    return communities


def _error(request, exc: DomainError):
    detail = "；".join(
        f"{m}" for msgs in exc.fields.values() for m in (msgs if isinstance(msgs, list) else [msgs])
    )
    messages.error(request, f"{exc.message}{'：' + detail if detail else ''}")


# ------------------------------------------------------------------------------------------ staff pages


@login_required
def case_list(request):
    scope = scope_for(request.user)
    qs = selectors.case_queryset_for_list(Case.objects.visible_to(request.user))
    communities = Community.objects.visible_to(request.user)
    form = forms.CaseFilterForm(request.GET or None, communities=communities)
    filtered = CaseFilter(request.GET, queryset=qs, request=request).qs
    q = request.GET.get("q", "").strip()
    if q:
        filtered = filtered.filter(tracking_no__icontains=q) | filtered.filter(content__icontains=q)
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
            "is_manager": bool(scope.managed_community_ids) or scope.is_superuser,
        },
    )


@login_required
def case_detail(request, pk):
    case = get_object_or_404(selectors.case_queryset_for_detail(Case.objects.visible_to(request.user)), pk=pk)
    scope = scope_for(request.user)
    manager = scope.manages(case.community_id)
    worker = manager or case.assignee_id == request.user.pk
    actions = [a for a in allowed_actions(case.state) if (manager or (worker and a in WORKER_ACTIONS))]
    action_forms = {a: forms.ACTION_FORMS[a](prefix=a) for a in actions}
    suggestions = selectors.suggest_assignees(case) if manager else []
    if "assign" in action_forms:
        action_forms["assign"].fields["assignee"].widget.choices = [
            (s.user_id, f"{s.name}（{s.reason}）") for s in suggestions
        ]
    context = {
        "case": case,
        "resident_phone": shown_mobile(request.user, case.community_id, case.resident_phone),
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
    return render(request, "cases/detail.html", context)


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
def notice_pdf(request, pk):
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("community"), pk=pk)
    try:
        body = pdf.one_time_notice_pdf(case)
    except DomainError:
        raise Http404
    response = HttpResponse(body, content_type="application/pdf")
    audit.record_access(what="print", obj=case, description="一次性告知书")
    response["Content-Disposition"] = f'inline; filename="notice-{case.tracking_no}.pdf"'
    return response


@login_required
def overdue(request):
    scope = scope_for(request.user)
    if not scope.managed_community_ids and not scope.is_superuser:
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


# ----------------------------------------------------------------------------------------- phone pages


@login_required
def my_cases(request):
    return render(
        request,
        "cases/my.html",
        {
            "work": selectors.my_work(request.user),
            "today": timezone.localdate(),
            "section": "my_cases",
        },
    )


@login_required
def diary(request):
    officer = services.officer_post_for(request.user)
    scope = scope_for(request.user)
    if officer is None and not scope.managed_community_ids:
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
        {"form": form if officer else None, "entries": entries, "to_case_form": forms.ToCaseForm()},
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
    if not boxes.exists() and not scope.managed_community_ids:
        raise DjangoPermissionDenied
    return render(
        request,
        "cases/mailboxes.html",
        {"mailboxes": boxes, "missed": selectors.missed_openings(scope.managed_community_ids)},
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
    if scope.managed_community_ids or scope.is_superuser:
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


# -------------------------------------------------------------------------------------------- public


def public_home(request):
    return render(request, "cases/public/home.html", {"communities": Community.objects.all()})


def public_submit(request):
    form = forms.PublicSubmitForm(request.POST or None, request.FILES or None)
    notice = retention.privacy_notice()
    if request.method == "POST":
        if not security.submit_allowed(security.client_ip(request)):
            return render(
                request,
                "cases/public/submit.html",
                {"form": form, "flooded": True, "notice": notice},
                status=429,
            )
        if form.is_valid():
            data = dict(form.cleaned_data)
            files = data.pop("attachments") or []
            data.pop("consent")  # required by the form: no consent, no submission
            try:
                case = services.public_submit(
                    attachments=files, privacy_notice=retention.PRIVACY_NOTICE_VERSION, **data
                )
            except DomainError as exc:
                for field, errors in exc.fields.items():
                    for message in errors if isinstance(errors, list) else [errors]:
                        form.add_error(field if field in form.fields else None, message)
            else:
                request.session["public_cases"] = [*request.session.get("public_cases", [])[-9:], case.pk]
                return render(
                    request,
                    "cases/public/submitted.html",
                    {"tracking_no": case.tracking_no, "access_code": case.access_code},
                )
    return render(request, "cases/public/submit.html", {"form": form, "notice": notice})


def _public_case_or_none(request, pk):
    if pk not in request.session.get("public_cases", []):
        return None
    return Case.objects.select_related("community").prefetch_related("events").filter(pk=pk).first()


def public_track(request):
    form = forms.PublicTrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip, number = security.client_ip(request), form.cleaned_data["tracking_no"]
        if security.lookup_blocked(ip, number):
            return render(request, "cases/public/track.html", {"form": form, "blocked": True}, status=429)
        case = services.public_find(**form.cleaned_data)
        if case is None:
            security.record_lookup_miss(ip, number)
            form.add_error(None, "受理编号或查询码不正确")
        else:
            request.session["public_cases"] = [*request.session.get("public_cases", [])[-9:], case.pk]
            return redirect("cases:public_case", pk=case.pk)
    return render(request, "cases/public/track.html", {"form": form})


def public_case(request, pk):
    case = _public_case_or_none(request, pk)
    if case is None:
        return redirect("cases:public_track")
    form = forms.RateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_rate(case=case, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("cases:public_case", pk=pk)
    return render(
        request,
        "cases/public/case.html",
        {
            "case": case,
            "content": security.mask_text(case.content),
            "reply": security.mask_text(case.feedback_text),
            "explanation": security.mask_text(case.explanation),
            "timeline": selectors.public_timeline(case),
            "form": form if case.state == CaseState.FEEDBACK_GIVEN else None,
        },
    )


def public_schedule(request):
    return render(request, "cases/public/schedule.html", {"days": selectors.public_schedule()})


def public_disclosure(request, code):
    community = get_object_or_404(Community, code=code)
    return render(
        request, "cases/public/disclosure.html", selectors.public_disclosure(community) | {"obj": community}
    )
