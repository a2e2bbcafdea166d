"""监督咨询 (小区区域化党建工作制度 §5, 小区在职党员双重管理制度 §7): before promoting, appointing or awarding an
in-service member, the employer's party organisation asks the community branch's opinion. The branch answers
with the member's ledger attached within 10 working days (core.workdays, the town's calendar).

Only `evaluations.services.consultation` changes `state`, through its transition table, with an event row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.labels import label
from core.models import AppendOnlyModel
from members.models import Community, Employer, Person, ScopedQuerySet

ANSWER_WORKING_DAYS = 10


class ConsultationPurpose(models.TextChoices):
    PROMOTION = "promotion", "提拔"
    APPOINTMENT = "appointment", "任用"
    AWARD = "award", "评优评先"


class ConsultationState(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    WITHDRAWN = "withdrawn", "已撤回"


class ConsultationOpinion(models.TextChoices):
    AGREE = "agree", "同意"
    RESERVATIONS = "reservations", "有保留意见"
    DISAGREE = "disagree", "不同意"


class ConsultationQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        q = Q(community_id__in=scope.managed_community_ids)
        if scope.employer_ids:
            q |= Q(employer_id__in=scope.employer_ids)
        return self.filter(q)

    def overdue(self, today):
        return self.filter(state=ConsultationState.OPEN, due_on__lt=today)


class Consultation(models.Model):
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="+", verbose_name="咨询单位"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name="报到社区"
    )
    purpose = models.CharField("咨询事由", max_length=15, choices=ConsultationPurpose.choices)
    question = models.CharField("说明", max_length=500, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=ConsultationState.choices, default=ConsultationState.OPEN
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_at = models.DateTimeField("咨询时间")
    due_on = models.DateField("答复期限", help_text="10 working days after the request (town calendar)")
    opinion = models.CharField("社区意见", max_length=15, choices=ConsultationOpinion.choices, blank=True)
    reasons = models.TextField("理由", blank=True)
    ledger = models.JSONField("附：活动台账", default=dict, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "监督咨询"
        verbose_name_plural = "监督咨询"
        ordering = ["-asked_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "state", "due_on"]),
            models.Index(fields=["employer", "asked_at"]),
        ]

    def __str__(self):
        return f"{self.employer} 咨询 {self.person}（{self.get_purpose_display()}）"


class ConsultationEvent(AppendOnlyModel):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "监督咨询事件"
        verbose_name_plural = "监督咨询事件"
        ordering = ["at", "pk"]

    @property
    def from_state_display(self) -> str:
        return label(ConsultationState, self.from_state)

    @property
    def to_state_display(self) -> str:
        return label(ConsultationState, self.to_state)
