"""Plumbing shared by the members pages: the `@page` decorator, pagination, form status codes, the
registration status of people in lists, and masked numbers."""

import re
from functools import wraps
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, CharField, F, Value, When
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import DomainError

from ..models import Person, RegistrationEvent, RegistrationStatus
from ..models.registration import REGISTRATION_EVENT_ACTIONS
from ..permissions import is_office_anywhere
from ..privacy import shown_id_number, shown_mobile
from ..roles import scope_for

PAGE_SIZE = 50
OFFICE_ONLY = "此页面供社区党总支书记、社区工作人员、办公室主任和镇督查人员使用。"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page(view=None, *, office=False):
    """Every page: log in first; a user holding an initial password changes it before anything else;
    `office=True` pages answer other roles with a polite 403."""

    def decorate(fn):
        @wraps(fn)
        def wrapper(request, *args, **kwargs):
            if request.user.must_change_password:
                return redirect("password_change")
            if office and not is_office_anywhere(scope_for(request.user)):
                return forbidden(request)
            return fn(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate(view) if view is not None else decorate


def forbidden(request, message: str = OFFICE_ONLY):
    return render(request, "members/forbidden.html", {"message": message}, status=403)


def paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def safe_next(request, default: str) -> str:
    """Where to go after a POST: the page's own `next` if it is on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def posted(request):
    return request.POST if request.method == "POST" else None


def form_status(form, exc: Exception | None = None) -> int:
    if isinstance(exc, DomainError):
        return exc.status_code
    return 400 if form is not None and form.is_bound and form.errors else 200


def content_disposition(kind: str, filename: str, fallback: str) -> str:
    """RFC 6266 / RFC 5987: an ASCII `filename` for old clients, the real name as UTF-8 `filename*`."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def managed_people(user):
    """People of the communities whose office the user runs."""
    return Person.objects.visible_to(user).managed_by(user)


EVENT_ACTIONS = REGISTRATION_EVENT_ACTIONS


def registration_events():
    """Events with a readable `action`, computed in the query (no per-row work in templates)."""
    action = Case(
        *(When(to_status=status, then=Value(label)) for status, label in EVENT_ACTIONS.items()),
        default=F("to_status"),
        output_field=CharField(),
    )
    return RegistrationEvent.objects.select_related("by").annotate(action=action)


def registration_state(person) -> tuple[str, str]:
    """(label, badge class) of a person annotated by `with_registration_status`."""
    status = getattr(person, "registration_status", None)
    if status == RegistrationStatus.CONFIRMED:
        return "已报到", "ok"
    if status == RegistrationStatus.SUBMITTED:
        return "待确认", "warn"
    membership = getattr(person, "membership", None)
    if membership is not None and membership.is_in_service:
        return "未报到", "bad"
    return "—", ""


def decorate_people(rows, *, user=None):
    """Registration labels and the numbers as `user` may see them (members.privacy), so templates never
    read `person.mobile` itself. Lists pass no user: a page of many people shows every number masked, to
    everyone (the minimum necessary); a person's own page passes the user. `mobile_full` is set only when
    the number is shown in full (the tel: link)."""
    for person in rows:
        person.registration_label, person.registration_badge = registration_state(person)
        person.mobile_masked = shown_mobile(user, person, person.mobile)
        person.id_number_masked = shown_id_number(user, person, person.id_number)
        person.mobile_full = person.mobile if person.mobile and person.mobile_masked == person.mobile else ""
    return rows
