"""报到登记 pages: the office's tabs and actions (confirm, return with a reason, window registration, move)
and the member's phone page (register, withdraw, 我搬家了)."""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.errors import DomainError
from core.xlsx import xlsx_response

from .. import forms, selectors, services
from ..models import (
    ACTIVE_REGISTRATION_STATUSES,
    Building,
    Community,
    Person,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)
from ..roles import scope_for
from .base import (
    decorate_people,
    forbidden,
    form_status,
    managed_people,
    page,
    paginate,
    posted,
    registration_events,
    safe_next,
)

# ---------------------------------------------------------------------------------------- registrations

REGISTRATION_TABS = [
    ("waiting", "待确认", [RegistrationStatus.SUBMITTED]),
    ("confirmed", "已报到", [RegistrationStatus.CONFIRMED]),
    ("returned", "已退回", [RegistrationStatus.RETURNED]),
    ("all", "全部", None),
    ("unregistered", "在职未报到", None),
]


def filtered_registrations(request):
    """(tab, form, registrations, unregistered people) narrowed by the page's filters: the list page and
    its Excel export read the same rows."""
    user = request.user
    tabs = {key: (label, statuses) for key, label, statuses in REGISTRATION_TABS}
    tab = request.GET.get("tab") if request.GET.get("tab") in tabs else "waiting"
    form = forms.RosterFilterForm(request.GET, communities=Community.objects.managed_by(user))
    form.is_valid()
    data = getattr(form, "cleaned_data", {})

    regs = Registration.objects.visible_to(user).managed_by(user)
    unregistered = selectors.unregistered_in_service(managed_people(user))
    if data.get("community"):
        regs = regs.filter(community=data["community"])
        unregistered = unregistered.filter(community=data["community"])
    # Names everywhere; numbers only in the communities where the user sees them in full.
    regs = selectors.search_people(regs, user, data.get("q"), prefix="person__")
    unregistered = selectors.search_people(unregistered, user, data.get("q"))
    return tab, form, regs, unregistered


@page(office=True)
def registrations_xlsx(request):
    """导出报到登记: the tab shown, with the same filters, as an .xlsx (streamed; numbers masked)."""
    from ..exports import registration_workbook, unregistered_workbook

    tab, _, regs, unregistered = filtered_registrations(request)
    if tab == "unregistered":
        workbook = unregistered_workbook(unregistered)
    else:
        statuses = dict((key, statuses) for key, _, statuses in REGISTRATION_TABS)[tab]
        workbook = registration_workbook(regs.filter(status__in=statuses) if statuses else regs)
    audit.record_access(what="export", description="报到登记导出", extra=request.GET.dict())
    return xlsx_response(workbook, filename=f"报到登记-{timezone.localdate():%Y%m%d}.xlsx")


@page(office=True)
def registrations(request):
    tab, form, regs, unregistered = filtered_registrations(request)
    tabs = {key: (label, statuses) for key, label, statuses in REGISTRATION_TABS}

    counts = regs.aggregate(
        waiting=Count("pk", filter=Q(status=RegistrationStatus.SUBMITTED)),
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        returned=Count("pk", filter=Q(status=RegistrationStatus.RETURNED)),
        all=Count("pk"),
    )
    counts["unregistered"] = unregistered.count()

    if tab == "unregistered":
        rows = unregistered.select_related("community", "building", "membership__employer")
        page_obj = paginate(request, rows)
        decorate_people(page_obj)  # lists stay masked for everyone
    else:
        statuses = tabs[tab][1]
        rows = regs.select_related("person", "community", "person__membership__employer", "decided_by")
        if statuses:
            rows = rows.filter(status__in=statuses)
        if tab == "waiting":
            rows = rows.order_by("submitted_at", "pk")  # first come, first served
        page_obj = paginate(request, rows)
        decorate_people([registration.person for registration in page_obj])  # masked for everyone

    context = {
        "section": "registrations",
        "tab": tab,
        "tabs": [(key, label, counts[key]) for key, label, _ in REGISTRATION_TABS],
        "form": form,
        "page_obj": page_obj,
        "return_form": forms.ReturnForm(),
        "here": request.get_full_path(),
        "export_query": request.GET.urlencode(),
    }
    return render(request, "members/registrations.html", context)


