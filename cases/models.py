"""The 民情流水线 pipeline: intake channels, cases and their one state machine, feedback, disclosure.

Only `cases.services` writes these rows; only its guarded transitions change `Case.state`, each writing a
`CaseEvent` in the same transaction (the transition table lives in `cases.states`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models import Building, Community, Compound, InformationOfficer, Person, ScopedQuerySet

from .states import OPEN_STATES, CaseState


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
DEFAULT_LIMITS = {
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


class PrioritySubject(models.TextChoices):
    """小区领导干部民情接待日制度 §1: the six subjects of the leaders' reception day."""

    MANY_RESIDENTS = "many_residents", "涉及众多群众利益或反映强烈"
    GROUP_PETITION = "group_petition", "易引发群体性越级上访或突发事件"
    MULTI_DEPARTMENT = "multi_department", "涉及多个单位部门需领导协调"
    MAJOR_POLICY = "major_policy", "涉及重大方针政策"
    NEEDS_LEADERSHIP = "needs_leadership", "需向领导反映并由组织处理"
    CADRE_CONDUCT = "cadre_conduct", "反映社区干部作风和廉政问题"


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


class ThematicGroupQuerySet(ScopedQuerySet):
    pass


class CaseCounterQuerySet(ScopedQuerySet):
    """Tracking-number sequences: the community's office (and the town above it) only."""


class MailboxQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(Q(community_id__in=scope.managed_community_ids) | Q(keeper_id=scope.user_id))


class MailboxOpeningQuerySet(ScopedQuerySet):
    community_path = "mailbox__community_id"

    def _visible(self, scope):
        return self.filter(
            Q(mailbox__community_id__in=scope.managed_community_ids) | Q(mailbox__keeper_id=scope.user_id)
        )


class DiaryQuerySet(ScopedQuerySet):
    """An officer sees only their own diary; the office of the community sees all of its officers'."""

    community_path = "officer__community_id"

    def _visible(self, scope):
        q = Q(officer__community_id__in=scope.managed_community_ids)
        if scope.person_id:
            q |= Q(officer__person_id=scope.person_id)
        return self.filter(q)


class ReceptionQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(
            Q(community_id__in=scope.managed_community_ids)
            | Q(community_id__in=scope.deputy_community_ids)
            | Q(host_user_id=scope.user_id)
        )


class ForumQuerySet(ScopedQuerySet):
    pass


class ForumItemQuerySet(ScopedQuerySet):
    community_path = "forum__community_id"


class PublicInfoQuerySet(ScopedQuerySet):
    """Disclosures, announcements and time limits: public anyway, so any role in the community reads them."""

    def _visible(self, scope):
        return self.filter(community_id__in=scope.community_ids | scope.managed_community_ids)


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


# ----------------------------------------------------------------------------------------- intake rows


class Mailbox(models.Model):
    """民情信箱: installed in a compound, opened every day by its keeper (民情信箱管理制度)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="mailboxes", verbose_name="社区"
    )
    compound = models.ForeignKey(
        Compound, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="楼院"
    )
    location = models.CharField("安装位置", max_length=100)
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="kept_mailboxes",
        verbose_name="管理人",
    )
    active = models.BooleanField("在用", default=True)
    installed_on = models.DateField("安装日期", null=True, blank=True)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        verbose_name = "民情信箱"
        verbose_name_plural = "民情信箱"
        ordering = ["community_id", "location"]
        constraints = [
            models.UniqueConstraint(fields=["community", "location"], name="mailbox_location_unique")
        ]

    def __str__(self):
        return self.location


class MailboxOpening(models.Model):
    """One daily opening (每日开箱取件) with the number of letters found; each letter becomes a case."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="openings", verbose_name="信箱"
    )
    opened_on = models.DateField("开箱日期")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    letters = models.PositiveSmallIntegerField("信件数", default=0)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MailboxOpeningQuerySet.as_manager()

    class Meta:
        verbose_name = "开箱记录"
        verbose_name_plural = "开箱记录"
        ordering = ["-opened_on", "mailbox_id"]
        constraints = [models.UniqueConstraint(fields=["mailbox", "opened_on"], name="one_opening_per_day")]

    def __str__(self):
        return f"{self.mailbox} {self.opened_on}"


