"""Hours and the yearly requirement: each community's 年度服务要求 and the 志愿服务记录 counted against it."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from members.models import Community, Person

from .items import ServiceItem
from .querysets import CommunityWideQuerySet, PersonalQuerySet


class RequirementPolicy(models.Model):
    """年度服务要求: what each in-service member completes per calendar year (Asia/Shanghai).

    The manual asks for 1–2 service items every 12 months; local rules vary (items, hours or both), so each
    community sets its own. A requirement of 0 means "not required"; both non-zero means both must be met.
    """

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="volunteer_policy", verbose_name="社区"
    )
    min_items = models.PositiveSmallIntegerField("每年最少服务事项", default=1)
    target_items = models.PositiveSmallIntegerField("每年目标服务事项", default=2)
    min_hours = models.DecimalField("每年最少服务时长（小时）", max_digits=5, decimal_places=1, default=0)
    target_hours = models.DecimalField("每年目标服务时长（小时）", max_digits=5, decimal_places=1, default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CommunityWideQuerySet.as_manager()

    class Meta:
        verbose_name = "年度服务要求"
        verbose_name_plural = "年度服务要求"
        constraints = [
            models.CheckConstraint(
                name="policy_target_items_not_below_min", condition=Q(target_items__gte=models.F("min_items"))
            ),
            models.CheckConstraint(
                name="policy_target_hours_not_below_min", condition=Q(target_hours__gte=models.F("min_hours"))
            ),
            models.CheckConstraint(
                name="policy_requires_something", condition=Q(min_items__gt=0) | Q(min_hours__gt=0)
            ),
        ]

    def __str__(self):
        return f"{self.community} 年度要求"


class RecordSource(models.TextChoices):
    ON_SITE = "on_site", "现场签到"
    ORGANISER = "organiser", "负责人登记"
    SELF_REPORTED = "self_reported", "本人申报"
    BACK_FILLED = "back_filled", "事后补录"


# Records from these sources were not seen on the spot: they wait for the organiser's approval and are
# audited separately (《志愿服务记录与证明出具办法》).
UNVERIFIED_SOURCES = [RecordSource.SELF_REPORTED, RecordSource.BACK_FILLED]


class RecordStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已确认"
    REJECTED = "rejected", "未通过"
    CANCELLED = "cancelled", "已注销"


class Evaluation(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"


class ServiceRecordQuerySet(PersonalQuerySet):
    community_path = "item__community_id"

    def approved(self):
        return self.filter(status=RecordStatus.APPROVED)


class ServiceRecord(models.Model):
    """志愿服务记录 per the national rules (民政部《志愿服务记录办法》): the activity, the actual service time
    (inside the item's window, travel excluded), the content, a quality evaluation and the recorder.
    Only approved records count toward the yearly requirement; false hours are cancelled (注销), never deleted."""

    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="records", verbose_name="事项"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="volunteer_records", verbose_name="志愿者"
    )
    started_at = models.DateTimeField("服务开始")
    ended_at = models.DateTimeField("服务结束")
    minutes = models.PositiveIntegerField("服务时长（分钟）")
    content = models.CharField("服务内容", max_length=300)
    evaluation = models.CharField("服务评价", max_length=10, choices=Evaluation.choices, blank=True)
    evaluation_note = models.CharField("评价说明", max_length=200, blank=True)
    source = models.CharField("记录方式", max_length=15, choices=RecordSource.choices)
    status = models.CharField("状态", max_length=10, choices=RecordStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="记录人",
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    status_reason = models.CharField("未通过/注销原因", max_length=200, blank=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务记录"
        verbose_name_plural = "志愿服务记录"
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "person"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_live_record_per_person_item",
            ),
            models.CheckConstraint(
                name="record_ends_after_start", condition=Q(ended_at__gt=models.F("started_at"))
            ),
        ]
        indexes = [models.Index(fields=["person", "status", "started_at"])]

    def __str__(self):
        return f"{self.person} · {self.item} · {self.minutes} 分钟"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)

    @property
    def is_unverified(self) -> bool:
        return self.source in UNVERIFIED_SOURCES
