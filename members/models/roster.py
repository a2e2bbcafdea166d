"""花名册 imports: an uploaded workbook, its checked rows and problems, previewed before it is written."""

from django.db import models
from django.db.models import Q

from .people import User
from .places import Community, Town
from .scoping import ScopedQuerySet


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "待确认"
    INVALID = "invalid", "有错误"
    COMMITTED = "committed", "已导入"


class RosterImportQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(Q(uploaded_by_id=scope.user_id) | Q(community_id__in=scope.managed_community_ids))


class RosterImport(models.Model):
    """One upload of a 花名册. Parsed and checked first (preview); committed all-or-nothing."""

    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="导入人所在社区（镇级导入为空）",
    )
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    rows = models.JSONField(default=list, help_text="normalised rows ready to write")
    errors = models.JSONField(default=list, help_text="[{row, column, message}]")
    summary = models.JSONField(default=dict)
    # the file as typed (its header and every person row's cells), to hand the problems back as the same
    # sheet with the bad cells marked; blanked with `rows` and `errors` by the retention purge
    source = models.JSONField("上传原表", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    # members.retention: after ROSTER_IMPORT_RETENTION_DAYS the uploaded rows (full ID numbers), the row
    # errors and the source cells are blanked; the summary stays. A purged upload can no longer be committed.
    purged_at = models.DateTimeField("明细清除时间", null=True, blank=True)

    objects = RosterImportQuerySet.as_manager()

    class Meta:
        verbose_name = "花名册导入"
        verbose_name_plural = "花名册导入"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def own_rows_importable(self) -> bool:
        """The town's file in a community office's hands: every problem is a row of another community of
        the town (not the office's to fix), and the office's own rows are there and clean — those may be
        imported alone, all or nothing within them (roster_import_commit(only_own_community=True))."""
        errors = self.errors or []
        return (
            self.status == ImportStatus.INVALID
            and bool(self.rows)
            and bool(errors)
            and all(e.get("other_community") for e in errors)
        )
