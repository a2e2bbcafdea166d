"""The working-day calendar's hand-entered days (节假日/调休), read through `core.workdays`."""

from django.db import models
from django.db.models import Q

from ..roles import scope_for
from .places import Community


class WorkdayOverrideQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Nationwide rows for every login, and the rows of the towns the user belongs to (its own town's
        supervisor, or any role in one of the town's communities)."""
        scope = scope_for(user)
        if not scope.is_authenticated:
            return self.none()
        if scope.is_superuser:
            return self
        towns = set(scope.town_ids) | set(
            Community.objects.filter(pk__in=scope.community_ids).values_list("town_id", flat=True)
        )
        return self.filter(Q(town__isnull=True) | Q(town_id__in=towns))


class WorkdayOverride(models.Model):
    """One day of the official calendar entered by hand (节假日/调休), for the whole country or one town.

    The State Council publishes next year's holidays around November; the library we ship knows only the
    years up to its release. Rows here override the library (a town's row beats a nationwide one), and for a
    year the library does not know they are the calendar. Read through `core.workdays` (members registers this table as its override source), never directly.
    """

    date = models.DateField("日期")
    is_working_day = models.BooleanField("是否工作日", help_text="勾选：调休上班；不勾选：放假")
    name = models.CharField("名称", max_length=50, blank=True, help_text="如：春节、国庆节调休上班")
    town = models.ForeignKey(
        "Town",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workday_overrides",
        verbose_name="镇",
        help_text="留空表示全国统一安排",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkdayOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整（节假日/调休）"
        ordering = ["date"]
        # moved from core (no migration of data): the table keeps its name
        db_table = "core_workdayoverride"
        constraints = [
            models.UniqueConstraint(fields=["date", "town"], name="workday_override_unique_per_town"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(town__isnull=True), name="workday_override_unique_global"
            ),
        ]

    def __str__(self):
        kind = "上班" if self.is_working_day else "放假"
        return f"{self.date} {self.name or kind}（{kind}）"