class ReceptionKind(models.TextChoices):
    DEPUTIES = "deputies", "两代表一委员民情接待日（每月15日）"
    LEADERS = "leaders", "领导干部民情接待日（每月25日）"


NOMINAL_DAY = {ReceptionKind.DEPUTIES: 15, ReceptionKind.LEADERS: 25}


class ReceptionDay(models.Model):
    """One reception day of the rota: nominally the 15th (deputies) or 25th (leaders) of a month; when that
    is not a working day it happens on the next working day (`held_on`), which the public schedule shows."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="reception_days", verbose_name="社区"
    )
    kind = models.CharField("类型", max_length=10, choices=ReceptionKind.choices)
    nominal_date = models.DateField("规定日期")
    held_on = models.DateField("实际接待日期")
    host_name = models.CharField("接待人", max_length=100)
    host_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="接待人账号",
    )
    place = models.CharField("地点", max_length=100, blank=True)
    published = models.BooleanField("已公开", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ReceptionQuerySet.as_manager()

    class Meta:
        verbose_name = "民情接待日"
        verbose_name_plural = "民情接待日"
        ordering = ["nominal_date", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["community", "kind", "nominal_date"], name="reception_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"

    @property
    def moved(self) -> bool:
        return self.held_on != self.nominal_date


class ReceptionItemQuerySet(ScopedQuerySet):
    community_path = "reception__community_id"

    def _visible(self, scope):
        return self.filter(
            Q(reception__community_id__in=scope.managed_community_ids)
            | Q(reception__community_id__in=scope.deputy_community_ids)
        )


class ReceptionItem(models.Model):
    """One line of the 接待群众来访记录表: a visitor and what they raised. Every item becomes a case."""

    reception = models.ForeignKey(ReceptionDay, on_delete=models.CASCADE, related_name="items")
    visitor_name = models.CharField("来访人", max_length=50)
    visitor_phone = models.CharField("联系方式", max_length=30, blank=True)
    content = models.TextField("反映问题")
    priority_subject = models.CharField(
        "接待重点内容", max_length=20, choices=PrioritySubject.choices, blank=True, help_text="领导接待日必填"
    )
    case = models.OneToOneField("Case", on_delete=models.PROTECT, related_name="reception_item")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReceptionItemQuerySet.as_manager()

    class Meta:
        verbose_name = "接待记录"
        verbose_name_plural = "接待群众来访记录"
        ordering = ["reception_id", "pk"]

    def __str__(self):
        return f"{self.visitor_name}: {self.content[:20]}"


class Forum(models.Model):
    """民情恳谈会: once a month at month end; attendees and minutes are recorded."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="forums", verbose_name="社区"
    )
    held_on = models.DateField("召开日期")
    title = models.CharField("主题", max_length=100)
    attendees = models.JSONField("参会人员", default=list, help_text='[{"name": "...", "role": "..."}]')
    minutes = models.TextField("会议纪要", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ForumQuerySet.as_manager()

    class Meta:
        verbose_name = "民情恳谈会"
        verbose_name_plural = "民情恳谈会"
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.held_on} {self.title}"


