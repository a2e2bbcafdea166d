"""报到: in-service members registering with the community they live in — submit, confirm, return,
withdraw, transfer. The status changes through `core.transitions` against REGISTRATION_TRANSITIONS."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, DomainError
from core.notifications import notify
from core.transitions import apply_transition, table_targets

from ..models import (
    ACTIVE_REGISTRATION_STATUSES,
    Building,
    Community,
    PartyMembership,
    Person,
    Registration,
    RegistrationChannel,
    RegistrationEvent,
    RegistrationStatus,
    RoleAssignment,
    User,
)
from ..permissions import require_manager
from ..roles import Role, forget_scope, scope_for

# The only legal moves of a registration; services consult this table and nothing else changes status.
REGISTRATION_TRANSITIONS: dict[str, set[str]] = {
    RegistrationStatus.SUBMITTED: {
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.RETURNED,
        RegistrationStatus.WITHDRAWN,
        RegistrationStatus.TRANSFERRED,
    },
    RegistrationStatus.CONFIRMED: {RegistrationStatus.TRANSFERRED},
    RegistrationStatus.RETURNED: set(),
    RegistrationStatus.WITHDRAWN: set(),
    RegistrationStatus.TRANSFERRED: set(),
}

_ACTION_LABELS: dict[str, str] = {
    RegistrationStatus.CONFIRMED: "confirm",
    RegistrationStatus.RETURNED: "return",
    RegistrationStatus.WITHDRAWN: "withdraw",
    RegistrationStatus.TRANSFERRED: "transfer",
}


def _refused(locked: Registration) -> Conflict:
    allowed = REGISTRATION_TRANSITIONS[locked.status]
    return Conflict(
        f"报到登记当前状态为「{locked.get_status_display()}」，不能执行此操作",
        code="illegal_transition",
        allowed=sorted(_ACTION_LABELS[s] for s in allowed),
    )


def _move(registration: Registration, to: str, *, by: User, note: str = "", **extra) -> Registration:
    """Lock, check the table, save the status (and `extra`) and append the event (`core.transitions`),
    in the caller's transaction."""
    return apply_transition(
        registration,
        to=to,
        targets=table_targets(REGISTRATION_TRANSITIONS),
        refused=_refused,
        record_event=lambda locked, from_status, to_status: RegistrationEvent.objects.create(
            registration=locked, from_status=from_status, to_status=to_status, by=by, note=note
        ),
        fields=extra,
    )


def _require_in_service(person: Person) -> PartyMembership:
    membership = getattr(person, "membership", None)
    if membership is None or not membership.is_in_service:
        raise DomainError(
            "只有在职党员需要到居住地社区报到；请先在花名册中登记其党员类别和工作单位",
            fields={"person": ["不是在职党员"]},
        )
    return membership


@transaction.atomic
def registration_submit(
    *,
    person: Person,
    community: Community,
    by: User,
    channel: str = RegistrationChannel.ONLINE,
    specialties: list[str] | None = None,
    interests: list[str] | None = None,
    desired_posts: str = "",
) -> Registration:
    """报到: the member online (for themselves) or staff at the window (for the member in front of them)."""
    scope = scope_for(by)
    is_self = scope.person_id == person.pk
    if not is_self:
        require_manager(by, community.pk)
        channel = RegistrationChannel.WINDOW
    membership = _require_in_service(person)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise concurrent submits per person
    if Registration.objects.filter(person=person, status__in=ACTIVE_REGISTRATION_STATUSES).exists():
        raise Conflict(
            "该党员已有有效的报到登记（一人只能有一个有效报到）；搬家请办理转移", code="already_registered"
        )
    if person.community_id != community.pk:
        raise DomainError(
            "应到家庭居住地所在社区报到；如已搬家请先办理转移",
            fields={"community": ["不是该党员的居住社区"]},
        )
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                person=person,
                community=community,
                channel=channel,
                specialties=specialties if specialties is not None else membership.specialties,
                interests=interests if interests is not None else membership.interests,
                desired_posts=desired_posts,
                submitted_by=by,
            )
    except IntegrityError:
        raise Conflict("该党员已有有效的报到登记", code="already_registered")
    RegistrationEvent.objects.create(
        registration=registration,
        from_status="",
        to_status=RegistrationStatus.SUBMITTED,
        by=by,
        note=registration.get_channel_display(),
    )
    return registration


