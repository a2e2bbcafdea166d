"""在职党员小区活动情况反馈单 (小区在职党员双重管理制度 §6): one sheet per in-service member and year, sent to
the member's employer (单位党组织), which acknowledges receipt.

A sheet's numbers are a snapshot (`content`) taken from the activity ledger when it is generated; nobody
types them. Regenerating makes a new version and retires the old one (`is_current`), so there is never a
second current sheet of a member and year (a partial unique constraint), and an issued sheet's content is
never edited in place. Only `evaluations.services.sheets` changes `state`, through its transition table,
writing a SheetEvent in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.labels import label
from core.models import AppendOnlyModel
from members.models import Community, Employer, Person, ScopedQuerySet


class SheetState(models.TextChoices):
    DRAFT = "draft", "待发出"
    ISSUED = "issued", "已发出"
    ACKNOWLEDGED = "acknowledged", "已签收"
    SUPERSEDED = "superseded", "已被新版本替代"


# Who sees a sheet besides the community's office: the employer's liaison once it has been sent.
SENT_STATES = (SheetState.ISSUED, SheetState.ACKNOWLEDGED)


class FeedbackSheetQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        q = Q(community_id__in=scope.managed_community_ids)
        if scope.employer_ids:
            q |= Q(employer_id__in=scope.employer_ids, state__in=SENT_STATES)
        if scope.person_id:
            q |= Q(person_id=scope.person_id, state__in=SENT_STATES)
        return self.filter(q)

    def current(self):
        return self.filter(is_current=True)


class SheetBatchState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    FINISHED = "finished", "已完成"


class SheetBatchQuerySet(ScopedQuerySet):
    pass


class SheetBatch(models.Model):
    """One run of sheet generation for a community and year: the progress the secretary's page polls.

    `done` counts the sheets written with this batch (recounted after each chunk, so it stays right after a
    worker crash and a redelivery). At most one unfinished batch per community and year."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name="社区")
    year = models.PositiveSmallIntegerField("年度")
    state = models.CharField(
        "状态", max_length=10, choices=SheetBatchState.choices, default=SheetBatchState.QUEUED
    )
    total = models.PositiveIntegerField("应生成份数", default=0)
    done = models.PositiveIntegerField("已生成份数", default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = SheetBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "反馈单生成批次"
        verbose_name_plural = "反馈单生成批次"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year"],
                condition=Q(state__in=["queued", "running"]),
                name="one_unfinished_sheet_batch",
            )
        ]

    def __str__(self):
        return f"{self.community} {self.year} 年反馈单生成"

    @property
    def percent(self) -> int:
        if self.state == SheetBatchState.FINISHED:
            return 100
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class FeedbackSheet(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name="报到社区"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="+", verbose_name="工作单位"
    )
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    is_current = models.BooleanField("现行版本", default=True)
    state = models.CharField("状态", max_length=15, choices=SheetState.choices, default=SheetState.DRAFT)
    content = models.JSONField("反馈单内容", default=dict, help_text="generated from the ledger; never typed")
    opinion = models.TextField("社区党组织意见", blank=True)
    batch = models.ForeignKey(
        SheetBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="sheets"
    )
    generated_at = models.DateTimeField("生成时间", auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_on = models.DateField("发出日期", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ack_due_on = models.DateField("应签收日期", null=True, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FeedbackSheetQuerySet.as_manager()

    class Meta:
        verbose_name = "在职党员小区活动情况反馈单"
        verbose_name_plural = "在职党员小区活动情况反馈单"
        ordering = ["-year", "employer_id", "person_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"], condition=Q(is_current=True), name="one_current_sheet_per_year"
            ),
            models.UniqueConstraint(fields=["person", "year", "version"], name="sheet_version_unique"),
            # the idempotency key of a batch run: one sheet per member per batch, whatever the redeliveries
            models.UniqueConstraint(fields=["batch", "person"], name="one_sheet_per_member_per_batch"),
        ]
        indexes = [
            models.Index(fields=["community", "year", "is_current"]),
            models.Index(fields=["employer", "year", "state"]),
        ]

    def __str__(self):
        return f"{self.year} 年反馈单 · {self.person} · 第 {self.version} 版"

    @property
    def number(self) -> str:
        return f"FK{self.year}-{self.community_id:03d}-{self.pk:06d}"


class SheetEvent(AppendOnlyModel):
    sheet = models.ForeignKey(FeedbackSheet, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=15, blank=True)
    to_state = models.CharField(max_length=15)
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
        verbose_name = "反馈单事件"
        verbose_name_plural = "反馈单事件"
        ordering = ["at", "pk"]

    @property
    def from_state_display(self) -> str:
        return label(SheetState, self.from_state)

    @property
    def to_state_display(self) -> str:
        return label(SheetState, self.to_state)