def visible_registration(request, pk):
    return get_object_or_404(
        Registration.objects.visible_to(request.user).select_related(
            "person__membership__employer",
            "community__town",
            "submitted_by",
            "decided_by",
            "transferred_from",
        ),
        pk=pk,
    )


@page(office=True)
def registration_detail(request, pk):
    registration = visible_registration(request, pk)
    decorate_people([registration.person], user=request.user)
    context = {
        "section": "registrations",
        "registration": registration,
        "events": registration_events().filter(registration=registration),
        "return_form": forms.ReturnForm(),
        "is_active": registration.status in ACTIVE_REGISTRATION_STATUSES,
    }
    return render(request, "members/registration_detail.html", context)


@page(office=True)
@require_POST
def registration_confirm(request, pk):
    registration = visible_registration(request, pk)
    try:
        services.registration_confirm(registration=registration, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已确认{registration.person.name}的报到")
    return redirect(safe_next(request, reverse("members:registrations")))


@page(office=True)
def registration_return(request, pk):
    registration = visible_registration(request, pk)
    form = forms.ReturnForm(posted(request))
    error = None
    if form.is_bound and form.is_valid():
        try:
            services.registration_return(
                registration=registration, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            error = exc
            forms.add_service_error(form, exc)
        else:
            messages.success(request, f"已退回{registration.person.name}的报到，原因已告知本人")
            return redirect(safe_next(request, reverse("members:registrations")))
    context = {
        "section": "registrations",
        "registration": registration,
        "form": form,
        "next": safe_next(request, reverse("members:registrations")),
    }
    return render(request, "members/registration_return.html", context, status=form_status(form, error))


@page(office=True)
def registration_window(request):
    """窗口报到: staff register an in-service member of their community who is standing at the desk."""
    user = request.user
    people = selectors.unregistered_in_service(managed_people(user)).select_related("community", "membership")
    form = forms.WindowRegistrationForm(
        posted(request), people=people, initial={"person": request.GET.get("person")}
    )
    error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        person = data["person"]
        try:
            registration = services.registration_submit(
                person=person,
                community=person.community,
                by=user,
                channel=RegistrationChannel.WINDOW,
                specialties=data["specialties"] or None,
                interests=data["interests"] or None,
                desired_posts=data["desired_posts"],
            )
        except DomainError as exc:
            error = exc
            forms.add_service_error(form, exc)
        else:
            messages.success(request, f"已为{person.name}办理窗口报到，请核对后确认")
            return redirect("members:registration_detail", registration.pk)
    context = {"section": "registrations", "form": form}
    return render(request, "members/registration_window.html", context, status=form_status(form, error))


def transfer_choices(registration) -> dict:
    """Destinations of a move: the other communities of the same town (a move to another town is a new
    registration there). Names of a town's communities are public, unlike their data."""
    communities = Community.objects.filter(town_id=registration.community.town_id).exclude(
        pk=registration.community_id
    )
    return {
        "communities": communities,
        "buildings": Building.objects.filter(community__in=communities).select_related("community"),
    }


def transfer(request, registration, *, back_url: str, done_url: str, template_context: dict):
    form = forms.TransferForm(posted(request), **transfer_choices(registration))
    error = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.registration_transfer(
                registration=registration,
                to_community=data["to_community"],
                by=request.user,
                building=data["building"],
                unit_room=data["unit_room"],
                note=data["note"],
            )
        except DomainError as exc:
            error = exc
            forms.add_service_error(form, exc)
        else:
            messages.success(
                request,
                f"已办理{registration.person.name}迁往{data['to_community'].name}，等待{data['to_community'].name}确认报到",
            )
            return redirect(done_url)
    context = {**template_context, "registration": registration, "form": form, "back_url": back_url}
    return render(request, "members/registration_transfer.html", context, status=form_status(form, error))


@page(office=True)
def registration_transfer(request, pk):
    registration = visible_registration(request, pk)
    return transfer(
        request,
        registration,
        back_url=reverse("members:registration_detail", args=[registration.pk]),
        done_url=reverse("members:registrations"),
        template_context={"section": "registrations"},
    )


# -------------------------------------------------------------------------------- my registration (member)

NOT_A_MEMBER_PAGE = "报到登记面向在职党员。您的账号尚未关联花名册中的在职党员信息，请联系所在社区办理。"


def my_person(request):
    """The in-service member behind this login, or None."""
    scope = scope_for(request.user)
    if not scope.person_id:
        return None
    person = (
        Person.objects.visible_to(request.user)
        .select_related("community__town", "membership__employer", "building")
        .filter(pk=scope.person_id)
        .first()
    )
    membership = getattr(person, "membership", None)
    return person if membership is not None and membership.is_in_service else None


def my_active_registration(request, person):
    return (
        Registration.objects.visible_to(request.user)
        .active()
        .filter(person=person)
        .select_related("community__town", "person")
        .first()
    )


@page
def my_registration(request):
    person = my_person(request)
    if person is None:
        return forbidden(request, NOT_A_MEMBER_PAGE)
    history = list(
        Registration.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("community")
        .prefetch_related(Prefetch("events", queryset=registration_events()))
    )
    active = next((r for r in history if r.status in ACTIVE_REGISTRATION_STATUSES), None)
    form, error = None, None
    if active is None:
        membership = person.membership
        form = forms.MyRegistrationForm(
            posted(request),
            communities=Community.objects.filter(town_id=person.community.town_id),
            initial={
                "community": person.community_id,
                "specialties": membership.specialties,
                "interests": membership.interests,
            },
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                services.registration_submit(
                    person=person,
                    community=data["community"],
                    by=request.user,
                    channel=RegistrationChannel.ONLINE,
                    specialties=data["specialties"],
                    interests=data["interests"],
                    desired_posts=data["desired_posts"],
                )
            except DomainError as exc:
                error = exc
                forms.add_service_error(form, exc)
            else:
                messages.success(request, f"报到已提交，等待{data['community'].name}党总支确认")
                return redirect("members:my_registration")
    elif request.method == "POST":
        messages.error(request, "您已有有效的报到登记；搬家请使用「我搬家了」")
        return redirect("members:my_registration")
    context = {
        "section": "my_registration",
        "person": person,
        "active": active,
        "history": history,
        "form": form,
    }
    return render(request, "members/my_registration.html", context, status=form_status(form, error))


@page
@require_POST
def my_registration_withdraw(request):
    person = my_person(request)
    if person is None:
        return forbidden(request, NOT_A_MEMBER_PAGE)
    registration = (
        Registration.objects.visible_to(request.user)
        .filter(person=person, status=RegistrationStatus.SUBMITTED)
        .first()
    )
    if registration is None:  # already decided, or a second tap on the button
        messages.info(request, "没有可以撤回的报到")
        return redirect("members:my_registration")
    try:
        services.registration_withdraw(registration=registration, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "报到已撤回，可以修改后重新报到")
    return redirect("members:my_registration")


@page
def my_registration_transfer(request):
    """我搬家了: the member moves their registration to their new community of the same town."""
    person = my_person(request)
    if person is None:
        return forbidden(request, NOT_A_MEMBER_PAGE)
    registration = my_active_registration(request, person)
    if registration is None:
        messages.info(request, "您还没有有效的报到登记，请直接到新居住社区报到")
        return redirect("members:my_registration")
    url = reverse("members:my_registration")
    return transfer(
        request, registration, back_url=url, done_url=url, template_context={"section": "my_registration"}
    )