@transaction.atomic
def registration_confirm(*, registration: Registration, by: User) -> Registration:
    require_manager(by, registration.community_id)
    return _move(registration, RegistrationStatus.CONFIRMED, by=by, decided_by=by, decided_at=timezone.now())


@transaction.atomic
def registration_return(*, registration: Registration, by: User, reason: str) -> Registration:
    require_manager(by, registration.community_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("退回时必须说明原因", fields={"reason": ["请填写退回原因"]})
    returned = _move(
        registration,
        RegistrationStatus.RETURNED,
        by=by,
        note=reason,
        decided_by=by,
        decided_at=timezone.now(),
        return_reason=reason,
    )
    notify(
        recipient=returned.person.user,
        kind="registration_returned",
        title=f"您在{returned.community.name}的报到登记被退回",
        body=f"退回原因：{reason}。请核对后重新提交。",
        url=reverse("members:my_registration"),
        dedupe_key=f"registration-returned:{returned.pk}",
    )
    return returned


@transaction.atomic
def registration_withdraw(*, registration: Registration, by: User) -> Registration:
    if scope_for(by).person_id != registration.person_id:
        require_manager(by, registration.community_id)
    return _move(registration, RegistrationStatus.WITHDRAWN, by=by)


@transaction.atomic
def registration_transfer(
    *,
    registration: Registration,
    to_community: Community,
    by: User,
    building: Building | None = None,
    unit_room: str = "",
    note: str = "",
) -> Registration:
    """A move: the old registration becomes TRANSFERRED and a new one, pointing back to it, waits for the
    new community's confirmation. The person's home community follows."""
    scope = scope_for(by)
    if scope.person_id != registration.person_id:
        require_manager(by, registration.community_id)
    if to_community.pk == registration.community_id:
        raise DomainError("迁入社区与当前社区相同", fields={"to_community": ["请选择新的居住社区"]})
    if to_community.town_id != registration.community.town_id and not scope.is_superuser:
        # Cross-town moves are a new registration at the other town, not a transfer inside this platform.
        raise DomainError("只能转移到本镇的其他社区", fields={"to_community": ["不在本镇"]})
    if building is not None and building.community_id != to_community.pk:
        raise DomainError("楼栋不属于迁入社区", fields={"building": ["楼栋不属于迁入社区"]})
    old = _move(registration, RegistrationStatus.TRANSFERRED, by=by, note=note or f"迁往{to_community.name}")
    person = old.person
    person.community = to_community
    person.building = building
    person.unit_room = unit_room
    person.save(update_fields=["community", "building", "unit_room", "updated_at"])
    if person.user_id:
        # The member's login role belongs to the community they are registered with: it follows the move.
        left_behind = RoleAssignment.objects.filter(
            user_id=person.user_id, role=Role.MEMBER, community_id=old.community_id
        )
        if left_behind.exists():
            RoleAssignment.objects.get_or_create(
                user_id=person.user_id, role=Role.MEMBER, community=to_community
            )
            left_behind.delete()
        if by.pk == person.user_id:
            forget_scope(by)
    new = Registration.objects.create(
        person=person,
        community=to_community,
        channel=old.channel,
        specialties=old.specialties,
        interests=old.interests,
        desired_posts=old.desired_posts,
        submitted_by=by,
        transferred_from=old,
    )
    RegistrationEvent.objects.create(
        registration=new,
        from_status="",
        to_status=RegistrationStatus.SUBMITTED,
        by=by,
        note=f"由{old.community.name}转入",
    )
    return new
