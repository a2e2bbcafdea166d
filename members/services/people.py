"""People and their party membership (花名册 by hand; the Excel import is `members.roster`)."""

from django.db import transaction

from core.errors import Conflict, DomainError

from ..models import ACTIVE_REGISTRATION_STATUSES, MemberCategory, PartyMembership, Person, Registration, User
from ..permissions import require_manager


@transaction.atomic
def person_save(
    *, by: User, person: Person | None = None, membership: dict | None = None, **fields
) -> Person:
    """Create or update a person (and their party membership). `membership=None` leaves it as it is."""
    if person is None:
        person = Person(**fields)
    else:
        moving_from = person.community_id
        for key, value in fields.items():
            setattr(person, key, value)
        if person.community_id != moving_from:
            # Moving someone out of a community takes the office of that community too, not only the new one.
            require_manager(by, moving_from)
            if Registration.objects.filter(person=person, status__in=ACTIVE_REGISTRATION_STATUSES).exists():
                # A registered member's move goes through the transfer, which keeps the registration's history.
                raise Conflict(
                    "该党员已在原社区报到，搬家请办理报到转移",
                    code="registration_active",
                    fields={"community": ["请通过报到转移变更居住社区"]},
                )
    require_manager(by, person.community_id)
    if person.id_number == "":
        person.id_number = None
    person.full_clean()
    person.save()
    if membership is not None:
        membership_save(person=person, **membership)
    return person


def membership_save(*, person: Person, **fields) -> PartyMembership:
    """Create or update the membership. Fields left out keep their current value (so a PATCH that sends
    only the position neither wipes the category nor drops an in-service member's employer)."""
    current = PartyMembership.objects.filter(person=person).first()
    category = fields.get("category") or (current.category if current else "")
    employer = fields.get("employer", current.employer if current else None)
    if not category:
        raise DomainError("请选择党员类别", fields={"category": ["请选择党员类别"]})
    if category == MemberCategory.IN_SERVICE and employer is None:
        raise DomainError("在职党员必须填写工作单位", fields={"employer": ["在职党员必须填写工作单位"]})
    obj, _ = PartyMembership.objects.update_or_create(
        person=person, defaults={**fields, "category": category, "employer": employer}
    )
    return obj
