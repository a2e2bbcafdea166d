"""Check-in from a scanned QR or a typed code; the member's own items and calendar feed."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from members.roles import scope_for

from .. import calendar, checkin, forms, selectors, services
from ..models import (
    ServiceItem,
    SignUp,
    SignUpStatus,
)
from ._common import (
    NoVolunteeringAccess,
    _base_context,
    _communities,
    _current_community,
    _own_person,
    _run,
)

# --------------------------------------------------------------------------------------------- check-in


def _wants_check_out(signup: SignUp | None) -> bool:
    """The next scan checks out once the member is checked in — unless it comes right after the check-in
    (a double tap or a replayed code), which stays a harmless check-in."""
    return (
        signup is not None
        and signup.checked_in_at is not None
        and signup.checked_out_at is None
        and timezone.now() - signup.checked_in_at >= checkin.SCAN_REPLAY_GRACE
    )


def _do_check(request, item, *, token="", code="") -> None:
    signup = SignUp.objects.filter(item=item, person_id=scope_for(request.user).person_id).first()
    if _wants_check_out(signup):
        result = []
        if _run(
            request,
            lambda: result.append(services.check_out(item=item, by=request.user, token=token, code=code)),
            "",
        ):
            _, record, changed = result[0]
            messages.success(
                request,
                f"签退成功，记录服务时长 {record.hours} 小时"
                if changed and record
                else "您已签退，无需重复操作",
            )
    else:
        result = []
        if _run(
            request,
            lambda: result.append(services.check_in(item=item, by=request.user, token=token, code=code)),
            "",
        ):
            _, changed = result[0]
            messages.success(
                request, "签到成功，活动结束时请再次扫码签退" if changed else "您已签到，无需重复操作"
            )


@login_required
def checkin_scan(request, token):
    """Where the QR code leads: confirm, then check in (or out). GET never writes."""
    item_id = checkin.token_item_id(token)
    item = ServiceItem.objects.visible_to(request.user).filter(pk=item_id).first() if item_id else None
    if item is None:
        messages.error(request, "二维码无效")
        return redirect("volunteering:checkin_code")
    if request.method == "POST":
        _do_check(request, item, token=token)
        return redirect("volunteering:item_detail", pk=item.pk)
    signup = SignUp.objects.filter(item=item, person_id=scope_for(request.user).person_id).first()
    return render(
        request,
        "volunteering/checkin_scan.html",
        _base_context(
            request,
            item.community,
            item=item,
            signup=signup,
            token=token,
            check_out=_wants_check_out(signup),
        ),
    )


@login_required
def checkin_code(request):
    """Type the 6-character code shown by the organiser; the page finds the member's item open now."""
    person_id = scope_for(request.user).person_id
    if person_id is None:
        raise NoVolunteeringAccess
    open_items = selectors.items_open_for_checkin(person_id)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item_id = request.POST.get("item", "")
        candidates = [i for i in open_items if str(i.pk) == item_id] if item_id else open_items
        if not candidates:
            messages.error(request, "您当前没有可签到的服务事项（签到从开始前 30 分钟开放）")
        else:
            code = form.cleaned_data["code"]
            match = None
            for candidate in candidates:
                try:
                    checkin.check_code(candidate, code)
                    match = candidate
                    break
                except DomainError:
                    continue
            target = match or candidates[0]
            _do_check(request, target, code=code)
            return redirect("volunteering:item_detail", pk=target.pk)
    return render(
        request,
        "volunteering/checkin_code.html",
        _base_context(
            request,
            None,
            form=form,
            open_items=open_items,
        ),
    )


# ------------------------------------------------------------------------------------------- my items


@login_required
def my_items(request):
    person = _own_person(request)
    if person is None:
        if not _communities(request).exists():
            raise NoVolunteeringAccess
        return render(request, "volunteering/my_items.html", _base_context(request, None, no_person=True))
    community = _current_community(request)
    year = timezone.localdate().year
    signups = list(selectors.my_signups(person.pk))
    now = timezone.now()
    upcoming = [s for s in signups if s.item.ends_at >= now]
    past = [s for s in signups if s.item.ends_at < now and s.item.starts_at.year >= year - 1][-20:][::-1]
    claim = selectors.current_claim(person.pk)
    progress = selectors.member_progress(person.pk, community.pk, year) if community else None
    feed = request.build_absolute_uri(
        reverse("volunteering:calendar_feed", args=[calendar.feed_token(person.pk)])
    )
    return render(
        request,
        "volunteering/my_items.html",
        _base_context(
            request,
            community,
            upcoming=upcoming,
            past=past,
            claim=claim,
            progress=progress,
            year=year,
            feed=feed,
            open_items=selectors.items_open_for_checkin(person.pk),
        ),
    )


def calendar_feed(request, token):
    """The member's calendar subscription (no login: the URL carries a signed person id)."""
    person_id = calendar.feed_person_id(token)
    if person_id is None:
        raise Http404
    start = timezone.now() - dt.timedelta(days=90)
    items_ = ServiceItem.objects.filter(
        signups__person_id=person_id, signups__status=SignUpStatus.CONFIRMED, ends_at__gte=start
    ).order_by("starts_at")
    return HttpResponse(
        calendar.ics(items_, name="我的志愿服务", host=request.get_host()),
        content_type="text/calendar; charset=utf-8",
    )
