"""Featured programmes (特色载体): pairings, the love supermarket, the skills directory."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from members import permissions
from members.models import Building, Person, RegistrationStatus
from members.privacy import shown_mobile
from members.roles import scope_for

from .. import access, forms, selectors, services
from ..models import (
    DonatedGood,
    GoodHandout,
    Pairing,
    PairingStatus,
    Programme,
    ServiceItem,
    SkillListing,
)
from ._common import (
    NoVolunteeringAccess,
    _back,
    _base_context,
    _current_community,
    _own_person,
    _require_office,
    _run,
)

# ------------------------------------------------------------------------------------------ programmes


def _with_shown_phones(listings, user):
    """The skills directory's phones as `user` may see them (members.privacy, asked about the listing's
    member, whose own is always in full), so templates never read `contact_phone` itself: `phone_shown`
    is the text (138****1234 without 'full personal data'), `phone_full` is set only when shown in full
    (the tel: link). The office reveals a masked number on the person's record, with a reason."""
    listings = list(listings)
    for listing in listings:
        listing.phone_shown = shown_mobile(user, listing.person, listing.contact_phone)
        listing.phone_full = listing.contact_phone if listing.phone_shown == listing.contact_phone else ""
    return listings


@login_required
def programmes(request):
    community = _current_community(request)
    if community is None:
        raise NoVolunteeringAccess
    qs = Programme.objects.visible_to(request.user).filter(community=community)
    return render(request, "volunteering/programmes.html", _base_context(request, community, programmes=qs))


@login_required
def programme_new(request):
    community = _current_community(request, managed_only=True)
    if community is None:
        raise NoVolunteeringAccess
    _require_office(request, community.pk)
    form = forms.ProgrammeForm(request.POST or None)
    created = []
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            request,
            lambda: created.append(
                services.programme_create(community=community, by=request.user, **form.cleaned_data)
            ),
            "特色载体已创建",
        )
    ):
        return redirect("volunteering:programme_detail", pk=created[0].pk)
    return render(
        request,
        "volunteering/form.html",
        _base_context(
            request, community, form=form, title="新建特色载体", back=reverse("volunteering:programmes")
        ),
    )


@login_required
def programme_detail(request, pk):
    programme = get_object_or_404(
        Programme.objects.visible_to(request.user).select_related("community"), pk=pk
    )
    community = programme.community
    can_manage = permissions.runs_office(request.user, community.pk)
    person = _own_person(request)
    pairings = (
        Pairing.objects.visible_to(request.user)
        .filter(programme=programme)
        .select_related("person", "building")
    )
    goods = DonatedGood.objects.visible_to(request.user).filter(programme=programme)
    skills = (
        SkillListing.objects.visible_to(request.user)
        .active()
        .filter(programme=programme)
        .select_related("person")
    )
    handouts = (
        GoodHandout.objects.visible_to(request.user)
        .filter(good__programme=programme)
        .select_related("good")[:20]
    )
    items_ = selectors.items_with_counts(
        ServiceItem.objects.visible_to(request.user).filter(programme=programme),
        scope_for(request.user).person_id,
    ).order_by("-starts_at")[:10]
    people = Person.objects.filter(
        registrations__community=community, registrations__status=RegistrationStatus.CONFIRMED
    ).distinct()
    return render(
        request,
        "volunteering/programme_detail.html",
        _base_context(
            request,
            community,
            programme=programme,
            pairings=pairings,
            goods=goods,
            skills=_with_shown_phones(skills, request.user),
            handouts=handouts,
            items=items_,
            pairing_form=forms.PairingForm(
                people=people,
                buildings=Building.objects.filter(community=community),
                initial={"started_on": timezone.localdate()},
            )
            if can_manage
            else None,
            good_form=forms.GoodForm(initial={"received_on": timezone.localdate()}) if can_manage else None,
            handout_form=forms.HandOutForm() if can_manage else None,
            skill_form=forms.SkillForm(people=people if can_manage else None)
            if (can_manage or (person and access.is_registered_member(person.pk, community.pk)))
            else None,
            pairing_active=PairingStatus.ACTIVE,
        ),
    )


@login_required
@require_POST
def pairing_new(request, pk):
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=pk)
    _require_office(request, programme.community_id)
    form = forms.PairingForm(
        request.POST,
        people=Person.objects.filter(
            Q(community=programme.community) | Q(registrations__community=programme.community)
        ).distinct(),
        buildings=Building.objects.filter(community=programme.community),
    )
    if form.is_valid():
        _run(
            request,
            lambda: services.pairing_create(programme=programme, by=request.user, **form.cleaned_data),
            "已结对",
        )
    else:
        messages.error(request, "结对信息不完整")
    return redirect("volunteering:programme_detail", pk=programme.pk)


@login_required
@require_POST
def pairing_end(request, pk):
    pairing = get_object_or_404(Pairing.objects.visible_to(request.user), pk=pk)
    _run(request, lambda: services.pairing_end(pairing=pairing, by=request.user), "已结束结对")
    return redirect("volunteering:programme_detail", pk=pairing.programme_id)


@login_required
@require_POST
def good_new(request, pk):
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=pk)
    form = forms.GoodForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.good_receive(programme=programme, by=request.user, **form.cleaned_data),
            "已登记捐赠物品",
        )
    else:
        messages.error(request, "物品信息不完整")
    return redirect("volunteering:programme_detail", pk=programme.pk)


@login_required
@require_POST
def good_hand_out(request, pk):
    good = get_object_or_404(DonatedGood.objects.visible_to(request.user).select_related("programme"), pk=pk)
    form = forms.HandOutForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.good_hand_out(good=good, by=request.user, **form.cleaned_data),
            "已登记发放",
        )
    else:
        messages.error(request, "请填写领取人和数量")
    return redirect("volunteering:programme_detail", pk=good.programme_id)


@login_required
@require_POST
def skill_new(request, pk):
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=pk)
    can_manage = permissions.runs_office(request.user, programme.community_id)
    form = forms.SkillForm(
        request.POST,
        people=Person.objects.filter(registrations__community=programme.community).distinct()
        if can_manage
        else None,
    )
    if form.is_valid():
        data = dict(form.cleaned_data)
        person = data.pop("person", None) or _own_person(request)
        if person is None:
            messages.error(request, "请选择党员")
        else:
            _run(
                request,
                lambda: services.skill_list(programme=programme, person=person, by=request.user, **data),
                "已登记到技能名录",
            )
    else:
        messages.error(request, "请填写专长")
    return redirect("volunteering:programme_detail", pk=programme.pk)


@login_required
@require_POST
def skill_withdraw(request, pk):
    listing = get_object_or_404(
        SkillListing.objects.visible_to(request.user).select_related("programme", "person"), pk=pk
    )
    _run(request, lambda: services.skill_withdraw(listing=listing, by=request.user), "已从技能名录撤下")
    return _back(request, reverse("volunteering:programme_detail", args=[listing.programme_id]))


@login_required
def skills(request):
    """技能名录: who can come when a resident calls (repairs, medical help …)."""
    community = _current_community(request)
    if community is None:
        raise NoVolunteeringAccess
    qs = SkillListing.objects.visible_to(request.user).active().filter(programme__community=community)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(skill__icontains=q) | Q(person__name__icontains=q))
    return render(
        request,
        "volunteering/skills.html",
        _base_context(
            request,
            community,
            listings=_with_shown_phones(
                qs.select_related("person", "programme").order_by("skill", "pk"), request.user
            ),
            q=q,
        ),
    )
