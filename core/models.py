from django.conf import settings
from django.db import models


class Notification(models.Model):
    """An in-app message to one user (waitlist promotions, reminders, report-backs, alerts).

    `dedupe_key` makes sending idempotent: a retried task cannot notify twice.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("类型", max_length=50)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class WorkdayOverride(models.Model):
    """One day of the official calendar entered by hand (节假日/调休), for the whole country or one town.

    The State Council publishes next year's holidays around November; the library we ship knows only the
    years up to its release. Rows here override the library (a town's row beats a nationwide one), and for a
    year the library does not know they are the calendar. Read through `core.workdays`, never directly.
    """

    date = models.DateField("日期")
    is_working_day = models.BooleanField("是否工作日", help_text="勾选：调休上班；不勾选：放假")
    name = models.CharField("名称", max_length=50, blank=True, help_text="如：春节、国庆节调休上班")
    town = models.ForeignKey(
        "members.Town",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workday_overrides",
        verbose_name="镇",
        help_text="留空表示全国统一安排",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整（节假日/调休）"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "town"], name="workday_override_unique_per_town"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(town__isnull=True), name="workday_override_unique_global"
            ),
        ]

    def __str__(self):
        kind = "上班" if self.is_working_day else "放假"
        return f"{self.date} {self.name or kind}（{kind}）"
