"""志愿服务证明: a member's certificate of recorded hours, with a public verification number."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from members.models import Community, Person, Registration, RegistrationStatus
from volunteering.access import require_acting_for
from volunteering.models import RecordStatus, ServiceRecord
from volunteering.selectors import hours_of, star_level

from ..models import ServiceCertificate


@transaction.atomic
def certificate_issue(*, person: Person, year: int | None, by) -> ServiceCertificate:
    """The member (or the office for them) obtains a certificate of the approved service records — all
    years, or one — with the fields of the 2021 办法: activity, date, hours, recording organisation."""
    registration = (
        Registration.objects.filter(person=person, status=RegistrationStatus.CONFIRMED)
        .select_related("community")
        .first()
    )
    community = registration.community if registration else Community.objects.get(pk=person.community_id)
    require_acting_for(by, person, community.pk)
    this_year = timezone.localdate().year
    if year is not None and not (2000 <= year <= this_year):
        raise DomainError(f"年度须在 2000 至 {this_year} 之间", fields={"year": ["年度无效"]})
    records = (
        ServiceRecord.objects.filter(person=person, status=RecordStatus.APPROVED)
        .select_related("item__community")
        .order_by("started_at", "pk")
    )
    if year is not None:
        records = records.filter(started_at__year=year)
    rows = [
        {
            "title": r.item.title,
            "date": f"{timezone.localtime(r.started_at):%Y-%m-%d}",
            "place": r.item.place,
            "content": r.content,
            "hours": str(hours_of(r.minutes)),
            "recorder": r.item.community.name,
        }
        for r in records
    ]
    if not rows:
        raise DomainError("没有已审核的志愿服务记录，无法出具证明", fields={"year": ["该期间没有服务记录"]})
    minutes = sum(r.minutes for r in records)
    total_all = sum(
        ServiceRecord.objects.filter(person=person, status=RecordStatus.APPROVED).values_list(
            "minutes", flat=True
        )
    )
    return ServiceCertificate.objects.create(
        person=person,
        community=community,
        year=year,
        minutes=minutes,
        content={
            "person_name": person.name,
            "organisation": f"中共{community.name}总支委员会",
            "community_name": community.name,
            "records": rows,
            "hours": str(hours_of(minutes)),
            "cumulative_hours": str(hours_of(total_all)),
            "stars": star_level(float(hours_of(total_all))),
        },
        issued_by=by,
    )
