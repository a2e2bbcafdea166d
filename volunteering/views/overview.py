"""Where volunteering starts: the role's landing page and the office's dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from members import permissions
from members.roles import scope_for

from .. import selectors
from ..models import (
    ClaimStatus,
    PostClaim,
    RecordStatus,
    ServiceItem,
    ServicePost,
    ServiceRecord,
)
from ._common import (
    NoVolunteeringAccess,
    _base_context,
    _current_community,
)

# --------------------------------------------------------------------------------------------- index


@login_required
def index(request):
    scope = scope_for(request.user)
    if scope.is_office_anywhere:
        return redirect("volunteering:dashboard")
    if scope.person_id:
        return redirect("volunteering:my_items")
    return redirect("volunteering:items")


@login_required
def dashboard(request):
    """The office's (and the town's) at-a-glance page: under-staffed posts, claims and hours waiting for a
    decision, members behind the yearly requirement, the next items."""
    community = _current_community(request, managed_only=True)
    if community is None or not permissions.oversees(request.user, community.pk):
        raise NoVolunteeringAccess
    year = timezone.localdate().year
    posts = list(selectors.posts_with_staffing(ServicePost.objects.filter(community=community)))
    rows = selectors.requirement_rows(community_ids=[community.pk], year=year)
    items = selectors.items_with_counts(
        selectors.upcoming(ServiceItem.objects.filter(community=community))
    ).order_by("starts_at")[:8]
    return render(
        request,
        "volunteering/dashboard.html",
        _base_context(
            request,
            community,
            year=year,
            posts=posts,
            understaffed=selectors.understaffed(posts),
            pending_claims=PostClaim.objects.filter(community=community, status=ClaimStatus.PENDING).count(),
            pending_records=ServiceRecord.objects.filter(
                item__community=community, status=RecordStatus.PENDING
            ).count(),
            members=len(rows),
            behind=sum(r.behind for r in rows),
            items=items,
            policy=selectors.policy_for(community),
        ),
    )
