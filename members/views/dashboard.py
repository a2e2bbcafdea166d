"""The home page: routes by role (office dashboard, member, officer, employer liaison, no role yet), and
the town supervisor's switch for the second factor shown on it."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError

from .. import forms, selectors, services
from .. import home as home_hooks
from ..api.people import PersonForEmployerSerializer
from ..models import (
    Community,
    InformationOfficer,
    MemberCategory,
    OfficerStatus,
    Person,
    Registration,
    RegistrationStatus,
    Town,
)
from ..permissions import is_office_anywhere
from ..roles import Role, scope_for
from .base import forbidden, page, paginate


def community_table(communities):
    """One row per community with the dashboard's figures, in one query (for town supervisors)."""

    def count(queryset):
        per_community = (
            queryset.filter(community=OuterRef("pk")).order_by().values("community").annotate(n=Count("pk"))
        )
        return Coalesce(Subquery(per_community.values("n"), output_field=IntegerField()), 0)

    people = Person.objects.all()
    rows = list(
        communities.select_related("town").annotate(
            people_n=count(people),
            in_service_n=count(people.filter(membership__category=MemberCategory.IN_SERVICE)),
            waiting_n=count(Registration.objects.filter(status=RegistrationStatus.SUBMITTED)),
            confirmed_n=count(Registration.objects.filter(status=RegistrationStatus.CONFIRMED)),
            unregistered_n=count(selectors.unregistered_in_service(people)),
            officers_n=count(InformationOfficer.objects.filter(status=OfficerStatus.ACTIVE)),
        )
    )
    for row in rows:
        row.vacancies = max(row.officer_quota - row.officers_n, 0)
    return rows


@page
def home(request):
    """Routes by role: the office dashboard, a member's registration, an officer's appointment, an
    employer liaison's members — whichever apply — or a polite "no role yet" page."""
    user = request.user
    scope = scope_for(user)
    today = timezone.localdate()
    context = {"section": "home", "role_labels": sorted(Role(r).label for r in scope.roles), "today": today}
    shown = False

    if is_office_anywhere(scope):
        communities = Community.objects.managed_by(user)
        ids = list(communities.values_list("pk", flat=True))
        context["counts"] = selectors.dashboard_counts(ids)
        # 今日待办: what waits in each community (registrations, cases, mailboxes, officers, members behind),
        # counted per community by each app (members.home) and added up here
        per_community = home_hooks.community_figures(ids, today=today)
        context["todo"] = home_hooks.total_figures(per_community)
        if scope.town_ids or scope.is_superuser or len(ids) > 1:
            context["community_rows"] = community_table(communities)
            for row in context["community_rows"]:
                row.figures = per_community.get(row.pk, [])
            context["figure_labels"] = [f.label for f in context["todo"]]
        if scope.town_ids:  # the towns this user supervises: their second-factor switch (superusers: admin)
            # read off the community rows (towns joined), a query only for a town without communities yet
            towns = {c.town_id: c.town for c in context["community_rows"] if c.town_id in scope.town_ids}
            if missing := scope.town_ids - towns.keys():
                towns.update((t.pk, t) for t in Town.objects.filter(pk__in=missing))
            context["supervised_towns"] = sorted(towns.values(), key=lambda t: t.name)
            context["platform_requires_2fa"] = settings.REQUIRE_2FA_FOR_STAFF
        shown = True

    person = None
    if scope.person_id:
        person = (
            Person.objects.visible_to(user)
            .select_related("community", "membership")
            .filter(pk=scope.person_id)
            .first()
        )
    membership = getattr(person, "membership", None) if person else None
    if person and (Role.MEMBER in scope.roles or (membership and membership.is_in_service)):
        context["my_person"] = person
        context["my_registration"] = (
            Registration.objects.visible_to(user).filter(person=person).select_related("community").first()
        )
        shown = True
    if person:
        posts = list(
            InformationOfficer.objects.visible_to(user)
            .active()
            .filter(person=person)
            .select_related("community", "compound")
        )
        if posts or scope.officer_community_ids:
            context["my_posts"] = posts
            shown = True

    # the member's and the officer's own work, from each app (members.home): next service item, the year's
    # progress, open claims, assigned cases with deadlines, the diary of the week, unread notices
    context["sections"] = home_hooks.personal_sections(user=user, scope=scope, person=person, today=today)
    if context["sections"]:
        shown = True

    if scope.employer_ids:
        in_service = Person.objects.visible_to(user).filter(
            membership__employer_id__in=scope.employer_ids, membership__category=MemberCategory.IN_SERVICE
        )
        context["employer_counts"] = in_service.aggregate(
            # distinct: the join yields one row per registration, and a member may have several
            total=Count("pk", distinct=True),
            confirmed=Count(
                "pk", distinct=True, filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            ),
            waiting=Count("pk", distinct=True, filter=Q(registrations__status=RegistrationStatus.SUBMITTED)),
        )
        context["employer_counts"]["unregistered"] = selectors.unregistered_in_service(in_service).count()
        people = selectors.with_registration_status(in_service).select_related(
            "community", "membership__employer"
        )
        context["employer_page"] = paginate(
            request, people.order_by("membership__employer__name", "name", "pk")
        )
        # The template gets the feedback sheet's fields only (members.privacy.EMPLOYER_FEEDBACK_FIELDS),
        # through the liaison's serializer, never the Person rows themselves.
        context["employer_rows"] = PersonForEmployerSerializer(
            context["employer_page"].object_list, many=True
        ).data
        # the year's service items and hours of the members on this page (volunteering, via members.home)
        columns = home_hooks.employer_columns(
            person_ids=[row["id"] for row in context["employer_rows"]], year=today.year
        )
        context["employer_headers"] = [h for c in columns for h in c.headers]
        for row in context["employer_rows"]:
            row["extra"] = [v for c in columns for v in c.values.get(row["id"], [""] * len(c.headers))]
        shown = True

    if not shown and not scope.roles:
        return render(request, "members/no_role.html", context)
    context["nothing_to_do"] = not shown
    return render(request, "members/home.html", context)


@page
@require_POST
def town_second_factor(request, pk):
    """管理人员须动态口令: the town supervisor switches the second factor for the town's office accounts."""
    town = get_object_or_404(Town.objects.visible_to(request.user), pk=pk)
    form = forms.TownSecondFactorForm(request.POST)
    form.is_valid()  # a lone optional checkbox: always valid
    required = form.cleaned_data["require_2fa_for_staff"]
    try:
        services.town_set_second_factor(town=town, by=request.user, required=required)
    except DomainError as exc:
        return forbidden(request, exc.message)
    if required:
        messages.success(
            request,
            f"已开启：{town.name}的管理人员每次登录后须输入动态口令。您本人接下来也需设置或验证动态口令。",
        )
    else:
        messages.success(request, f"已关闭{town.name}管理人员的动态口令要求。")
    return redirect("home")
