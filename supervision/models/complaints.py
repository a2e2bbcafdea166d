"""干部作风投诉 (小区服务大厅管理制度 §5–6; 民情办理督办制度 §4): a complaint about a community's staff member,
from any channel, is handled by the town's complaint-supervision office (镇投诉监督室 — the town supervisors
in the product), never by the staff member's own community office. The office records its findings and
applies the manual's ladder to the staff member: 诫勉教育 → 效能告诫 → 党纪政纪处分. Each measure is a row of
`StaffSanction` (append-only), so a staff member's history is one list.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Case, Channel
from core.models import AppendOnlyModel, AppendOnlyQuerySet
from members.models import Community, ScopedQuerySet, Town


class ComplaintState(models.TextChoices):
    RECEIVED = "received", "已受理"
    CONCLUDED = "concluded", "已办结"


class Finding(models.TextChoices):
    UNFOUNDED = "unfounded", "反映不实"
    FOUNDED = "founded", "反映属实"


class Measure(models.TextChoices):
    """The ladder (小区服务大厅管理制度 §5): 情节轻微 诫勉教育; 较严重 效能告诫; 严重 追究党纪、政纪责任."""

    ADMONITION = "admonition", "诫勉教育"
    EFFICIENCY_WARNING = "efficiency_warning", "效能告诫"
    DISCIPLINE = "discipline", "党纪政纪处分"


LADDER = [Measure.ADMONITION, Measure.EFFICIENCY_WARNING, Measure.DISCIPLINE]


class ComplaintQuerySet(ScopedQuerySet):
    """Only the town's supervision office (and a superuser): the staff member's own community office does
    not see complaints about its staff."""

    def _visible(self, scope):
        return self.filter(town_id__in=scope.town_ids)


class StaffComplaint(models.Model):
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="+", verbose_name="镇")
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name="被投诉人所在社区"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="complaints_about",
        verbose_name="被投诉人",
    )
    channel = models.CharField("受理渠道", max_length=20, choices=Channel.choices)
    case = models.OneToOneField(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_complaint",
        verbose_name="来源民情件",
        help_text="类别为「干部作风投诉」的民情件",
    )
    content = models.TextField("投诉内容")
    complainant = models.CharField("投诉人", max_length=50, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=ComplaintState.choices, default=ComplaintState.RECEIVED
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="受理人",
    )
    received_at = models.DateTimeField("受理时间")
    finding = models.CharField("调查结论", max_length=12, choices=Finding.choices, blank=True)
    findings = models.TextField("调查情况", blank=True)
    measure = models.CharField("处理", max_length=20, choices=Measure.choices, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = "干部作风投诉"
        verbose_name_plural = "干部作风投诉"
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["town", "state", "-received_at"], name="complaint_town_state"),
            models.Index(fields=["staff", "received_at"], name="complaint_staff"),
        ]

    def __str__(self):
        return f"关于{self.staff}的投诉"


class ComplaintEvent(AppendOnlyModel):
    complaint = models.ForeignKey(StaffComplaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = "投诉办理记录"
        verbose_name_plural = "投诉办理记录"
        ordering = ["at", "pk"]


class SanctionQuerySet(ScopedQuerySet, AppendOnlyQuerySet):
    def _visible(self, scope):
        return self.filter(Q(town_id__in=scope.town_ids))


class StaffSanction(AppendOnlyModel):
    """One measure on the ladder applied to a staff member, from a concluded complaint (history)."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sanctions", verbose_name="干部"
    )
    complaint = models.OneToOneField(StaffComplaint, on_delete=models.PROTECT, related_name="sanction")
    measure = models.CharField("处理", max_length=20, choices=Measure.choices)
    reason = models.TextField("理由", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = SanctionQuerySet.as_manager()

    class Meta:
        verbose_name = "责任追究记录"
        verbose_name_plural = "责任追究记录"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["staff", "at"])]

    def __str__(self):
        return f"{self.staff} {self.get_measure_display()}"
