"""A case (一件民情) and what belongs to it alone: the intake vocabulary, the visibility rule, its timeline
(`CaseEvent`, append-only), its photos, the tracking-number counter, the published time limits and the
retention period of residents' data.

Only `cases.services` writes these rows; only its guarded transitions change `Case.state`, each writing a
`CaseEvent` in the same transaction (the transition table lives in `cases.states`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.labels import label
from core.models import AppendOnlyModel, AppendOnlyQuerySet
from members.models import Building, Community, InformationOfficer, Person, ScopedQuerySet

from ..states import ACTION_LABELS, OPEN_STATES, CaseState
from .publishing import PublicInfoQuerySet


class Channel(models.TextChoices):
    """Every intake channel of the manual (运行程序 一、民情受理)."""

    MAILBOX = "mailbox", "民情信箱"
    HOTLINE = "hotline", "民情热线"
    ONLINE = "online", "网络民情信箱"
    CONTACT_CARD = "contact_card", "民情连心卡"
    HALL_WINDOW = "hall_window", "服务大厅窗口"
    COMPLAINT_ROOM = "complaint_room", "投诉室/意见簿"
    OFFICER_VISIT = "officer_visit", "信息员走访"
    DEPUTY_RECEPTION = "deputy_reception", "两代表一委员接待日（15日）"
    LEADER_RECEPTION = "leader_reception", "领导干部接待日（25日）"
    FORUM = "forum", "民情恳谈会"


class HandlingType(models.TextChoices):
    """五件式 (限期办理)."""

    IMMEDIATE = "immediate", "即办件"
    PROMISED = "promised", "承诺件"
    PENDING_DOCUMENTS = "pending_documents", "补办件"
    ESCALATED = "escalated", "上报件"
    REFERRAL = "referral", "提议件（建议件）"


# Working days per type when a community has not published its own (HandlingTimeLimit).
DEFAULT_LIMITS: dict[str, int] = {
    HandlingType.IMMEDIATE: 0,
    HandlingType.PROMISED: 5,
    HandlingType.PENDING_DOCUMENTS: 5,  # counted from the day the documents are complete
    HandlingType.ESCALATED: 3,  # fixed by the manual: 3 working days after the higher level's reply
    HandlingType.REFERRAL: 1,
}


class Category(models.TextChoices):
    POLICY = "policy", "政策咨询"
    PROCEDURE = "procedure", "办事程序"
    ENVIRONMENT = "environment", "环境卫生"
    PROPERTY = "property", "物业维修"
    NEIGHBOUR = "neighbour", "邻里纠纷"
    SECURITY = "security", "治安消防"
    ASSISTANCE = "assistance", "社会救助/低保"
    ELDERLY = "elderly", "养老助残"
    EMPLOYMENT = "employment", "就业创业"
    CADRE = "cadre", "干部作风投诉"
    OTHER = "other", "其他"


class FeedbackMethod(models.TextChoices):
    FACE_TO_FACE = "face", "当面回复"
    LETTER = "letter", "信函回复"
    PHONE = "phone", "电话回复"
    ONLINE = "online", "网上回复"
    HOME_VISIT = "home_visit", "约定上门通知"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class AssigneeKind(models.TextChoices):
    OFFICER = "officer", "民情信息员"
    MEMBER = "member", "在岗党员"
    STAFF = "staff", "社区工作人员"


# ------------------------------------------------------------------------------------------- querysets


def case_visible_q(scope, prefix: str = "") -> Q:
    """Who sees a case (CaseQuerySet); `prefix` leads from a case's own rows to it, e.g. "case__"."""
    return (
        Q(**{f"{prefix}community_id__in": scope.managed_community_ids})
        | Q(**{f"{prefix}assignee_id": scope.user_id})
        | Q(**{f"{prefix}received_by_id": scope.user_id})
    )


class CaseQuerySet(ScopedQuerySet):
    """Visible: every case of a community whose office the user runs (the town's supervisors included),
    the cases assigned to the user, and the cases the user took in (an officer's diary entries, a deputy's
    reception items) so the report-back reaches them."""

    def _visible(self, scope):
        return self.filter(case_visible_q(scope))

    def overdue(self, today):
        """Past the due date and not yet resolved — a query, so lists can filter and count it."""
        return self.filter(due_on__lt=today, state__in=OPEN_STATES)

    def not_overdue(self, today):
        return self.exclude(due_on__lt=today, state__in=OPEN_STATES)


