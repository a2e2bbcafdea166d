"""Pages of service items: list, detail, the office's forms, sign-up, the organiser's QR screen."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from members import permissions
from members.models import Person
from members.roles import scope_for

from .. import access, calendar, checkin, forms, selectors, services
from ..models import (
    ItemStatus,
    Programme,
    ServiceItem,
    ServicePost,
    ServiceRecord,
    SignUp,
    SignUpStatus,
)
from ._common import (
    NoVolunteeringAccess,
    _back,
    _base_context,
    _current_community,
    _own_person,
    _posted_text,
    _require_office,
    _run,
)

# ----------------------------------------------------------------------------------------------- items


@login_required
def items(request):
    community = _current_community(request)
    if community is None:
        raise NoVolunteeringAccess
    person_id = scope_for(request.user).person_id
    qs = selectors.items_with_counts(
        ServiceItem.objects.visible_to(request.user).filter(community=community), person_id
    )
    when = request.GET.get("when", "upcoming")
    now = timezone.now()
    qs = (
        qs.filter(ends_at__gte=now).order_by("starts_at")
        if when == "upcoming"
        else qs.filter(ends_at__lt=now).order_by("-starts_at")
    )
    if request.GET.get("post", "").isdigit():
        qs = qs.filter(post_id=request.GET["post"])
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "volunteering/items.html", _base_context(request, community, page=page, when=when))


@login_required
def item_detail(request, pk):
    person_id = scope_for(request.user).person_id
    item = get_object_or_404(
        selectors.items_with_counts(ServiceItem.objects.visible_to(request.user), person_id), pk=pk
    )
    runs = access.runs_item(request.user, item)
    reads_all = permissions.oversees(request.user, item.community_id) or runs
    mine = SignUp.objects.filter(item=item, person_id=person_id).first() if person_id else None
    signups = waitlist = records = []
    if reads_all:
        all_signups = list(
            SignUp.objects.filter(item=item)
            .exclude(status=SignUpStatus.CANCELLED)
            .select_related("person")
            .order_by("queued_at", "pk")
        )
        signups = [s for s in all_signups if s.status == SignUpStatus.CONFIRMED]
        waitlist = [s for s in all_signups if s.status == SignUpStatus.WAITLISTED]
        records = list(ServiceRecord.objects.filter(item=item).select_related("person", "recorded_by"))
    attendance_form = None
    if runs:
        people = Person.objects.filter(
            Q(volunteer_signups__item=item, volunteer_signups__status=SignUpStatus.CONFIRMED)
        ).distinct()
        attendance_form = forms.AttendanceForm(
            people=people,
            initial={
                "start": timezone.localtime(item.starts_at).time(),
                "end": timezone.localtime(item.ends_at).time(),
            },
        )
    now = timezone.now()
    return render(
        request,
        "volunteering/item_detail.html",
        _base_context(
            request,
            item.community,
            item=item,
            mine=mine,
            runs=runs,
            reads_all=reads_all,
            signups=signups,
            waitlist=waitlist,
            records=records,
            attendance_form=attendance_form,
            position=selectors.waitlist_position(mine) if mine else None,
            signup_open=item.status == ItemStatus.OPEN and item.starts_at > now,
            checkin_open=item.starts_at - checkin.CHECKIN_OPENS_BEFORE
            <= now
            <= item.ends_at + checkin.CHECKOUT_CLOSES_AFTER,
            code_form=forms.CodeForm(),
            cancel_form=forms.ReasonForm(),
        ),
    )


@login_required
def item_edit(request, pk=None):
    item = get_object_or_404(ServiceItem.objects.visible_to(request.user), pk=pk) if pk else None
    community = item.community if item else _current_community(request, managed_only=True)
    if community is None:
        raise NoVolunteeringAccess
    _require_office(request, community.pk)
    initial = {}
    if item:
        start, end = timezone.localtime(item.starts_at), timezone.localtime(item.ends_at)
        initial = {
            k: getattr(item, k)
            for k in (
                "title",
                "description",
                "place",
                "post",
                "programme",
                "capacity",
                "required_skills",
                "recipients",
            )
        }
        initial.update(day=start.date(), start=start.time(), end=end.time())
    else:
        initial = {
            "day": timezone.localdate() + dt.timedelta(days=7),
            "start": dt.time(9),
            "end": dt.time(11),
        }
        if request.GET.get("programme", "").isdigit():
            initial["programme"] = request.GET["programme"]
    form = forms.ItemForm(
        request.POST or None,
        initial=initial,
        editing=bool(item),
        posts=ServicePost.objects.filter(community=community, is_active=True),
        programmes=Programme.objects.filter(community=community, is_active=True),
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        if item:
            demote = form.cleaned_data.get("demote_excess", False)
            ok = _run(
                request,
                lambda: services.item_update(item=item, by=request.user, demote_excess=demote, **data),
                "服务事项已保存",
            )
            target = item
        else:
            created = []
            ok = _run(
                request,
                lambda: created.append(services.item_create(community=community, by=request.user, **data)),
                "服务事项已发布",
            )
            target = created[0] if created else None
        if ok:
            return redirect("volunteering:item_detail", pk=target.pk)
    return render(
        request,
        "volunteering/form.html",
        _base_context(
            request,
            community,
            form=form,
            title="编辑服务事项" if item else "发布服务事项",
            back=reverse("volunteering:item_detail", args=[item.pk])
            if item
            else reverse("volunteering:items"),
        ),
    )


@login_required
@require_POST
def item_cancel(request, pk):
    item = get_object_or_404(ServiceItem.objects.visible_to(request.user), pk=pk)
    _run(
        request,
        lambda: services.item_cancel(item=item, by=request.user, reason=_posted_text(request, "reason")),
        "服务事项已取消，已报名的党员会收到通知",
    )
    return redirect("volunteering:item_detail", pk=item.pk)


@login_required
@require_POST
def item_signup(request, pk):
    item = get_object_or_404(ServiceItem.objects.visible_to(request.user), pk=pk)
    person = _own_person(request)
    result = []
    if person is None:
        messages.error(request, "该账号未关联党员信息")
    elif _run(
        request, lambda: result.append(services.signup_create(item=item, person=person, by=request.user)), ""
    ):
        if result[0].status == SignUpStatus.CONFIRMED:
            messages.success(request, "报名成功")
        else:
            messages.warning(
                request,
                f"名额已满，您已进入候补（第 {selectors.waitlist_position(result[0])} 位）；"
                "有人取消时会自动转正并通知您",
            )
    return _back(request, reverse("volunteering:item_detail", args=[item.pk]))


@login_required
@require_POST
def signup_cancel(request, pk):
    signup = get_object_or_404(
        SignUp.objects.visible_to(request.user).select_related("item", "person"), pk=pk
    )
    _run(request, lambda: services.signup_cancel(signup=signup, by=request.user), "已取消报名")
    return _back(request, reverse("volunteering:item_detail", args=[signup.item_id]))


@login_required
def item_qr(request, pk):
    """The organiser's screen at the activity: QR and short code, refreshed every minute."""
    item = get_object_or_404(ServiceItem.objects.visible_to(request.user), pk=pk)
    if not access.runs_item(request.user, item):
        raise DjangoPermissionDenied
    url = checkin.checkin_url(request, item)
    confirmed = SignUp.objects.filter(item=item, status=SignUpStatus.CONFIRMED)
    return render(
        request,
        "volunteering/item_qr.html",
        _base_context(
            request,
            item.community,
            item=item,
            url=url,
            svg=checkin.qr_svg(url, scale=7),
            code=checkin.make_code(item),
            refresh=checkin.REFRESH_SECONDS,
            checked_in=confirmed.filter(checked_in_at__isnull=False).count(),
            confirmed=confirmed.count(),
        ),
    )


