"""报到登记: an in-service member's registration with the community they live in, and its append-only history."""

from django.db import models
from django.db.models import Q

from core.labels import label
from core.models import AppendOnlyModel

from .people import MemberCategory, Person, User
from .places import Community
from .scoping import ScopedQuerySet


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待确认"
    CONFIRMED = "confirmed", "已报到"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"
    TRANSFERRED = "transferred", "已转出"


# An event is named by the status it led to (the registration machine has one way into each status).
REGISTRATION_EVENT_ACTIONS = {
    RegistrationStatus.SUBMITTED: "提交报到",
    RegistrationStatus.CONFIRMED: "确认报到",
    RegistrationStatus.RETURNED: "退回",
    RegistrationStatus.WITHDRAWN: "本人撤回",
    RegistrationStatus.TRANSFERRED: "转出",
}

ACTIVE_REGISTRATION_STATUSES = [RegistrationStatus.SUBMITTED, RegistrationStatus.CONFIRMED]


class RegistrationChannel(models.TextChoices):
    ONLINE = "online", "网上报到"
    WINDOW = "window", "窗口报到"


class RegistrationQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        q = Q(community_id__in=scope.managed_community_ids)
        if scope.person_id:
            q |= Q(person_id=scope.person_id)
        if scope.employer_ids:
            # Like PersonQuerySet: a liaison sees the registrations of the employer's in-service members only.
            q |= Q(
                person__membership__employer_id__in=scope.employer_ids,
                person__membership__category=MemberCategory.IN_SERVICE,
            )
        return self.filter(q)

    def active(self):
        return self.filter(status__in=ACTIVE_REGISTRATION_STATUSES)


class Registration(models.Model):
    """报到登记: an in-service member registers with the community where the family lives.

    Only `members.services` changes `status`, through the transition table there, writing a
    RegistrationEvent in the same transaction. A move closes the old row as TRANSFERRED and opens a new
    one that points back to it, so the history is kept.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="registrations", verbose_name="党员"
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="registrations", verbose_name="报到社区"
    )
    status = models.CharField(
        "状态", max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.SUBMITTED
    )
    channel = models.CharField("报到方式", max_length=10, choices=RegistrationChannel.choices)
    specialties = models.JSONField("专长", default=list, blank=True)
    interests = models.JSONField("兴趣爱好", default=list, blank=True)
    desired_posts = models.CharField("意向服务岗位", max_length=200, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="提交人"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="处理人"
    )
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name="转自",
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = "报到登记"
        verbose_name_plural = "报到登记"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["submitted", "confirmed"]),
                name="one_active_registration_per_person",
            )
        ]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self):
        return f"{self.person} → {self.community} ({self.get_status_display()})"


class RegistrationEvent(AppendOnlyModel):
    """Append-only history of a registration: who moved it from which state to which, and why (rows are
    added by the services, never changed or removed through the ORM: core.models.AppendOnlyModel)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "报到记录"
        verbose_name_plural = "报到记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status_display} → {self.to_status_display}"

    @property
    def action_display(self) -> str:
        """What happened, named by where it led (提交报到, 确认报到, …)."""
        return label(REGISTRATION_EVENT_ACTIONS, self.to_status)

    @property
    def from_status_display(self) -> str:
        return label(RegistrationStatus, self.from_status)

    @property
    def to_status_display(self) -> str:
        return label(RegistrationStatus, self.to_status)