class CasePartQuerySet(ScopedQuerySet):
    """A case's timeline and attachments: seen by whoever sees the case, changed by its community's office."""

    community_path = "case__community_id"

    def _visible(self, scope):
        return self.filter(case_visible_q(scope, prefix="case__"))


class CaseCounterQuerySet(ScopedQuerySet):
    """Tracking-number sequences: the community's office (and the town above it) only."""


# -------------------------------------------------------------------------------------------- settings


class HandlingTimeLimit(models.Model):
    """A community's published time limit per handling type (督办制度 §1: 分别明确…办理时限)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="time_limits", verbose_name="社区"
    )
    handling_type = models.CharField("办件类型", max_length=20, choices=HandlingType.choices)
    working_days = models.PositiveSmallIntegerField("时限（工作日）")
    description = models.CharField("说明", max_length=200, blank=True)

    objects = PublicInfoQuerySet.as_manager()

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        ordering = ["community_id", "handling_type"]
        constraints = [
            models.UniqueConstraint(fields=["community", "handling_type"], name="time_limit_unique"),
            models.CheckConstraint(
                name="escalated_limit_at_most_three",
                condition=~Q(handling_type="escalated") | Q(working_days__lte=3),
            ),
            models.CheckConstraint(
                name="immediate_limit_is_zero", condition=~Q(handling_type="immediate") | Q(working_days=0)
            ),
        ]

    def __str__(self):
        return f"{self.community} {self.get_handling_type_display()} {self.working_days} 个工作日"


DEFAULT_RETENTION_DAYS = 730  # two years after closure, unless the community publishes another period


class RetentionPolicy(models.Model):
    """How long a community keeps residents' personal data on a closed case (姓名、电话、地址、照片).

    After `retention_days` from closure, `cases.retention.anonymise_closed_cases` (nightly) removes them;
    the concern itself stays, without anyone's identity, for the statistics. Without a row: two years."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="case_retention", verbose_name="社区"
    )
    retention_days = models.PositiveIntegerField(
        "保存期限（天）", default=DEFAULT_RETENTION_DAYS, help_text="民情件归档后保存反映人个人信息的天数"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublicInfoQuerySet.as_manager()

    class Meta:
        verbose_name = "个人信息保存期限"
        verbose_name_plural = "个人信息保存期限"
        constraints = [
            models.CheckConstraint(
                name="retention_days_in_range",
                condition=Q(retention_days__gte=30) & Q(retention_days__lte=3650),
            )
        ]

    def __str__(self):
        return f"{self.community} {self.retention_days} 天"


class CaseCounter(models.Model):
    """Per-community, per-day sequence behind tracking numbers; locked with SELECT … FOR UPDATE."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    objects = CaseCounterQuerySet.as_manager()

    class Meta:
        verbose_name = "受理编号计数"
        verbose_name_plural = "受理编号计数"
        constraints = [models.UniqueConstraint(fields=["community", "day"], name="case_counter_unique")]

    def __str__(self):
        return f"{self.community_id}/{self.day}: {self.last}"


# ---------------------------------------------------------------------------------------------- cases


def attachment_path(instance, filename):
    # Random names only: the original name is kept in a column, never on disk or in a URL.
    return f"cases/attachments/{uuid.uuid4().hex}{instance.extension}"


class Case(models.Model):
    """一件民情: from intake to closure. `state` changes only through `cases.services` transitions."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="cases", verbose_name="社区"
    )
    tracking_no = models.CharField("受理编号", max_length=32, unique=True)
    access_code_hash = models.CharField(max_length=128, blank=True)
    # Not a column: the plain code, set on the instance intake returns (shown once, only the hash is kept).
    access_code: str
    channel = models.CharField("受理渠道", max_length=20, choices=Channel.choices)
    category = models.CharField("类别", max_length=20, choices=Category.choices, default=Category.OTHER)
    content = models.TextField("反映内容")
    building = models.ForeignKey(
        Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name="楼栋"
    )
    resident = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name="居民"
    )
    resident_name = models.CharField("反映人", max_length=50, blank=True)
    resident_phone = models.CharField("联系电话", max_length=30, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    needs_home_visit = models.BooleanField(
        "需约定上门", default=False, help_text="年老体弱、残疾、上班时间冲突等"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received_cases",
        verbose_name="受理人",
        help_text="居民网上自行提交时为空",
    )
    received_at = models.DateTimeField("受理时间")
    reported_by_officer = models.ForeignKey(
        InformationOfficer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name="报告信息员",
    )
    mailbox_opening = models.ForeignKey(
        "MailboxOpening", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    forum = models.ForeignKey("Forum", on_delete=models.PROTECT, null=True, blank=True, related_name="cases")

    state = models.CharField("状态", max_length=20, choices=CaseState.choices, default=CaseState.REGISTERED)
    handling_type = models.CharField("办件类型", max_length=20, choices=HandlingType.choices, blank=True)
    time_limit_days = models.PositiveSmallIntegerField("时限（工作日）", null=True, blank=True)
    due_on = models.DateField(
        "办结期限", null=True, blank=True, help_text="补办件等待材料、上报件等待批复时为空"
    )

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name="承办人",
    )
    assignee_kind = models.CharField("承办人类型", max_length=10, choices=AssigneeKind.choices, blank=True)

    missing_documents = models.JSONField("需补齐材料", default=list, blank=True)
    documents_requested_at = models.DateTimeField(null=True, blank=True)
    documents_received_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.CharField("上报单位", max_length=100, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    higher_reply = models.TextField("上级批复", blank=True)
    higher_reply_on = models.DateField("上级批复日期", null=True, blank=True)
    referral_department = models.CharField("建议办理部门", max_length=100, blank=True)
    explanation = models.TextField("解释说明", blank=True)
    resolution = models.TextField("办理结果", blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)

    feedback_method = models.CharField("反馈方式", max_length=20, choices=FeedbackMethod.choices, blank=True)
    feedback_text = models.TextField("反馈内容", blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    visit_at = models.DateTimeField("约定上门时间", null=True, blank=True)
    visit_address = models.CharField("上门地点", max_length=100, blank=True)
    group = models.ForeignKey(
        "ThematicGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="专题",
    )

    rating = models.CharField("满意度", max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    rated_by_resident = models.BooleanField("居民网上评价", default=False)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(
        "个人信息删除时间",
        null=True,
        blank=True,
        help_text="反映人姓名、电话、地址和照片已删除（保存期满或应居民申请），见 cases.retention",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "民情件"
        verbose_name_plural = "民情件"
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "state"]),
            models.Index(fields=["community", "due_on"]),
            models.Index(fields=["assignee", "state"]),
            models.Index(fields=["community", "channel"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="assigned_case_has_assignee",
                condition=~Q(state__in=["assigned", "in_progress"]) | Q(assignee__isnull=False),
            ),
            models.CheckConstraint(
                name="classified_case_has_type",
                condition=Q(state="registered") | ~Q(handling_type=""),
            ),
        ]

    def __str__(self):
        return self.tracking_no

    def is_overdue(self, today) -> bool:
        return self.due_on is not None and self.due_on < today and self.state in OPEN_STATES

    @property
    def overdue(self) -> bool:
        """超期 today (templates: the one rule, CaseQuerySet.overdue's, instead of re-deriving it)."""
        return self.is_overdue(timezone.localdate())

    @property
    def resident_display(self) -> str:
        if self.anonymous:
            return "匿名"
        return self.resident_name or (self.resident.name if self.resident_id else "")


class CaseEventQuerySet(CasePartQuerySet, AppendOnlyQuerySet):
    """Scoped like the rest of a case, and append-only: updates and deletes are refused (core.models)."""


class CaseEvent(AppendOnlyModel):
    """Append-only timeline of a case: who moved it from which state to which, when, and why.

    Rows are only ever inserted (by `cases.services`); `from_state == to_state` marks an action that is
    not a move (a home visit scheduled, a case added to a thematic group). Nothing rewrites them: the
    retention purge (`cases.retention`) anonymises the case and the lines it came from, not its timeline;
    deleting a case or an account goes through Django's collector, not this queryset.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_resident = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.action_display} {self.from_state_display}→{self.to_state_display}"

    @property
    def action_display(self) -> str:
        return label(ACTION_LABELS, self.action)

    @property
    def from_state_display(self) -> str:
        return label(CaseState, self.from_state)

    @property
    def to_state_display(self) -> str:
        return label(CaseState, self.to_state)


class CaseAttachment(models.Model):
    """A photo sent with a case. Stored under a random name; served only by a view that checks access."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name or self.file.name

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}.get(
            self.content_type, ".bin"
        )