class ForumItem(models.Model):
    """A matter raised at a forum: answered on the spot, or turned into a case to be handled in time."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="items")
    raised_by = models.CharField("提出人", max_length=100)
    content = models.TextField("意见建议")
    answered_on_spot = models.BooleanField("现场答复", default=False)
    answer = models.TextField("现场答复内容", blank=True)
    case = models.OneToOneField(
        "Case", on_delete=models.PROTECT, null=True, blank=True, related_name="forum_item"
    )

    objects = ForumItemQuerySet.as_manager()

    class Meta:
        verbose_name = "恳谈会事项"
        verbose_name_plural = "恳谈会事项"
        ordering = ["forum_id", "pk"]
        constraints = [
            models.CheckConstraint(
                name="forum_item_answered_or_case",
                condition=Q(answered_on_spot=True, case__isnull=True)
                | Q(answered_on_spot=False, case__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.raised_by}: {self.content[:20]}"


# ---------------------------------------------------------------------------------------------- cases


def attachment_path(instance, filename):
    # Random names only: the original name is kept in a column, never on disk or in a URL.
    return f"cases/attachments/{uuid.uuid4().hex}{instance.extension}"


class ThematicGroup(models.Model):
    """专题反馈: cases about the same issue answered with one reply, recorded on every case."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="case_groups", verbose_name="社区"
    )
    title = models.CharField("专题", max_length=100)
    reply = models.TextField("专题答复", blank=True)
    reply_method = models.CharField("答复方式", max_length=20, choices=FeedbackMethod.choices, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ThematicGroupQuerySet.as_manager()

    class Meta:
        verbose_name = "专题反馈"
        verbose_name_plural = "专题反馈"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Case(models.Model):
    """一件民情: from intake to closure. `state` changes only through `cases.services` transitions."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="cases", verbose_name="社区"
    )
    tracking_no = models.CharField("受理编号", max_length=32, unique=True)
    access_code_hash = models.CharField(max_length=128, blank=True)
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
        MailboxOpening, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, null=True, blank=True, related_name="cases")

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
        ThematicGroup,
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


class CaseEvent(models.Model):
    """Append-only timeline of a case: who moved it from which state to which, when, and why.

    Rows are only ever inserted (by `cases.services`); `from_state == to_state` marks an action that is
    not a move (a home visit scheduled, a case added to a thematic group).
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

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self):
        return f"{self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("CaseEvent rows are append-only")
        super().save(*args, **kwargs)


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


class DiaryEntry(models.Model):
    """民情日志: an information officer's visit — household, date, what was heard. Can become a case."""

    officer = models.ForeignKey(
        InformationOfficer, on_delete=models.CASCADE, related_name="diary", verbose_name="信息员"
    )
    visited_on = models.DateField("走访日期")
    household = models.CharField("走访户", max_length=100)
    resident = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    heard = models.TextField("了解到的情况")
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="diary_entry"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DiaryQuerySet.as_manager()

    class Meta:
        verbose_name = "民情日志"
        verbose_name_plural = "民情日志"
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.visited_on} {self.household}"


# ------------------------------------------------------------------------------------------ disclosure


class DisclosureKind(models.TextChoices):
    """七公开 of the service hall (小区服务大厅管理制度 §2)."""

    PROCEDURES = "procedures", "办事程序"
    BASIS = "basis", "办事依据"
    STANDARDS = "standards", "服务标准"
    TIME_LIMITS = "time_limits", "办事时限"
    DISCIPLINE = "discipline", "办事纪律"
    RESULTS = "results", "办事结果"
    STAFF = "staff", "责任人员"


class Disclosure(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="disclosures", verbose_name="社区"
    )
    kind = models.CharField("公开事项", max_length=20, choices=DisclosureKind.choices)
    body = models.TextField("内容")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = PublicInfoQuerySet.as_manager()

    class Meta:
        verbose_name = "七公开"
        verbose_name_plural = "七公开"
        ordering = ["community_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["community", "kind"], name="disclosure_unique")]

    def __str__(self):
        return self.get_kind_display()


class AnnouncementCategory(models.TextChoices):
    """集中公告 (运行程序 三、公告反馈 2)."""

    POLICY = "policy", "惠民政策"
    PARTY = "party", "党务工作"
    ASSISTANCE = "assistance", "社会救助"
    MINIMUM_INCOME = "minimum_income", "低保发放"
    ELDERLY_ALLOWANCE = "elderly_allowance", "高龄补助"
    CONSCRIPTION = "conscription", "征兵信息"
    FAMILY_PLANNING = "family_planning", "计划生育"
    LOW_RENT_HOUSING = "low_rent_housing", "廉租住房"


class Announcement(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="announcements", verbose_name="社区"
    )
    category = models.CharField("类别", max_length=20, choices=AnnouncementCategory.choices)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    published_on = models.DateField("公告日期")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = PublicInfoQuerySet.as_manager()

    class Meta:
        verbose_name = "集中公告"
        verbose_name_plural = "集中公告"
        ordering = ["-published_on", "-pk"]

    def __str__(self):
        return self.title
