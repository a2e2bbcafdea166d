"""民主评议: the yearly democratic evaluation of a community's in-service members (小区在职党员双重管理制度 §4)
and the 述职述廉 evaluation of its cadres (跟踪监督 4), their panels, ballots, the excellent members chosen
from the tally (评选评优) with the commendation notice (通报表彰) each one sends to the member's employer, and
the yearly review of information officers (民情信息员管理制度 §5).

State changes go through `evaluations.services.appraisal` only (core.transitions), each with an event row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.labels import label
from core.models import AppendOnlyModel
from members.models import Community, Employer, InformationOfficer, OfficerRecord, Person, ScopedQuerySet


class AppraisalKind(models.TextChoices):
    MEMBERS = "members", "在职党员民主评议"
    CADRES = "cadres", "社区干部述职述廉评议"


class AppraisalState(models.TextChoices):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "评议中"
    CLOSED = "closed", "已结束"


APPRAISAL_ACTION_LABELS = {
    "open": "开始评议",
    "close": "结束评议",
    "reopen": "重新开放",
    "publish": "公示结果",
}


class TallyRule(models.TextChoices):
    """How the grade follows from the votes; a community may adopt another rule later."""

    MOST_VOTES_TIE_LOWER = "most_votes_tie_lower", "得票最多者为准，票数相同取较低等次"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    COMPETENT = "competent", "合格"
    BASIC = "basic", "基本合格"
    INCOMPETENT = "incompetent", "不合格"


# Best first: a tie goes to the later (lower) grade.
GRADE_ORDER = [Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC, Grade.INCOMPETENT]
# Grades at or above 合格: selecting a member with a lower result as excellent needs a recorded reason.
PASSING_GRADES = {Grade.EXCELLENT, Grade.COMPETENT}


class EvaluatorGroup(models.TextChoices):
    RESIDENT_REP = "resident_rep", "居民代表"
    MEMBER_REP = "member_rep", "党员代表"
    UNIT_REP = "unit_rep", "单位代表"


# Which panel groups each kind of evaluation takes (members: 居民代表 + 党员代表; cadres: 单位代表 + 居民代表).
GROUPS_BY_KIND = {
    AppraisalKind.MEMBERS: (EvaluatorGroup.RESIDENT_REP, EvaluatorGroup.MEMBER_REP),
    AppraisalKind.CADRES: (EvaluatorGroup.UNIT_REP, EvaluatorGroup.RESIDENT_REP),
}


class BallotChannel(models.TextChoices):
    LINK = "link", "手机链接"
    PAPER = "paper", "纸质选票录入"


class AppraisalQuerySet(ScopedQuerySet):
    """The community's office and its town's supervisors; nobody else (ballots are cast by link)."""


class Appraisal(models.Model):
    """One evaluation of one community and year: of its in-service members, or of its cadres."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="appraisals", verbose_name="社区"
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField(
        "类型", max_length=10, choices=AppraisalKind.choices, default=AppraisalKind.MEMBERS
    )
    state = models.CharField(
        "状态", max_length=10, choices=AppraisalState.choices, default=AppraisalState.DRAFT
    )
    rule = models.CharField(
        "计票规则", max_length=30, choices=TallyRule.choices, default=TallyRule.MOST_VOTES_TIE_LOWER
    )
    closes_on = models.DateField("截止日期", help_text="截止日期之后不再接受选票")
    opened_at = models.DateTimeField("开始时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppraisalQuerySet.as_manager()

    class Meta:
        verbose_name = "民主评议"
        verbose_name_plural = "民主评议"
        ordering = ["-year", "community_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "kind"], name="one_appraisal_per_year_and_kind"
            )
        ]

    def __str__(self):
        return f"{self.community} {self.year}年{self.get_kind_display()}"


class AppraisalPartQuerySet(ScopedQuerySet):
    community_path = "appraisal__community_id"


class AppraisalEvent(AppendOnlyModel):
    """Append-only history of an evaluation: opened, closed, reopened (with the town's reason), published."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField("说明", max_length=300, blank=True)

    objects = AppraisalPartQuerySet.as_manager()

    class Meta:
        verbose_name = "评议记录"
        verbose_name_plural = "评议记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action_display} {self.from_state_display}→{self.to_state_display}"

    @property
    def action_display(self) -> str:
        return label(APPRAISAL_ACTION_LABELS, self.action)

    @property
    def from_state_display(self) -> str:
        return label(AppraisalState, self.from_state)

    @property
    def to_state_display(self) -> str:
        return label(AppraisalState, self.to_state)


class Evaluator(models.Model):
    """A member of the panel: a resident, party-member or unit representative — a person, not necessarily a
    user. Their personal link is a random token shown once; only its SHA-256 is stored."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="evaluators")
    name = models.CharField("姓名", max_length=50)
    group = models.CharField("代表类别", max_length=20, choices=EvaluatorGroup.choices)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="花名册人员"
    )
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    link_issued_at = models.DateTimeField("链接生成时间", null=True, blank=True)
    voted_at = models.DateTimeField("投票时间", null=True, blank=True)
    channel = models.CharField("投票方式", max_length=10, choices=BallotChannel.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppraisalPartQuerySet.as_manager()

    class Meta:
        verbose_name = "评议代表"
        verbose_name_plural = "评议代表"
        ordering = ["appraisal_id", "group", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "person"],
                condition=Q(person__isnull=False),
                name="evaluator_person_once",
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.get_group_display()}）"


