"""党员责任区: the buildings a zone covers and the members who answer for it."""

from django.db import models
from django.db.models import Q

from .people import Person
from .places import Building, Community
from .scoping import ScopedQuerySet


class ZoneQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        # Like the buildings they group, zones are seen by everyone with a role in the community: a member
        # must see them to self-report (自报) for one.
        q = Q(community_id__in=scope.community_ids)
        if scope.person_id:
            q |= Q(assignments__person_id=scope.person_id)
        return self.filter(q).distinct()


class ResponsibilityZone(models.Model):
    """党员责任区: buildings assigned to members, by self-report plus branch assignment, with a signed letter."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="zones", verbose_name="社区"
    )
    name = models.CharField("名称", max_length=80)
    buildings = models.ManyToManyField(Building, related_name="zones", blank=True, verbose_name="楼栋")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        verbose_name = "党员责任区"
        verbose_name_plural = "党员责任区"
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="zone_name_unique")]

    def __str__(self):
        return self.name


class ZoneSource(models.TextChoices):
    SELF_REPORTED = "self", "党员自报"
    ASSIGNED = "assigned", "党总支分配"


class ZoneAssignment(models.Model):
    zone = models.ForeignKey(ResponsibilityZone, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="zone_assignments", verbose_name="党员"
    )
    source = models.CharField("方式", max_length=10, choices=ZoneSource.choices, default=ZoneSource.ASSIGNED)
    letter_signed_on = models.DateField("责任书签订日期", null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "责任区党员"
        verbose_name_plural = "责任区党员"
        constraints = [models.UniqueConstraint(fields=["zone", "person"], name="zone_person_unique")]

    def __str__(self):
        return f"{self.zone} · {self.person}"