@login_required
@require_POST
def item_rotate_code(request, pk):
    item = get_object_or_404(ServiceItem.objects.visible_to(request.user), pk=pk)
    _run(request, lambda: services.item_rotate_code(item=item, by=request.user), "已作废之前的二维码和签到码")
    return redirect("volunteering:item_qr", pk=item.pk)


@login_required
@require_POST
def item_attendance(request, pk):
    item = get_object_or_404(ServiceItem.objects.visible_to(request.user), pk=pk)
    if not access.runs_item(request.user, item):
        raise DjangoPermissionDenied
    form = forms.AttendanceForm(
        request.POST,
        people=Person.objects.filter(
            Q(volunteer_signups__item=item) | Q(community=item.community)
        ).distinct(),
    )
    if form.is_valid():
        started, ended = form.times(item)
        data = form.cleaned_data
        _run(
            request,
            lambda: services.attendance_mark(
                item=item,
                person=data["person"],
                by=request.user,
                started_at=started,
                ended_at=ended,
                content=data["content"],
                evaluation=data["evaluation"],
            ),
            "已登记服务时长",
        )
    else:
        messages.error(
            request, "登记信息不完整：" + "；".join(e for errs in form.errors.values() for e in errs)
        )
    return redirect("volunteering:item_detail", pk=item.pk)


@login_required
def item_ics(request, pk):
    item = get_object_or_404(ServiceItem.objects.visible_to(request.user), pk=pk)
    response = HttpResponse(calendar.ics([item], host=request.get_host()), content_type="text/calendar")
    response["Content-Disposition"] = f"attachment; filename=item-{item.pk}.ics"
    return response