class Ballot(models.Model):
    """One evaluator's grade of one subject (a member, or a cadre). Written once, never changed."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="ballots")
    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="ballots")
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="被评议人")
    grade = models.CharField("评议等次", max_length=12, choices=Grade.choices)
    comment = models.CharField("意见", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
        help_text="纸质选票由工作人员录入；手机链接投票时为空",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppraisalPartQuerySet.as_manager()

    class Meta:
        verbose_name = "选票"
        verbose_name_plural = "选票"
        ordering = ["appraisal_id", "subject_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "evaluator", "subject"], name="one_ballot_per_subject"
            ),
            models.CheckConstraint(
                name="ballot_grade_is_one_of_four",
                condition=Q(grade__in=["excellent", "competent", "basic", "incompetent"]),
            ),
        ]
        indexes = [models.Index(fields=["appraisal", "subject"])]

    def __str__(self):
        return f"{self.subject_id}: {self.get_grade_display()}"


class ExcellentSelection(models.Model):
    """评选评优: a member the secretary chose as excellent from the tally; `reason` is required when the
    member's result is below 合格 or they are behind the yearly volunteering requirement."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="excellent")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    reason = models.CharField("理由", max_length=300, blank=True)
    needed_reason = models.BooleanField("须说明理由", default=False)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="评选人",
    )
    selected_at = models.DateTimeField(auto_now_add=True)

    objects = AppraisalPartQuerySet.as_manager()

    class Meta:
        verbose_name = "优秀党员"
        verbose_name_plural = "优秀党员"
        ordering = ["appraisal_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "person"], name="excellent_once")]

    def __str__(self):
        return str(self.person_id)


class CommendationQuerySet(ScopedQuerySet):
    """The community's office and town, and the employer's liaison (its own members only)."""

    def _visible(self, scope):
        return self.filter(
            Q(community_id__in=scope.managed_community_ids) | Q(employer_id__in=scope.employer_ids)
        )


class Commendation(models.Model):
    """通报表彰: the notice to an excellent member's employer. Issued once per selection; never edited."""

    selection = models.OneToOneField(
        ExcellentSelection, on_delete=models.PROTECT, related_name="commendation"
    )
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    year = models.PositiveSmallIntegerField("年度")
    number = models.CharField("编号", max_length=40, unique=True)
    body = models.TextField("通报内容")
    issued_at = models.DateTimeField("通报时间", auto_now_add=True)

    objects = CommendationQuerySet.as_manager()

    class Meta:
        verbose_name = "通报表彰"
        verbose_name_plural = "通报表彰"
        ordering = ["-year", "number"]
        indexes = [models.Index(fields=["employer", "year"]), models.Index(fields=["community", "year"])]

    def __str__(self):
        return self.number


# ---------------------------------------------------------------------------- information officers


class OfficerOutcome(models.TextChoices):
    COMMENDATION = "commendation", "推荐表彰"
    PENALTY = "penalty", "按奖惩阶梯处理"
    NONE = "none", "不作奖惩"


class OfficerReviewQuerySet(ScopedQuerySet):
    community_path = "officer__community_id"

    def _visible(self, scope):
        q = Q(officer__community_id__in=scope.managed_community_ids)
        if scope.person_id:
            q |= Q(officer__person_id=scope.person_id)
        return self.filter(q)


class OfficerReview(models.Model):
    """民情信息员年度考评: the year's figures as they stood when reviewed, and the outcome, applied through
    the officer's record (members.services.officer_record: a commendation or the next rung of the ladder)."""

    officer = models.ForeignKey(InformationOfficer, on_delete=models.PROTECT, related_name="reviews")
    year = models.PositiveSmallIntegerField("年度")
    diary_entries = models.PositiveIntegerField("走访日志")
    reports = models.PositiveIntegerField("报告民情件")
    reports_prompt = models.PositiveIntegerField("及时报告", help_text="走访后一个工作日内登记为民情件")
    feedback_total = models.PositiveIntegerField("承办并反馈")
    feedback_on_time = models.PositiveIntegerField("按时反馈")
    complaints = models.PositiveIntegerField("被投诉", help_text="其承办或报告的民情件被评为不满意的件数")
    outcome = models.CharField("考评结果", max_length=20, choices=OfficerOutcome.choices)
    note = models.CharField("评语", max_length=300)
    record = models.OneToOneField(
        OfficerRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="奖惩记录",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OfficerReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "信息员年度考评"
        verbose_name_plural = "信息员年度考评"
        ordering = ["-year", "officer_id"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "year"], name="one_officer_review_per_year")
        ]

    def __str__(self):
        return f"{self.officer} {self.year}"
