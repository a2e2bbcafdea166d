"""干部作风投诉: received from any channel, routed to the town's complaint-supervision office (never to the
staff member's own community office), concluded with findings and a measure on the manual's ladder."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Category, Channel
from core.errors import Conflict, DomainError, PermissionDenied
from core.notifications import notify
from core.transitions import apply_transition, table_targets
from members.models import Community, RoleAssignment
from members.roles import MANAGING_ROLES, Role, scope_for

from ..models import LADDER, ComplaintEvent, ComplaintState, Finding, Measure, StaffComplaint, StaffSanction
from ..selectors.complaints import suggested_measure

TOWN_OFFICE = "town_office"
COMMUNITY_OFFICE = "community_office"
ROUTES = {TOWN_OFFICE: "镇投诉监督室", COMMUNITY_OFFICE: "被投诉人所在社区办公室"}
OWN_OFFICE_REFUSED = "干部作风投诉不能交由被投诉人所在社区办公室办理，须转镇投诉监督室调查处理"

TRANSITIONS = {ComplaintState.RECEIVED: {ComplaintState.CONCLUDED}, ComplaintState.CONCLUDED: set()}
_targets = table_targets(TRANSITIONS)


def _refused(complaint: StaffComplaint) -> Conflict:
    return Conflict(
        f"该投诉当前状态为「{complaint.get_state_display()}」，不能再办理",
        code="illegal_transition",
        fields={"state": [f"当前状态为「{complaint.get_state_display()}」"]},
        allowed=sorted(TRANSITIONS[complaint.state]),  # type: ignore[index]
    )


@transaction.atomic
def complaint_receive(
    *,
    community: Community,
    staff,
    content: str,
    channel: str = Channel.COMPLAINT_ROOM,
    complainant: str = "",
    case: Case | None = None,
    route_to: str = TOWN_OFFICE,
    by,
) -> StaffComplaint:
    """Register a complaint about a staff member of `community` (its secretary, staff or office director).
    Who may register: the town's supervisors and the office of any community of the town (a complaint is
    often made at the hall); it then goes to the town's office only."""
    scope = scope_for(by)
    if not scope.manages(community.pk):
        raise PermissionDenied("只有本镇的镇督查或社区办公室可以登记干部作风投诉")
    if route_to not in ROUTES:
        raise DomainError("请选择办理部门", fields={"route_to": ["须为镇投诉监督室"]})
    if route_to == COMMUNITY_OFFICE:
        raise DomainError(OWN_OFFICE_REFUSED, fields={"route_to": [OWN_OFFICE_REFUSED]})
    if channel not in Channel.values:
        raise DomainError("请选择受理渠道", fields={"channel": ["未知的受理渠道"]})
    if not RoleAssignment.objects.filter(user=staff, community=community, role__in=MANAGING_ROLES).exists():
        raise DomainError(
            "被投诉人不是该社区的干部（书记、工作人员或办公室主任）", fields={"staff": ["不是该社区的干部"]}
        )
    if staff.pk == by.pk:
        raise DomainError("不能登记对自己的投诉", fields={"staff": ["不能是登记人本人"]})
    content = (content or "").strip()
    if len(content) < 4:
        raise DomainError(
            "请填写投诉内容（至少 4 个字）", fields={"content": ["请填写投诉内容（至少 4 个字）"]}
        )
    if case is not None:
        if case.community_id != community.pk or case.category != Category.CADRE:
            raise DomainError(
                "来源民情件须为该社区「干部作风投诉」类的民情件", fields={"case": ["类别或社区不符"]}
            )
        if StaffComplaint.objects.filter(case=case).exists():
            raise DomainError("该民情件已转为作风投诉", fields={"case": ["已转为作风投诉"]})
        channel = case.channel
    complaint = StaffComplaint.objects.create(
        town_id=community.town_id,
        community=community,
        staff=staff,
        channel=channel,
        case=case,
        content=content[:4000],
        complainant=(complainant or "").strip()[:50],
        received_by=by,
        received_at=timezone.now(),
    )
    ComplaintEvent.objects.create(
        complaint=complaint, action="receive", to_state=ComplaintState.RECEIVED, by=by, note="转镇投诉监督室"
    )
    for assignment in RoleAssignment.objects.filter(
        role=Role.TOWN_SUPERVISOR, town_id=community.town_id
    ).select_related("user"):
        notify(
            recipient=assignment.user,
            kind="staff_complaint",
            title=f"新的干部作风投诉（{community.name}）",
            url=reverse("supervision:complaint_detail", args=[complaint.pk]),
            dedupe_key=f"staff-complaint:{complaint.pk}:{assignment.user_id}",
        )
    return complaint


@transaction.atomic
def complaint_conclude(
    *, complaint: StaffComplaint, finding: str, findings: str, measure: str = "", reason: str = "", by
) -> StaffComplaint:
    """The town's office records its findings; a founded complaint applies a measure of the ladder. The
    ladder's next rung for this staff member is the default; a lighter one needs a reason."""
    if not scope_for(by).supervises_town(complaint.town_id):
        raise PermissionDenied("只有镇投诉监督室（镇督查）可以办结干部作风投诉")
    if finding not in Finding.values:
        raise DomainError("请选择调查结论", fields={"finding": ["须为反映属实或反映不实"]})
    findings = (findings or "").strip()
    if len(findings) < 4:
        raise DomainError(
            "请填写调查情况（至少 4 个字）", fields={"findings": ["请填写调查情况（至少 4 个字）"]}
        )
    reason = (reason or "").strip()[:2000]
    if finding == Finding.FOUNDED:
        if measure not in Measure.values:
            raise DomainError(
                "反映属实须选择处理（诫勉教育、效能告诫或党纪政纪处分）", fields={"measure": ["请选择处理"]}
            )
        suggested = suggested_measure(complaint.staff_id)
        if LADDER.index(Measure(measure)) < LADDER.index(suggested) and len(reason) < 4:
            raise DomainError(
                f"该干部已有处理记录，按阶梯应为「{suggested.label}」；从轻处理须写明理由",
                fields={"reason": ["从轻处理须写明理由"]},
            )
    else:
        measure = ""
    locked = apply_transition(
        complaint,
        to=ComplaintState.CONCLUDED,
        targets=_targets,
        refused=_refused,
        record_event=lambda c, f, t: ComplaintEvent.objects.create(
            complaint=c, action="conclude", from_state=f, to_state=t, by=by, note=findings[:2000]
        ),
        state_field="state",
        fields={
            "finding": finding,
            "findings": findings,
            "measure": measure,
            "concluded_by": by,
            "concluded_at": timezone.now(),
        },
    )
    if measure:
        StaffSanction.objects.create(
            town_id=locked.town_id,
            staff_id=locked.staff_id,
            complaint=locked,
            measure=measure,
            reason=reason,
            by=by,
        )
    return locked
