"""Pages of the service posts, claims and the volunteer team."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from members import permissions

from .. import access, forms, selectors, services
from ..models import (
    ClaimStatus,
    PostClaim,
    ServicePost,
    TeamMember,
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

# ----------------------------------------------------------------------------------------------- posts


@login_required
def posts(request):
    community = _current_community(request)
    if community is None:
        raise NoVolunteeringAccess
    person = _own_person(request)
    qs = selectors.posts_with_staffing(
        ServicePost.objects.visible_to(request.user).filter(community=community)
    )
    can_manage = permissions.runs_office(request.user, community.pk)
    if not can_manage:
        qs = qs.filter(is_active=True)
    post_list = selectors.suggested_posts(qs, person) if person else list(qs)
    claim = selectors.current_claim(person.pk) if person else None
    registered = person is not None and access.is_registered_member(person.pk, community.pk)
    in_team = registered and TeamMember.objects.filter(community=community, person=person).exists()
    return render(
        request,
        "volunteering/posts.html",
        _base_context(
            request,
            community,
            posts=post_list,
            claim=claim,
            registered=registered,
            in_team=in_team,
            post_count=sum(p.is_active for p in post_list),
            max_posts=10,
        ),
    )


@login_required
def post_edit(request, pk=None):
    post = get_object_or_404(ServicePost.objects.visible_to(request.user), pk=pk) if pk else None
    community = post.community if post else _current_community(request, managed_only=True)
    if community is None:
        raise NoVolunteeringAccess
    _require_office(request, community.pk)
    initial = (
        {
            k: getattr(post, k)
            for k in ("name", "description", "specialties", "capacity", "sort_order", "is_active")
        }
        if post
        else {}
    )
    form = forms.PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if post:
            ok = _run(request, lambda: services.post_update(post=post, by=request.user, **data), "岗位已保存")
        else:
            ok = _run(
                request,
                lambda: services.post_create(community=community, by=request.user, **data),
                "岗位已创建",
            )
        if ok:
            return redirect(f"{reverse('volunteering:posts')}?community={community.pk}")
    return render(
        request,
        "volunteering/form.html",
        _base_context(
            request,
            community,
            form=form,
            title="编辑服务岗位" if post else "新建服务岗位",
            back=reverse("volunteering:posts"),
        ),
    )


@login_required
@require_POST
def post_claim(request, pk):
    post = get_object_or_404(ServicePost.objects.visible_to(request.user), pk=pk)
    person = _own_person(request)
    if person is None:
        messages.error(request, "该账号未关联党员信息")
    else:
        _run(
            request,
            lambda: services.claim_submit(
                post=post, person=person, by=request.user, note=_posted_text(request, "note")
            ),
            f"已提交认领「{post.name}」，等待社区党总支审核",
        )
    return redirect(f"{reverse('volunteering:posts')}?community={post.community_id}")


@login_required
@require_POST
def team_join(request):
    community = _current_community(request)
    person = _own_person(request)
    if community is None or person is None:
        raise NoVolunteeringAccess
    _run(
        request,
        lambda: services.team_join(community=community, person=person, by=request.user),
        "已加入党员志愿服务队",
    )
    return _back(request, reverse("volunteering:posts"))


@login_required
def claims(request):
    community = _current_community(request)
    if community is None:
        raise NoVolunteeringAccess
    qs = (
        PostClaim.objects.visible_to(request.user)
        .filter(community=community)
        .select_related("post", "person")
    )
    status = request.GET.get(
        "status", "pending" if permissions.runs_office(request.user, community.pk) else ""
    )
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/claims.html",
        _base_context(
            request,
            community,
            page=page,
            status=status,
            statuses=ClaimStatus.choices,
        ),
    )


@login_required
@require_POST
def claim_decide(request, pk, decision):
    claim = get_object_or_404(PostClaim.objects.visible_to(request.user), pk=pk)
    if decision == "approve":
        _run(request, lambda: services.claim_approve(claim=claim, by=request.user), "已通过认领")
    elif decision == "decline":
        _run(
            request,
            lambda: services.claim_decline(
                claim=claim, by=request.user, reason=_posted_text(request, "reason")
            ),
            "已退回认领",
        )
    elif decision == "withdraw":
        _run(request, lambda: services.claim_withdraw(claim=claim, by=request.user), "已退出岗位")
    else:
        raise Http404
    return _back(request, reverse("volunteering:claims"))
